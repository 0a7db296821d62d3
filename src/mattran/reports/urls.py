from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("viec-can-lam/", views.home, name="home"),
    path("toan-quoc/<str:version>/<str:code>/", views.nation, name="nation"),
    path(
        "toan-quoc/<str:version>/<str:code>/chi-tiet/<slug:indicator>/",
        views.nation_drilldown,
        name="nation_drilldown",
    ),
    path("<id:unit_pk>/", views.unit_default, name="unit"),
    path("<id:unit_pk>/<str:code>/", views.report, name="report"),
    path("<id:unit_pk>/<str:code>/chi-tiet/<slug:indicator>/", views.drilldown, name="drilldown"),
    path("<id:unit_pk>/<str:code>/bao-cao.docx", views.export_docx, name="docx"),
    path("<id:unit_pk>/<str:code>/bao-cao.xlsx", views.export_xlsx, name="xlsx"),
    path("<id:unit_pk>/<str:code>/nop/", views.submit, name="submit"),
    path("<id:unit_pk>/<str:code>/duyet/", views.approve, name="approve"),
    path("<id:unit_pk>/<str:code>/tra-lai/", views.return_, name="return"),
    path("<id:unit_pk>/<str:code>/mo-khoa/", views.reopen, name="reopen"),
    path("<id:unit_pk>/<str:code>/tinh-hinh-nop/", views.completeness, name="completeness"),
    path("<id:unit_pk>/<str:code>/so-lieu-nhap/", views.entered_totals, name="entered"),
]
