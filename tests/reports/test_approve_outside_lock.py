"""The approval builds its report before it takes the lock that keeps edits out, and
keeps those figures only if nothing the report reads was changed in between
(reports.services, issue 16): the approved figures are always the figures of the
data at the approval."""

import datetime as dt

import pytest

from mattran.core.periods import Period
from mattran.reports import services
from mattran.reports.selectors import report_build

from .conftest import record

P = Period.parse("2023-9M")


def _approve_with_a_write_in_between(monkeypatch, people, write):
    """Approve; `write()` runs after the figures are built, before the lock."""
    calls = []
    original = services._report_figures

    def figures_then_write(actor, sub):
        calls.append(sub.pk)
        figures = original(actor, sub)
        if len(calls) == 1:
            write()
        return figures

    monkeypatch.setattr(services, "_report_figures", figures_then_write)
    return calls


@pytest.fixture
def submitted(records, people):
    return services.submission_submit(actor=people["editor_a1"], unit=records["ward_a1"], period=P)


def test_nothing_changed_the_figures_are_computed_once(monkeypatch, submitted, people):
    calls = _approve_with_a_write_in_between(monkeypatch, people, lambda: None)
    sub = services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert len(calls) == 1
    assert sub.figures == report_build(user=None, unit=submitted.unit, period=P).as_dict(live=True)


def test_an_edit_of_the_ward_in_between_is_in_the_approved_figures(
    monkeypatch, submitted, people, tree
):
    before = submitted.figures["figures"]["tuyen_truyen"]["value"]

    def write():  # a residential area of the ward: the ward's report counts it
        record(tree["area_a1"], "tuyen_truyen", dt.date(2023, 8, 8), title="Vừa ghi")

    calls = _approve_with_a_write_in_between(monkeypatch, people, write)
    sub = services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert len(calls) == 2  # built again under the lock
    assert sub.figures["figures"]["tuyen_truyen"]["value"] == before + 1
    assert sub.figures == report_build(user=None, unit=submitted.unit, period=P).as_dict(live=True)


def test_an_edit_of_another_ward_in_between_keeps_the_figures(monkeypatch, submitted, people, tree):
    def write():
        record(tree["ward_a2"], "tuyen_truyen", dt.date(2023, 8, 8), title="Phường khác")

    calls = _approve_with_a_write_in_between(monkeypatch, people, write)
    sub = services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert len(calls) == 1
    assert sub.figures == report_build(user=None, unit=submitted.unit, period=P).as_dict(live=True)


def test_a_reference_data_change_in_between_computes_again(monkeypatch, submitted, people):
    from mattran.core.audit import audit_record
    from mattran.reports.models import Indicator

    def write():
        from django.db import transaction

        with transaction.atomic():
            indicator = Indicator.objects.first()
            audit_record(actor=None, action="indicator.update", obj=indicator)

    calls = _approve_with_a_write_in_between(monkeypatch, people, write)
    services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert len(calls) == 2


def test_a_refused_approval_builds_no_report(monkeypatch, submitted, people):
    from mattran.core.errors import UserFacingError

    calls = _approve_with_a_write_in_between(monkeypatch, people, lambda: None)
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.submission_approve(actor=people["editor_a1"], submission=submitted)
    services.submission_approve(actor=people["approver_a"], submission=submitted)
    with pytest.raises(UserFacingError, match="trạng thái"):
        services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert len(calls) == 1


def test_the_approval_reads_a_units_children_from_the_database(submitted, people, settings):
    """The approval does not trust what the process keeps (core/versions.py): a unit's
    children kept from before a new child was added would leave the child's records
    out of the total. Here the versions never move (a test's transaction never
    commits, so no bump runs): as for a unit inserted with no service (bulk SQL), or
    in the moment between a write's commit and its bump."""
    from django.core.cache import cache

    from mattran.core import versions
    from mattran.units.models import Unit
    from mattran.units.services import units_bulk_create

    settings.MATTRAN_DATA_CACHE = True
    cache.clear()
    ward = submitted.unit
    before = report_build(user=None, unit=ward, period=P).figures["tuyen_truyen"].totals[0]
    assert [c.name for c in versions._PROCESS[("scope_children", (ward.pk,))][2]] == [
        "Tổ dân phố 1"
    ]
    (area,) = units_bulk_create(
        [
            Unit(
                version=ward.version,
                parent=ward,
                level=ward.level + 1,
                name="Tổ dân phố 2",
                kind="Tổ dân phố",
            )
        ]
    )
    record(area, "tuyen_truyen", dt.date(2023, 8, 9), title="Ở tổ dân phố mới")

    sub = services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert sub.figures["figures"]["tuyen_truyen"]["value"] == before + 1
    assert sub.figures["figures"]["tuyen_truyen"]["by_unit"]["Tổ dân phố 2"] == 1
    cache.clear()


def test_a_reference_data_change_in_the_admin_in_between_computes_again(
    monkeypatch, submitted, people, rf
):
    """The admin audits its changes (core.admin.AuditedAdmin) as a service does, so an
    indicator's figure changed there is seen by the approval's check."""
    from django.contrib.admin import site

    from mattran.core.models import AuditEvent
    from mattran.reports.models import Indicator

    key = "activities.count(types=tuyen_truyen|toa_dam)"

    def write():
        indicator = Indicator.objects.get(code="tuyen_truyen")
        indicator.figure_key = key
        request = rf.post("/")
        request.user = people["approver_a"]
        site._registry[Indicator].save_model(request, indicator, None, True)

    calls = _approve_with_a_write_in_between(monkeypatch, people, write)
    sub = services.submission_approve(actor=people["approver_a"], submission=submitted)
    assert len(calls) == 2
    assert sub.figures["figures"]["tuyen_truyen"]["key"] == key
    event = AuditEvent.objects.get(action="indicator.admin_update")
    assert event.before["figure_key"] != key and event.after["figure_key"] == key
