from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("", views.grants, name="grants"),
    path("<id:pk>/thu-hoi/", views.grant_revoke, name="revoke"),
    path("nguoi-dung/", views.users, name="users"),
    path("nguoi-dung/nhap-excel/", views.users_bulk, name="users_bulk"),
    path("nguoi-dung/<id:pk>/khoa/", views.user_deactivate, name="user_deactivate"),
    path("kich-hoat/<str:token>/", views.first_login, name="first_login"),
]
