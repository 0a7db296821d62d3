"""A report asked under another structure version maps records through lineage."""

import datetime as dt

from mattran.activities import services as act
from mattran.activities.models import ActivityType
from mattran.core.periods import Period
from mattran.reports.selectors import report_build
from mattran.units.models import Lineage
from tests.factories import VersionFactory, make_unit

P = Period.parse("2023-9M")


def _count(unit, version=None):
    report = report_build(user=None, unit=unit, period=P, version=version)
    return report, report.figures["toa_dam"]


def test_old_records_count_in_the_new_units_they_became(tree):
    v2 = VersionFactory(code="new")
    city = make_unit("Thành phố mới", version=v2)
    merged = make_unit("Phường Hợp Nhất", city)  # A1 (whole) became it
    north = make_unit("Phường Bắc", city)  # A2 was split between North and South
    south = make_unit("Phường Nam", city)
    Lineage.objects.create(from_unit=tree["ward_a1"], to_unit=merged, kind="whole")
    Lineage.objects.create(from_unit=tree["ward_a2"], to_unit=north, kind="part")
    Lineage.objects.create(from_unit=tree["ward_a2"], to_unit=south, kind="part")
    t = ActivityType.objects.get(code="toa_dam")
    day = dt.date(2023, 5, 5)
    act.activity_record_create(actor=None, unit=tree["ward_a1"], type=t, date=day, title="1")
    act.activity_record_create(actor=None, unit=tree["area_a1"], type=t, date=day, title="2")
    act.activity_record_create(actor=None, unit=tree["ward_a2"], type=t, date=day, title="3")
    act.activity_record_create(actor=None, unit=tree["district_a"], type=t, date=day, title="4")
    act.activity_record_create(actor=None, unit=north, type=t, date=day, title="new")

    report, fig = _count(city)
    # All old records of A's subtree end up in the new city: 4 old + 1 native.
    assert fig.totals[0] == 5
    assert fig.cell(0, str(merged.pk)) == 2  # the ward and its residential area
    assert fig.cell(0, str(north.pk)) == 1  # only the native record
    assert fig.cell(0, "other") == 2  # split A2 and the old district office: not allocable
    assert any(r.bucket == "other" for r in report.rows)

    report, fig = _count(north)
    assert fig.totals[0] == 1  # the split ward's record is not counted here...
    # ...but noted, with the old district office whose wards went several ways.
    notes = {n.unit.name: n.activities for n in report.split_notes}
    assert notes == {"Phường A2": 1, "Quận A": 1}

    report, fig = _count(merged)
    assert fig.totals[0] == 2


def test_old_version_report_ignores_other_versions_without_lineage(tree):
    t = ActivityType.objects.get(code="toa_dam")
    v2 = VersionFactory(code="unrelated")
    alone = make_unit("Tỉnh khác", version=v2)
    act.activity_record_create(actor=None, unit=alone, type=t, date=dt.date(2023, 5, 5), title="x")
    _, fig = _count(tree["city"])
    assert fig.totals[0] == 0
