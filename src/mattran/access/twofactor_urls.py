from django.urls import path

from . import twofactor_views

app_name = "two_factor"
urlpatterns = [
    path("", twofactor_views.verify, name="verify"),
    path("dang-ky/", twofactor_views.enrol, name="enrol"),
]
