from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("quy/<id:pk>/", views.disclosure, name="disclosure"),
    path("quy/<id:pk>/so-quy.csv", views.ledger_csv, name="ledger_csv"),
]
