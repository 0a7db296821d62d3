from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("quy/<id:pk>/", views.disclosure, name="disclosure"),
    path("quy/<id:pk>/so-quy.csv", views.ledger_csv, name="ledger_csv"),
    path("so-cai/", views.ledger_log, name="ledger_log"),
    path("so-cai/xac-minh/<id:entry_id>/", views.ledger_verify, name="ledger_verify"),
    path(f"so-cai/{views.VERIFIER_NAME}", views.verifier_download, name="verifier"),
]
