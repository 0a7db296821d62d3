from django.urls import path

from . import views

app_name = "reading"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("xac-nhan/", views.confirm, name="confirm"),
]
