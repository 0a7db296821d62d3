"""The figures cache (figures/cached.py): keyed by the data's version and the user's grants.

A write shows at once (the next report computes afresh); two users whose grants
differ never read each other's entry; the same user reading again reads the cache.
"""

import datetime as dt

import pytest
from django.core.cache import cache

from mattran.access.models import Role
from mattran.core.periods import Period
from mattran.figures import cached
from mattran.figures.engine import figures_compute
from mattran.figures.scope import scope_build
from mattran.reports.exports.xlsx import report_xlsx  # noqa: F401 - the export under test
from mattran.reports.selectors import report_build
from tests.factories import UserFactory, grant

from .conftest import record

P = Period.parse("2023-9M")
KEY = "activities.count(types=tuyen_truyen)"


@pytest.fixture
def data_cache(settings):
    settings.MATTRAN_DATA_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def computed(monkeypatch):
    """How many times the engine really computed (a cache hit does not)."""
    calls = []

    def counting(**kwargs):
        calls.append(kwargs["scope"].unit)
        return figures_compute(**kwargs)

    monkeypatch.setattr(cached, "figures_compute", counting)
    return calls


def _count(report) -> int:
    return report.figures["tuyen_truyen"].totals[0]


def test_a_write_shows_at_once(
    records, people, tree, data_cache, computed, django_capture_on_commit_callbacks
):
    ward, editor = tree["ward_a1"], people["editor_a1"]
    before = _count(report_build(user=editor, unit=ward, period=P))
    again = _count(report_build(user=editor, unit=ward, period=P))
    assert again == before and len(computed) == 1  # the second read is the cache's
    district = _count(report_build(user=people["viewer_a"], unit=tree["district_a"], period=P))
    assert len(computed) == 2

    with django_capture_on_commit_callbacks(execute=True):
        record(ward, "tuyen_truyen", dt.date(2023, 8, 1), title="Mới ghi", attendance=5)

    assert _count(report_build(user=editor, unit=ward, period=P)) == before + 1
    # the ancestors' roll-ups see it at once too
    assert (
        _count(report_build(user=people["viewer_a"], unit=tree["district_a"], period=P))
        == district + 1
    )
    assert len(computed) == 4


def test_a_write_elsewhere_keeps_the_entry(
    records, people, tree, data_cache, computed, django_capture_on_commit_callbacks
):
    ward, editor = tree["ward_a1"], people["editor_a1"]
    report_build(user=editor, unit=ward, period=P)
    with django_capture_on_commit_callbacks(execute=True):
        record(tree["ward_b1"], "tuyen_truyen", dt.date(2023, 8, 1), title="Quận B", attendance=5)
    report_build(user=editor, unit=ward, period=P)
    assert len(computed) == 1  # another district's write does not touch this ward's version


def test_a_rolled_back_write_bumps_nothing(records, people, tree, data_cache, computed):
    ward, editor = tree["ward_a1"], people["editor_a1"]
    first = _count(report_build(user=editor, unit=ward, period=P))
    # inside the test's transaction the write never commits: on_commit never runs
    record(ward, "tuyen_truyen", dt.date(2023, 8, 1), title="Chưa commit", attendance=5)
    assert _count(report_build(user=editor, unit=ward, period=P)) == first
    assert len(computed) == 1


def test_users_with_other_grants_never_share_an_entry(records, people, tree, data_cache, computed):
    """The district viewer sees all of Quận A; the ward editor only Phường A1. Same
    scope, same keys, same data version: two entries, each the user's own figures."""
    scope = scope_build(unit=tree["district_a"])
    viewer, editor = people["viewer_a"], people["editor_a1"]
    whole = cached.figures_compute_cached(user=viewer, scope=scope, periods=[P], keys=[KEY])
    part = cached.figures_compute_cached(user=editor, scope=scope, periods=[P], keys=[KEY])
    assert len(computed) == 2
    fresh_whole = figures_compute(user=viewer, scope=scope, periods=[P], keys=[KEY])
    fresh_part = figures_compute(user=editor, scope=scope, periods=[P], keys=[KEY])
    assert whole[KEY].totals == fresh_whole[KEY].totals
    assert part[KEY].totals == fresh_part[KEY].totals
    assert part[KEY].totals[0] < whole[KEY].totals[0]
    # read again in the other order: each still gets their own
    assert (
        cached.figures_compute_cached(user=editor, scope=scope, periods=[P], keys=[KEY])[KEY].totals
        == fresh_part[KEY].totals
    )
    assert (
        cached.figures_compute_cached(user=viewer, scope=scope, periods=[P], keys=[KEY])[KEY].totals
        == fresh_whole[KEY].totals
    )
    assert len(computed) == 2


def test_grants_fingerprint(tree, people):
    fp = cached.grants_fingerprint
    twin = UserFactory(username="viewer_a_twin")
    grant(twin, tree["district_a"], Role.VIEWER)
    assert fp(twin) == fp(people["viewer_a"])  # equal grants may share
    assert fp(people["approver_a"]) != fp(people["viewer_a"])  # same unit, other role
    assert fp(people["editor_a1"]) != fp(people["editor_a2"])  # other unit
    other = UserFactory(username="viewer_two_units")
    grant(other, tree["district_a"], Role.VIEWER)
    grant(other, tree["district_b"], Role.VIEWER)
    assert fp(other) != fp(people["viewer_a"])
    inactive = UserFactory(username="inactive_viewer", is_active=False)
    grant(inactive, tree["district_a"], Role.VIEWER)
    assert fp(inactive) != fp(people["viewer_a"])
    assert fp(None) == "system"


