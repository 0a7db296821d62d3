"""Emulation figures backed by activity records and mediation cases, through the figures layer."""

import datetime as dt

import pytest
from django.apps import apps

from mattran.activities import services as activities
from mattran.activities.catalogue import install
from mattran.activities.models import ActivityType, MediationOutcome
from mattran.core.periods import Period
from mattran.emulation import measures

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def catalogue(db):
    install(apps)  # a transactional test elsewhere may have flushed the migration's rows


def _activity(unit, code, day, attendance=None):
    return activities.activity_record_create(
        actor=None,
        unit=unit,
        type=ActivityType.objects.get(code=code),
        date=day,
        title=f"Hoạt động {code}",
        attendance=attendance,
    )


def test_activity_measures_come_from_the_catalogue(tree, django_assert_max_num_queries):
    a1, a2 = tree["ward_a1"], tree["ward_a2"]
    _activity(a1, "tuyen_truyen", D(2023, 3, 1), attendance=120)
    _activity(tree["area_a1"], "tuyen_truyen", D(2023, 4, 1), attendance=80)
    _activity(a2, "tuyen_truyen", D(2024, 1, 5), attendance=50)
    _activity(a2, "hoi_nghi_dbnd", D(2023, 5, 1), attendance=60)
    sessions = measures.get("activities.count(types=tuyen_truyen)")
    people = measures.get("activities.attendance(types=tuyen_truyen)")
    assert measures.get("hoat_dong.tuyen_truyen") == sessions  # a key stored before issue 10
    assert {m.key: m.label for m in measures.all_measures()}[sessions.key] == (
        "Số hoạt động: Tuyên truyền"
    )
    keys = {m.key for m in measures.all_measures()}
    assert "activities.attendance(types=doan_giam_sat)" not in keys  # no attendance recorded
    # lineage, activity types, the UNION ALL in a savepoint (and work_mem on PostgreSQL),
    # entered totals
    with django_assert_max_num_queries(7):
        assert sessions.compute([a1, a2], Period.year(2023)) == {a1.pk: 2, a2.pk: 0}
    assert people.compute([a1, a2], Period.year(2023)) == {a1.pk: 200, a2.pk: 0}
    assert measures.get("activities.count(types=hoi_nghi_dbnd)").compute(
        [a2], Period.year(2023)
    ) == {a2.pk: 1}
    assert "activities.count(types=ngay_hoi_ddk)" in keys
    # a type an administrator adds without code is offered at once
    ActivityType.objects.create(code="trao_qua", name="Trao quà Tết", order=999)
    labels = {m.key: m.label for m in measures.all_measures()}
    assert labels["activities.count(types=trao_qua)"] == "Số hoạt động: Trao quà Tết"
    assert measures.get("activities.count(types=trao_qua)") is not None


def test_mediation_measures(tree):
    a1 = tree["ward_a1"]
    for received, outcome, closed in (
        (D(2023, 2, 1), MediationOutcome.RESOLVED, D(2023, 3, 1)),
        (D(2023, 5, 1), MediationOutcome.FAILED, D(2023, 6, 1)),
        (D(2022, 12, 1), MediationOutcome.PENDING, None),  # carried into 2023, still open
        (D(2022, 6, 1), MediationOutcome.RESOLVED, D(2022, 7, 1)),  # the year before
    ):
        activities.mediation_case_create(
            actor=None,
            unit=a1,
            received_on=received,
            title="Tranh chấp lối đi chung",
            outcome=outcome,
            closed_on=closed,
        )
    year = Period.year(2023)
    assert measures.get("mediation.received").compute([a1], year) == {a1.pk: 3}
    assert measures.get("mediation.resolved").compute([a1], year) == {a1.pk: 1}
