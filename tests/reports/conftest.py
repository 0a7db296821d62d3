import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.activities import services as act
from mattran.activities.models import ActivityType
from tests.factories import UserFactory, grant


def atype(code: str) -> ActivityType:
    return ActivityType.objects.get(code=code)


@pytest.fixture
def people(tree):
    """An editor per ward, a district approver, a district viewer."""
    users = {
        "editor_a1": UserFactory(username="editor_a1"),
        "editor_a2": UserFactory(username="editor_a2"),
        "approver_a": UserFactory(username="approver_a"),
        "viewer_a": UserFactory(username="viewer_a"),
        "editor_district_a": UserFactory(username="editor_district_a"),
    }
    grant(users["editor_a1"], tree["ward_a1"], Role.EDITOR)
    grant(users["editor_a2"], tree["ward_a2"], Role.EDITOR)
    grant(users["approver_a"], tree["district_a"], Role.APPROVER)
    grant(users["viewer_a"], tree["district_a"], Role.VIEWER)
    grant(users["editor_district_a"], tree["district_a"], Role.EDITOR)
    return users


def record(unit, code, day, title="Hoạt động", **kw):
    if code == "tuyen_truyen":
        kw.setdefault("attendance", 50)
    if code == "phan_bien":
        kw.setdefault("subject", "Đề án “Thử nghiệm”")
    return act.activity_record_create(
        actor=None, unit=unit, type=atype(code), date=day, title=title, **kw
    )


@pytest.fixture
def records(tree):
    """A small, known set of records in Quận A (2023) and its wards, plus 2022."""
    d = dt.date
    a, a1, a2, area = tree["district_a"], tree["ward_a1"], tree["ward_a2"], tree["area_a1"]
    record(a, "tuyen_truyen", d(2023, 2, 1), attendance=100)
    record(a1, "tuyen_truyen", d(2023, 3, 1), attendance=40)
    record(area, "tuyen_truyen", d(2023, 9, 30), attendance=10)
    record(a2, "tuyen_truyen", d(2023, 10, 1), attendance=999)  # outside 9M
    record(a2, "toa_dam", d(2023, 5, 5))
    record(a, "phan_bien", d(2023, 4, 4), subject="Đề án “Chuyển đổi số”")
    record(a1, "phan_bien", d(2023, 6, 6))
    record(a2, "phan_bien", d(2023, 6, 7))
    record(
        a,
        "doan_giam_sat",
        d(2023, 7, 1),
        subject="việc thực hiện Quy chế dân chủ",
        supervised_units=[a2, a1],
    )
    record(tree["ward_b1"], "tuyen_truyen", d(2023, 3, 3), attendance=70)  # other district
    record(a1, "tuyen_truyen", d(2022, 3, 1), attendance=30)
    for i, (rec, outcome, closed) in enumerate(
        [
            (d(2022, 12, 1), "resolved", d(2023, 1, 10)),  # carried over, resolved in period
            (d(2023, 2, 1), "resolved", d(2023, 2, 20)),
            (d(2023, 3, 1), "failed", d(2023, 4, 1)),
            (d(2023, 9, 1), "pending", None),
            (d(2023, 10, 1), "pending", None),  # outside
        ]
    ):
        act.mediation_case_create(
            actor=None,
            unit=a1 if i % 2 else a2,
            received_on=rec,
            title=f"Vụ {i}",
            outcome=outcome,
            closed_on=closed,
        )
    return tree