def test_xlsx_export_follows_the_data(
    client, records, people, tree, data_cache, computed, django_capture_on_commit_callbacks
):
    viewer = people["viewer_a"]
    client.force_login(viewer)
    url = f"/bao-cao/{tree['district_a'].pk}/{P.code}/bao-cao.xlsx"
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url).content == first.content
    assert len(computed) == 1
    with django_capture_on_commit_callbacks(execute=True):
        record(tree["ward_a2"], "tuyen_truyen", dt.date(2023, 8, 2), title="Mới", attendance=5)
    changed = client.get(url)
    assert changed.status_code == 200 and changed.content != first.content
    assert len(computed) == 2
    # another user with other grants builds their own file
    client.force_login(people["approver_a"])
    assert client.get(url).status_code == 200
    assert len(computed) == 3


def test_xlsx_export_changes_with_the_submission_state(
    client, records, people, tree, data_cache, monkeypatch, django_capture_on_commit_callbacks
):
    """A submission's state bumps no data version, yet an approved report's file holds
    the approved figures: the state is part of the export's key."""
    from mattran.reports import services
    from mattran.reports.exports import xlsx

    built = []
    real = xlsx.report_xlsx
    monkeypatch.setattr(xlsx, "report_xlsx", lambda rep: built.append(rep) or real(rep))

    ward = tree["ward_a1"]
    client.force_login(people["approver_a"])
    url = f"/bao-cao/{ward.pk}/{P.code}/bao-cao.xlsx"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert len(built) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sub = services.submission_submit(actor=people["editor_a1"], unit=ward, period=P)
    assert client.get(url).status_code == 200
    assert len(built) == 2  # the file was built again for the new state
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_approve(actor=people["approver_a"], submission=sub)
    assert client.get(url).status_code == 200
    assert len(built) == 3


def test_definitions_are_kept_until_one_is_saved(
    records, people, tree, data_cache, django_capture_on_commit_callbacks
):
    """The template, its lines, the indicators, the rules and the catalogue are read once
    per process; a save anywhere (here the admin's way: `Model.save`) shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mattran.core import versions
    from mattran.reports.models import Indicator, ReportItem
    from mattran.units.services import unit_create

    district, viewer = tree["district_a"], people["viewer_a"]
    with CaptureQueriesContext(connection) as first:
        report_build(user=viewer, unit=district, period=P)
    versions._bump_now([versions.LEDGER])  # a write: the figures are computed afresh
    with CaptureQueriesContext(connection) as second:
        report = report_build(user=viewer, unit=district, period=P)
    tables = " ".join(q["sql"] for q in second.captured_queries)
    for table in ("reports_reportsection", "reports_indicator", "activities_activitytype"):
        assert table in " ".join(q["sql"] for q in first.captured_queries)
        assert table not in tables
    assert len(second.captured_queries) <= len(first.captured_queries) - 6

    fig = report.figures["tuyen_truyen"]
    item = ReportItem.objects.filter(sentence__contains="{tuyen_truyen}").first()
    with django_capture_on_commit_callbacks(execute=True):
        ind = Indicator.objects.get(pk=fig.indicator.pk)
        ind.name = "Tuyên truyền (tên mới)"
        ind.save()
        item.sentence = "Câu mới có {tuyen_truyen} cuộc."
        item.save()
    report = report_build(user=viewer, unit=district, period=P)
    assert report.figures["tuyen_truyen"].indicator.name == "Tuyên truyền (tên mới)"
    assert f"Câu mới có {report.figures['tuyen_truyen'].total_text} cuộc." in report.narrative

    # a unit added under the district is a row of its report at once
    assert "Phường mới" not in [r.label for r in report.rows]
    with django_capture_on_commit_callbacks(execute=True):
        admin = UserFactory(username="admin_units", is_superuser=True)
        unit_create(actor=admin, parent=district, name="Phường mới", kind="Phường")
    report = report_build(user=viewer, unit=district, period=P)
    assert "Phường mới" in [r.label for r in report.rows]


def test_chart_indicators_are_kept_until_the_template_chart_changes(
    records, people, tree, data_cache, django_capture_on_commit_callbacks
):
    """The report's chart reads the template's chart indicators from the kept
    definitions (no query per page); changing them (a many-to-many `.set()`, which
    saves no template row) shows in the next report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mattran.reports.models import Indicator

    district, viewer = tree["district_a"], people["viewer_a"]
    report = report_build(user=viewer, unit=district, period=P)
    template = report.template
    with CaptureQueriesContext(connection) as queries:
        codes = [f.code for f in report.chart_figures]
    assert queries.captured_queries == []
    assert codes == [i.code for i in template.chart_indicators.all() if i.code in report.figures]

    chosen = Indicator.objects.get(code="tuyen_truyen")
    assert codes != [chosen.code]
    with django_capture_on_commit_callbacks(execute=True):
        template.chart_indicators.set([chosen])
    report = report_build(user=viewer, unit=district, period=P)
    assert [f.code for f in report.chart_figures] == ["tuyen_truyen"]
