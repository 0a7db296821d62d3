from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("nhap-danh-muc/", views.unit_import, name="import"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/con/", views.children, name="children"),
    path("<id:pk>/nhat-ky/", views.audit, name="audit"),
    path("<id:pk>/them-khu-dan-cu/", views.residential_area_create, name="area_create"),
    path(
        "<id:pk>/them-to-chuc-thanh-vien/",
        views.member_organisation_create,
        name="member_org_create",
    ),
    path("<id:pk>/them-uy-vien/", views.position_create, name="position_create"),
]
