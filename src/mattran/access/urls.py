from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("", views.grants, name="grants"),
    path("<int:pk>/thu-hoi/", views.grant_revoke, name="revoke"),
]
