from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:unit_pk>/", views.unit_default, name="unit"),
    path("<int:unit_pk>/<str:code>/", views.report, name="report"),
    path("<int:unit_pk>/<str:code>/chi-tiet/<slug:indicator>/", views.drilldown, name="drilldown"),
    path("<int:unit_pk>/<str:code>/bao-cao.docx", views.export_docx, name="docx"),
    path("<int:unit_pk>/<str:code>/bao-cao.xlsx", views.export_xlsx, name="xlsx"),
    path("<int:unit_pk>/<str:code>/nop/", views.submit, name="submit"),
    path("<int:unit_pk>/<str:code>/duyet/", views.approve, name="approve"),
    path("<int:unit_pk>/<str:code>/tra-lai/", views.return_, name="return"),
    path("<int:unit_pk>/<str:code>/mo-khoa/", views.reopen, name="reopen"),
    path("<int:unit_pk>/<str:code>/tinh-hinh-nop/", views.completeness, name="completeness"),
    path("<int:unit_pk>/<str:code>/so-lieu-nhap/", views.entered_totals, name="entered"),
]
