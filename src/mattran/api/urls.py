from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import errors, views

app_name = "api"
urlpatterns = [
    path("units/", views.UnitList.as_view(), name="unit-list"),
    path("units/<id:pk>/", views.UnitDetail.as_view(), name="unit-detail"),
    path("units/<id:pk>/figures/", views.UnitFigures.as_view(), name="unit-figures"),
    path("figures/", views.NationFigures.as_view(), name="nation-figures"),
    path("units/<id:pk>/activities/", views.UnitActivities.as_view(), name="unit-activities"),
    path("activity-types/", views.ActivityTypeList.as_view(), name="activity-types"),
    path("activities/<id:pk>/", views.ActivityDetail.as_view(), name="activity-detail"),
    path("funds/", views.FundList.as_view(), name="fund-list"),
    path("funds/<id:pk>/receipts/", views.FundReceipts.as_view(), name="fund-receipts"),
    path("receipts/<id:pk>/", views.ReceiptDetail.as_view(), name="receipt-detail"),
    path("public/funds/", views.PublicFundList.as_view(), name="public-funds"),
    path("public/donations/", views.PublicDonations.as_view(), name="public-donations"),
    path("public/log/heads/", views.LedgerLogHeads.as_view(), name="log-heads"),
    path("public/log/leaves/", views.LedgerLogLeaves.as_view(), name="log-leaves"),
    path("public/log/inclusion/", views.LedgerLogInclusion.as_view(), name="log-inclusion"),
    path("public/log/consistency/", views.LedgerLogConsistency.as_view(), name="log-consistency"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    re_path(r"^", errors.not_found),  # anything else, newlines included: a JSON 404
]
