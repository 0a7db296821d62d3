from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("nhap-danh-muc/", views.unit_import, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/con/", views.children, name="children"),
    path("<int:pk>/nhat-ky/", views.audit, name="audit"),
    path("<int:pk>/them-khu-dan-cu/", views.residential_area_create, name="area_create"),
    path(
        "<int:pk>/them-to-chuc-thanh-vien/",
        views.member_organisation_create,
        name="member_org_create",
    ),
    path("<int:pk>/them-uy-vien/", views.position_create, name="position_create"),
]
