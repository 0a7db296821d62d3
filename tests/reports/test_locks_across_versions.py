"""An approved period locks every record that rolls into it, whatever structure
version the record was entered under; a record's date lies within its unit's
version (issue 11, item 1)."""

import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.reports import services
from mattran.units.models import Lineage
from tests.factories import UserFactory, VersionFactory, grant, make_unit

d = dt.date


@pytest.fixture
def two_versions(db):
    """Old map (to 31/12/2024): Quận A > A1 (> tổ 1), A2. New map (from 01/01/2025):
    Quận A > Hợp Nhất (A1 whole), Bắc and Nam (A2 split)."""
    old = VersionFactory(code="old", valid_from=d(2020, 1, 1), valid_to=d(2024, 12, 31))
    new = VersionFactory(code="new", valid_from=d(2025, 1, 1))
    city = make_unit("Thành phố Thử", version=old)
    a = make_unit("Quận A", city)
    a1, a2 = make_unit("Phường A1", a), make_unit("Phường A2", a)
    area = make_unit("Tổ dân phố 1", a1)
    city2 = make_unit("Thành phố Thử", version=new)
    a_new = make_unit("Quận A", city2)
    names = ("Phường Hợp Nhất", "Phường Bắc", "Phường Nam")
    merged, north, south = (make_unit(n, a_new) for n in names)
    Lineage.objects.create(from_unit=city, to_unit=city2, kind="whole")
    Lineage.objects.create(from_unit=a, to_unit=a_new, kind="whole")
    Lineage.objects.create(from_unit=a1, to_unit=merged, kind="whole")
    Lineage.objects.create(from_unit=a2, to_unit=north, kind="part")
    Lineage.objects.create(from_unit=a2, to_unit=south, kind="part")
    # Submitting needs an editor of the unit, approving an approver of its parent.
    approver, approver2 = UserFactory(), UserFactory()
    for user, unit in ((approver, a), (approver2, a_new)):
        grant(user, unit, Role.EDITOR)
        grant(user, unit.parent, Role.APPROVER)
    return {
        "a": a, "a1": a1, "a2": a2, "area": area, "a_new": a_new,
        "merged": merged, "north": north, "south": south,
        "approver": approver, "approver2": approver2,
    }  # fmt: skip


def _toa_dam(unit, day, title="Tọa đàm"):
    return act.activity_record_create(
        actor=None, unit=unit, type=ActivityType.objects.get(code="toa_dam"), date=day, title=title
    )


def _approve(unit, code, approver):
    sub = services.submission_submit(actor=approver, unit=unit, period=Period.parse(code))
    return services.submission_approve(actor=approver, submission=sub)


def test_record_dated_outside_its_version_names_the_unit_of_the_right_version(two_versions):
    t = two_versions
    with pytest.raises(act.FieldErrors) as err:
        _toa_dam(t["a1"], d(2025, 8, 3))
    message = err.value.errors["date"][0]
    assert "03/08/2025 nằm ngoài thời gian hiệu lực của Phường A1" in message
    assert "hãy ghi cho Phường Hợp Nhất (Quận A)" in message
    with pytest.raises(act.FieldErrors, match="hãy ghi cho Phường A1 \\(Quận A\\)"):
        _toa_dam(t["merged"], d(2023, 5, 1))
    # A split ward names both of its successors; a residential area follows its ward.
    with pytest.raises(act.FieldErrors, match="Phường Bắc \\(Quận A\\) hoặc Phường Nam"):
        _toa_dam(t["a2"], d(2025, 2, 1))
    with pytest.raises(act.FieldErrors, match="hãy ghi cho Phường Hợp Nhất"):
        _toa_dam(t["area"], d(2025, 2, 1))
    with pytest.raises(act.FieldErrors, match="Ngày tiếp nhận|nằm ngoài thời gian hiệu lực"):
        act.mediation_case_create(actor=None, unit=t["a1"], received_on=d(2025, 2, 1), title="x")
    assert _toa_dam(t["a1"], d(2024, 12, 31)).pk and _toa_dam(t["merged"], d(2025, 1, 1)).pk


def test_an_approved_new_version_report_locks_the_old_records_it_carries(two_versions):
    t = two_versions
    kept = _toa_dam(t["a1"], d(2024, 3, 1))
    # Quận A of the new map, year 2024 (its previous-year basis): carries A1 and A2.
    _approve(t["a_new"], "2024", t["approver2"])
    for unit in (t["a1"], t["area"], t["a2"]):
        with pytest.raises(UserFacingError, match="Quận A \\(Phiên bản new\\) đã được phê duyệt"):
            _toa_dam(unit, d(2024, 6, 1))
    with pytest.raises(UserFacingError, match="đã được phê duyệt và khóa"):
        act.activity_record_update(
            actor=None, record=kept, type=kept.type, date=kept.date, title="Sửa"
        )
    with pytest.raises(UserFacingError, match="đã được phê duyệt và khóa"):
        act.activity_record_delete(actor=None, record=kept)
    # Outside the approved period nothing is locked.
    assert _toa_dam(t["a1"], d(2023, 6, 1)).pk


def test_a_ward_report_locks_old_wards_it_counts_or_notes_and_no_other(two_versions):
    t = two_versions
    _approve(t["north"], "2024", t["approver2"])
    # A2 was split: its records are noted in Bắc's report, so they are locked too.
    with pytest.raises(UserFacingError, match="Phường Bắc \\(Phiên bản new\\)"):
        _toa_dam(t["a2"], d(2024, 6, 1))
    # A1 went wholly into Hợp Nhất: Bắc's report does not show it.
    assert _toa_dam(t["a1"], d(2024, 6, 1)).pk
    _approve(t["merged"], "2024", t["approver2"])
    with pytest.raises(UserFacingError, match="Phường Hợp Nhất \\(Phiên bản new\\)"):
        _toa_dam(t["area"], d(2024, 6, 2))


def test_an_approved_old_version_report_locks_the_new_records_it_carries(two_versions):
    t = two_versions
    # The old Quận A's report for the first half of 2025, asked under the old map,
    # carries the new wards' records back through lineage.
    _approve(t["a"], "2025-H1", t["approver"])
    for unit in (t["merged"], t["north"], t["a_new"]):
        with pytest.raises(UserFacingError, match="Quận A \\(Phiên bản old\\) đã được phê duyệt"):
            _toa_dam(unit, d(2025, 3, 1))
    with pytest.raises(UserFacingError, match="đã được phê duyệt và khóa"):
        act.aggregate_entries_save(
            actor=None, unit=t["merged"], period_start=d(2025, 1, 1), period_end=d(2025, 3, 31),
            values={},
        )  # fmt: skip
    assert _toa_dam(t["merged"], d(2025, 7, 1)).pk
