from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("quy/<int:pk>/", views.disclosure, name="disclosure"),
    path("quy/<int:pk>/so-quy.csv", views.ledger_csv, name="ledger_csv"),
]
