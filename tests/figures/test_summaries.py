"""The summary tables: kept in step by the database in the writing transaction, equal to a
recomputation after any sequence of writes, and read by the engine with the same results
as the raw roll-up (lineage and access applied at read)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mattran.activities import services as act
from mattran.activities.models import (
    ActivityRecord,
    ActivityType,
    AggregateEntry,
    DataElement,
    MediationCase,
)
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.figures.engine import figures_compute
from mattran.figures.models import ActivitySummary, MediationSummary
from mattran.figures.records import month_split, raw_rollup, rollup, rollup_raw, rollup_summary
from mattran.figures.scope import lineage_map_build, scope_build, scope_peers
from mattran.figures.summaries import summaries_verify
from mattran.funds.models import Fund, LedgerAnnotation, LedgerEntry
from mattran.reports.models import Submission, SubmissionStatus
from mattran.units.models import Lineage
from tests.factories import UserFactory, VersionFactory, grant, make_unit

D = dt.date


def _rows(model, **filters):
    return {
        (r.unit_id, r.own): r
        for r in model.objects.filter(**filters)
        if getattr(r, "n", None) != 0 or model is MediationSummary
    }


def test_a_write_updates_the_unit_and_every_ancestor_in_its_transaction(tree):
    t = ActivityType.objects.get(code="toa_dam")
    area, ward, district, city = (
        tree["area_a1"],
        tree["ward_a1"],
        tree["district_a"],
        tree["city"],
    )
    rec = act.activity_record_create(
        actor=None, unit=area, type=t, date=D(2023, 3, 9), title="TT", attendance=40
    )
    act.activity_record_create(actor=None, unit=ward, type=t, date=D(2023, 3, 20), title="TT 2")
    rows = _rows(ActivitySummary, month=D(2023, 3, 1), type_id=t.pk)
    assert set(rows) == {
        (area.pk, True),
        (ward.pk, True),
        (ward.pk, False),
        (district.pk, False),
        (city.pk, False),
    }
    assert (rows[(area.pk, True)].n, rows[(area.pk, True)].attendance) == (1, 40)
    assert (rows[(ward.pk, True)].n, rows[(ward.pk, True)].no_attendance) == (1, 1)
    assert (rows[(ward.pk, False)].n, rows[(ward.pk, False)].no_subject) == (1, 1)
    whole = rows[(city.pk, False)]
    assert (whole.n, whole.attendance, whole.no_attendance, whole.no_subject) == (2, 40, 1, 2)

    # moved to April, then deleted: March keeps only the ward's record; nothing is left over
    rec.date = D(2023, 4, 2)
    rec.save()
    assert ActivitySummary.objects.get(unit_id=city.pk, own=False, month=D(2023, 3, 1)).n == 1
    assert ActivitySummary.objects.get(unit_id=city.pk, own=False, month=D(2023, 4, 1)).n == 1
    act.activity_record_delete(actor=None, record=ActivityRecord.objects.get(pk=rec.pk))
    assert not ActivitySummary.objects.filter(month=D(2023, 4, 1)).exists()

    # a write rolled back takes its summary with it
    with pytest.raises(RuntimeError), transaction.atomic():
        ActivityRecord.objects.create(
            unit=area, unit_path=area.path, type=t, date=D(2023, 5, 1), title="x"
        )
        assert ActivitySummary.objects.filter(month=D(2023, 5, 1)).exists()
        raise RuntimeError
    assert not ActivitySummary.objects.filter(month=D(2023, 5, 1)).exists()
    assert all(c.ok for c in summaries_verify())


def test_mediation_counts_received_and_closed_months(tree):
    ward = tree["ward_a1"]
    case = MediationCase.objects.create(
        unit=ward, unit_path=ward.path, received_on=D(2023, 1, 20), title="Ranh giới"
    )
    case.outcome, case.closed_on = "resolved", D(2023, 3, 2)
    case.save()
    jan = MediationSummary.objects.get(unit_id=tree["city"].pk, own=False, month=D(2023, 1, 1))
    mar = MediationSummary.objects.get(unit_id=tree["city"].pk, own=False, month=D(2023, 3, 1))
    assert (jan.received, jan.closed) == (1, 0)
    assert (mar.received, mar.closed, mar.resolved, mar.failed) == (0, 1, 1, 0)
    # received in Q1 2023, open at the end of January, resolved in Q1
    p = Period.parse("2023-Q1")
    s = scope_build(unit=tree["city"])
    for period in (p, Period.parse("2023-01")):
        a = rollup_summary(user=None, scope=s, periods=[period], lmap=None)
        b = rollup_raw(user=None, scope=s, periods=[period], lmap=None)
        assert a.mediation == b.mediation and a.mediation
    assert rollup_summary(
        user=None, scope=s, periods=[Period.parse("2023-01")], lmap=None
    ).mediation[(0, str(tree["district_a"].pk))] == [1, 0, 0, 1]


def test_verify_names_a_difference_and_rebuild_repairs_it(tree):
    t = ActivityType.objects.get(code="toa_dam")
    act.activity_record_create(
        actor=None, unit=tree["ward_b1"], type=t, date=D(2023, 6, 1), title="Tọa đàm"
    )
    out = StringIO()
    call_command("figures_verify", stdout=out)
    assert "Tổng hợp hoạt động: 3 dòng, khớp với bản ghi gốc." in out.getvalue()
    # a summary changed behind the triggers' back (e.g. by hand) is found
    ActivitySummary.objects.filter(unit_id=tree["city"].pk).update(n=5)
    out = StringIO()
    with pytest.raises(CommandError, match="KHÔNG khớp"):
        call_command("figures_verify", stdout=out)
    assert "LỖI Tổng hợp hoạt động: 3 dòng trong bảng, 3 dòng tính lại; 1 dòng thiếu" in (
        out.getvalue()
    )
    assert f"cần có: unit_id={tree['city'].pk}, own=False" in out.getvalue()
    assert f"đang có: unit_id={tree['city'].pk}, own=False" in out.getvalue()
    out = StringIO()
    call_command("figures_rebuild", stdout=out)
    assert "Tổng hợp hoạt động: tính lại 3 dòng." in out.getvalue()
    assert ActivitySummary.objects.get(unit_id=tree["city"].pk).n == 1
    call_command("figures_verify", stdout=StringIO())


def test_a_free_date_range_reads_the_records(tree):
    t = ActivityType.objects.get(code="tuyen_truyen")
    for day in (3, 17, 28):
        act.activity_record_create(
            actor=None,
            unit=tree["ward_a2"],
            type=t,
            date=D(2023, 2, day),
            title="TT",
            attendance=5,
        )
    key = "activities.count(types=tuyen_truyen)"
    scope = scope_build(unit=tree["district_a"])
    part = Period.range(D(2023, 2, 10), D(2023, 2, 20))
    whole = Period.parse("2023-02")
    assert figures_compute(user=None, scope=scope, periods=[part], keys=[key])[key].totals[0] == 1
    assert figures_compute(user=None, scope=scope, periods=[whole], keys=[key])[key].totals[0] == 3


def test_a_free_range_reads_the_summaries_for_its_whole_months(tree):
    split = month_split(Period.range(D(2023, 1, 15), D(2023, 8, 10)))
    assert split.head == (D(2023, 1, 15), D(2023, 1, 31))
    assert (split.body.start, split.body.end) == (D(2023, 2, 1), D(2023, 7, 31))
    assert split.tail == (D(2023, 8, 1), D(2023, 8, 10))
    split = month_split(Period.range(D(2023, 12, 2), D(2024, 2, 29)))
    assert split.head == (D(2023, 12, 2), D(2023, 12, 31)) and split.tail is None
    assert (split.body.start, split.body.end) == (D(2024, 1, 1), D(2024, 2, 29))
    assert month_split(Period.range(D(2023, 3, 2), D(2023, 4, 29))).body is None

    t = ActivityType.objects.get(code="tuyen_truyen")
    for month, day in ((1, 3), (1, 20), (3, 10), (5, 31), (8, 9), (8, 11)):
        act.activity_record_create(
            actor=None,
            unit=tree["ward_a2"],
            type=t,
            date=D(2023, month, day),
            title="TT",
            attendance=5,
        )
    act.mediation_case_create(
        actor=None,
        unit=tree["ward_a2"],
        received_on=D(2023, 1, 5),
        title="Vụ",
        outcome="resolved",
        closed_on=D(2023, 1, 25),
    )
    key = "activities.count(types=tuyen_truyen)"
    scope = scope_build(unit=tree["district_a"])
    free = Period.range(D(2023, 1, 15), D(2023, 8, 10))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        got = figures_compute(user=None, scope=scope, periods=[free], keys=[key, "mediation.rate"])
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "figures_activitysummary" in sql and "figures_mediationsummary" in sql
    assert got[key].totals[0] == 4  # 20/1, 10/3, 31/5, 9/8
    rate = got["mediation.rate"].totals[0]
    assert (rate.numerator, rate.denominator) == (1, 1)  # carried in, resolved on 25/1
    with raw_rollup():
        want = figures_compute(user=None, scope=scope, periods=[free], keys=[key, "mediation.rate"])
    assert got[key].cells == want[key].cells and rate == want["mediation.rate"].totals[0]


# --------------------------------------------------------------- property test

MONTHS = [D(2022, m, 1) for m in range(1, 13)] + [D(2023, m, 1) for m in range(1, 13)]
PERIODS = [
    [Period.parse("2023-H1"), Period.parse("2022-H1")],
    [Period.parse("2023-9M"), Period.parse("2022-9M")],
    [Period.parse("2023-Q2")],
    [Period.parse("2022")],
    # free ranges: whole months from the summaries, the edge days from the records
    [Period.range(D(2023, 1, 15), D(2023, 8, 10)), Period.range(D(2022, 1, 15), D(2022, 8, 10))],
    [Period.range(D(2022, 3, 1), D(2023, 2, 14))],
    [Period.range(D(2022, 11, 20), D(2023, 4, 30)), Period.parse("2023-Q3")],
    [Period.range(D(2023, 3, 5), D(2023, 3, 20))],  # no whole month: the records
]

record = st.tuples(
    st.integers(0, 99),  # unit
    st.integers(0, 2),  # type
    st.integers(0, len(MONTHS) - 1),
    st.integers(1, 28),
    st.one_of(st.none(), st.integers(0, 300)),  # attendance
    st.booleans(),  # subject
)
operation = st.one_of(
    st.tuples(st.just("add"), record),
    st.tuples(st.just("bulk"), st.lists(record, min_size=1, max_size=4)),
    st.tuples(st.just("edit"), st.integers(0, 99), record),
    st.tuples(st.just("mass_update"), st.integers(0, 2), st.one_of(st.none(), st.integers(0, 50))),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(
        st.just("case"),
        st.integers(0, 99),
        st.integers(0, len(MONTHS) - 1),
        st.sampled_from(["pending", "resolved", "failed", "withdrawn"]),
        st.integers(0, 120),
    ),
    st.tuples(st.just("close"), st.integers(0, 99), st.integers(0, 90)),
    st.tuples(st.just("delete_case"), st.integers(0, 99)),
    st.tuples(
        st.just("aggregate"),
        st.integers(0, 99),
        st.integers(0, 1),
        st.integers(0, 3),
        st.one_of(st.none(), st.integers(0, 1000)),
    ),
    st.tuples(st.just("lineage"), st.integers(0, 99), st.integers(0, 99), st.booleans()),
    st.tuples(st.just("approve"), st.integers(0, 99)),
    # the funds ledger: funds, entries (one statement for several), reversals, "classify"
    # annotations (several in one statement, the newest counts), a fund moved
    st.tuples(st.just("fund"), st.integers(0, 99), st.integers(0, 1)),
    st.tuples(
        st.just("entries"),
        st.integers(0, 99),
        st.lists(
            st.tuples(
                st.booleans(),  # receipt
                st.integers(0, len(MONTHS) - 1),
                st.integers(1, 28),
                st.integers(1, 9),  # amount (millions)
                st.integers(0, 2),  # purpose
                st.one_of(st.none(), st.integers(1, 5)),  # quantity
            ),
            min_size=1,
            max_size=4,
        ),
    ),
    st.tuples(st.just("reverse"), st.integers(0, 99), st.integers(0, len(MONTHS) - 1)),
    st.tuples(
        st.just("classify"), st.lists(st.tuples(st.integers(0, 99), st.integers(0, 2)), max_size=3)
    ),
    st.tuples(st.just("move_fund"), st.integers(0, 99), st.integers(0, 99), st.integers(0, 1)),
)
FUND_KINDS = ["poor", "sea_islands"]
PURPOSES = ["gifts", "medical", "unclassified"]
LEDGER_KEYS = [
    "funds.mobilised",
    "funds.mobilised(fund=poor)",
    "funds.spent",
    "funds.spent(purpose=gifts)",
    "funds.spent(purpose=medical,measure=quantity)",
    "funds.spent(measure=quantity)",
    "funds.spent(fund=sea_islands,measure=entries)",
    "funds.balance",
    "funds.balance(fund=poor)",
]
AGG_PERIODS = [
    (D(2023, 1, 1), D(2023, 3, 31)),
    (D(2023, 4, 1), D(2023, 6, 30)),
    (D(2022, 1, 1), D(2022, 12, 31)),
    (D(2023, 2, 1), D(2023, 2, 28)),
]


@pytest.fixture
def world(tree):
    """The 2023 tree and a 2025 map (province > wards) with some old units' lineage."""
    v2 = VersionFactory(code="v2025", valid_from=D(2025, 7, 1))
    province = make_unit("Thành phố mới", version=v2)
    new_wards = [make_unit(f"Phường mới {i}", province) for i in range(3)]
    new_area = make_unit("Tổ mới", new_wards[0])
    extra_ward = make_unit("Phường A3", tree["district_a"])
    old_units = [
        tree[k] for k in ("city", "district_a", "district_b", "ward_a1", "ward_a2", "ward_b1")
    ] + [tree["area_a1"], extra_ward]
    units = old_units + [province, *new_wards, new_area]
    types = list(ActivityType.objects.order_by("id")[:3])
    elements = [
        DataElement.objects.get_or_create(code=f"e{i}", defaults={"name": f"Chỉ tiêu {i}"})[0]
        for i in range(2)
    ]
    viewer = UserFactory(username="viewer_mixed")
    grant(viewer, tree["ward_a1"])  # one old ward
    grant(viewer, tree["district_b"])  # one old district
    grant(viewer, new_wards[1])  # one new ward
    admin = UserFactory(username="admin_all", is_superuser=True)
    for i, unit in enumerate((tree["ward_a1"], tree["district_b"], new_wards[0])):
        Fund.objects.create(
            unit=unit, name=f"Quỹ {i}", kind=FUND_KINDS[i % 2], opened_on=D(2022, 1, 1)
        )
    return {
        "units": units,
        "old": old_units,
        "new": [province, *new_wards, new_area],
        "types": types,
        "elements": elements,
        "viewer": viewer,
        "admin": admin,
        "v1": tree["city"].version,
        "v2": v2,
        "tree": tree,
    }


def _record(w, spec):
    u, ti, mi, day, attendance, subject = spec
    unit = w["units"][u % len(w["units"])]
    return ActivityRecord(
        unit=unit,
        unit_path=unit.path,
        type=w["types"][ti],
        date=MONTHS[mi].replace(day=day),
        title="Hoạt động",
        attendance=attendance,
        subject="Đề án" if subject else "",
    )


def _apply(w, op):
    kind = op[0]
    records = list(ActivityRecord.objects.order_by("id"))
    cases = list(MediationCase.objects.order_by("id"))
    if kind == "add":
        _record(w, op[1]).save()
    elif kind == "bulk":
        ActivityRecord.objects.bulk_create([_record(w, spec) for spec in op[1]])
    elif kind == "edit" and records:
        rec = records[op[1] % len(records)]
        new = _record(w, op[2])
        for f in ("unit", "unit_path", "type", "date", "attendance", "subject"):
            setattr(rec, f, getattr(new, f))
        rec.save()
    elif kind == "mass_update":
        ActivityRecord.objects.filter(type=w["types"][op[1]]).update(attendance=op[2])
    elif kind == "delete" and records:
        records[op[1] % len(records)].delete()
    elif kind == "case":
        _, u, mi, outcome, days = op
        unit = w["units"][u % len(w["units"])]
        received = MONTHS[mi] + dt.timedelta(days=days % 28)
        MediationCase.objects.create(
            unit=unit,
            unit_path=unit.path,
            received_on=received,
            title="Vụ việc",
            outcome=outcome,
            closed_on=None if outcome == "pending" else received + dt.timedelta(days=days),
        )
    elif kind == "close" and cases:
        case = cases[op[1] % len(cases)]
        if case.closed_on is None:
            case.outcome, case.closed_on = "resolved", case.received_on + dt.timedelta(op[2])
        else:
            case.outcome, case.closed_on = "pending", None  # reopened
        case.save()
    elif kind == "delete_case" and cases:
        cases[op[1] % len(cases)].delete()
    elif kind == "aggregate":
        _, u, ei, pi, value = op
        unit = w["units"][u % len(w["units"])]
        start, end = AGG_PERIODS[pi]
        key = {"unit": unit, "element": w["elements"][ei], "period_start": start}
        if value is None:
            AggregateEntry.objects.filter(**key).delete()
        else:
            AggregateEntry.objects.update_or_create(
                **key, defaults={"unit_path": unit.path, "period_end": end, "value": value}
            )
    elif kind == "lineage":
        _, a, b, whole = op
        old = w["old"][a % len(w["old"])]
        new = w["new"][b % len(w["new"])]
        if not Lineage.objects.filter(from_unit=old, to_unit=new).exists():
            Lineage.objects.create(from_unit=old, to_unit=new, kind="whole" if whole else "part")
    elif kind in ("fund", "entries", "reverse", "classify", "move_fund"):
        _apply_ledger(w, op)
    elif kind == "approve":
        # an approval stores the figures the engine gives (read from the summaries)
        from mattran.reports.services import submission_approve, submission_submit

        unit = w["old"][op[1] % 4]
        period = Period.parse("2023-H1")
        if not Submission.objects.filter(unit=unit, period_start=period.start).exists():
            try:
                sub = submission_submit(actor=w["admin"], unit=unit, period=period)
            except UserFacingError as exc:  # random figures may break a report rule
                assert "báo cáo còn lỗi" in str(exc)
                return
            sub = submission_approve(actor=w["admin"], submission=sub)
            assert sub.status == SubmissionStatus.APPROVED and sub.figures


def _apply_ledger(w, op):
    kind = op[0]
    funds = list(Fund.objects.order_by("id"))
    entries = list(LedgerEntry.objects.order_by("id"))
    if kind == "fund":
        unit = w["units"][op[1] % len(w["units"])]
        Fund.objects.create(
            unit=unit, name=f"Quỹ mới {len(funds)}", kind=FUND_KINDS[op[2]], opened_on=D(2022, 1, 1)
        )
    elif kind == "entries" and funds:
        fund = funds[op[1] % len(funds)]
        rows = []
        for receipt, mi, day, millions, pi, quantity in op[2]:
            rows.append(
                LedgerEntry(
                    fund=fund,
                    kind="receipt" if receipt else "disbursement",
                    sign=1 if receipt else -1,
                    amount=millions * 1_000_000,
                    booked_on=MONTHS[mi].replace(day=day),
                    purpose="" if receipt else PURPOSES[pi],
                    quantity=None if receipt else quantity,
                )
            )
        LedgerEntry.objects.bulk_create(rows)  # one statement
    elif kind == "reverse" and entries:
        entry = entries[op[1] % len(entries)]
        if entry.kind != "reversal" and not LedgerEntry.objects.filter(reverses=entry).exists():
            LedgerEntry.objects.create(
                fund=entry.fund,
                kind="reversal",
                sign=-entry.sign,
                amount=entry.amount,
                booked_on=max(entry.booked_on, MONTHS[op[2]]),
                reverses=entry,
            )
    elif kind == "classify" and entries:
        paid = [e for e in entries if e.kind == "disbursement"]
        notes = [
            LedgerAnnotation(entry=paid[i % len(paid)], kind="classify", purpose=PURPOSES[pi])
            for i, pi in op[1]
            if paid
        ]
        LedgerAnnotation.objects.bulk_create(notes)  # one statement, maybe one entry twice
    elif kind == "move_fund" and funds:
        fund = funds[op[1] % len(funds)]
        unit = w["units"][op[2] % len(w["units"])]
        Fund.objects.filter(pk=fund.pk).update(unit=unit, kind=FUND_KINDS[op[3]])


def _same_ledger(w, scope, user, periods):
    got = figures_compute(user=user, scope=scope, periods=periods, keys=LEDGER_KEYS)
    with raw_rollup():
        want = figures_compute(user=user, scope=scope, periods=periods, keys=LEDGER_KEYS)
    for k in LEDGER_KEYS:
        assert got[k].cells == want[k].cells, (scope, user, periods, k)
        assert got[k].totals == want[k].totals, (scope, user, periods, k)


def _same(a, b) -> bool:
    return (
        a.activity == b.activity
        and a.mediation == b.mediation
        and a.aggregate == b.aggregate
        and dict(a.split) == dict(b.split)
    )


def _scopes(w):
    tree, new = w["tree"], w["new"]
    return [
        scope_build(unit=None, version=w["v1"]),
        scope_build(unit=None, version=w["v2"]),
        scope_build(unit=tree["city"]),
        scope_build(unit=tree["district_a"]),
        scope_build(unit=tree["ward_a1"]),
        scope_build(unit=new[0]),
        scope_build(unit=new[1]),
        scope_build(unit=new[2]),
        scope_peers([tree["ward_a1"], tree["ward_a2"], tree["ward_b1"]]),
        scope_peers(new[1:4]),
    ]


@pytest.mark.timeout(900)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=14))
def test_after_any_writes_the_summaries_equal_a_recomputation(world, ops):
    with transaction.atomic():
        for op in ops:
            with transaction.atomic():
                _apply(world, op)
        checks = summaries_verify()
        assert all(c.ok for c in checks), [(c.label, c.samples) for c in checks if not c.ok]
        for scope in _scopes(world):
            lmap = lineage_map_build(scope.version)
            for user in (None, world["viewer"]):
                for periods in PERIODS:
                    a = rollup(user=user, scope=scope, periods=periods, lmap=lmap)
                    b = rollup_raw(user=user, scope=scope, periods=periods, lmap=lmap)
                    assert _same(a, b), (scope, user, periods, a, b)
                for periods in PERIODS[:4]:  # whole months: the ledger summary
                    _same_ledger(world, scope, user, periods)
        transaction.set_rollback(True)


def test_reports_read_from_summaries_equal_the_raw_rollup(world, demo_free_report_keys):
    """The whole engine (every record family, entered totals) both ways, at each level."""
    w = world
    specs = [(u, t, m, 5, 10 + u, u % 2 == 0) for u in range(14) for t in range(3) for m in (3, 20)]
    ActivityRecord.objects.bulk_create([_record(w, spec) for spec in specs])
    old, new = w["old"], w["new"]
    Lineage.objects.create(from_unit=old[3], to_unit=new[1], kind="whole")  # ward A1
    Lineage.objects.create(from_unit=old[4], to_unit=new[2], kind="part")  # ward A2, split
    Lineage.objects.create(from_unit=old[4], to_unit=new[3], kind="part")
    keys = demo_free_report_keys
    free = Period.range(D(2023, 1, 10), D(2023, 9, 20))
    for periods in (
        [Period.parse("2023-9M"), Period.parse("2022-9M")],
        [free, free.previous_year()],  # whole months from the summaries, edges from records
    ):
        for scope in _scopes(w):
            got = figures_compute(user=w["viewer"], scope=scope, periods=periods, keys=keys)
            with raw_rollup():
                want = figures_compute(user=w["viewer"], scope=scope, periods=periods, keys=keys)
            for k in keys:
                assert got[k].cells == want[k].cells, (periods, k)
                assert got[k].totals == want[k].totals, (periods, k)


@pytest.fixture
def demo_free_report_keys(world):
    codes = [t.code for t in world["types"]]
    keys = []
    for family in ("count", "attendance", "missing_attendance", "missing_subject"):
        keys.append(f"activities.{family}(types={codes[0]})")
        keys.append(f"activities.{family}(types={'|'.join(sorted(codes[:2]))})")
    keys += [f"mediation.{m}" for m in ("received", "resolved", "failed", "open", "rate")]
    keys += [f"aggregates.value(element={e.code})" for e in world["elements"]]
    return keys


def test_the_summary_read_costs_one_query_whatever_the_scope(world):
    w = world
    for spec in [(u, 0, 15, 5, 1, False) for u in range(14)]:
        _record(w, spec).save()
    periods = [Period.parse("2023-9M"), Period.parse("2022-9M")]
    from django.test.utils import CaptureQueriesContext

    for scope in _scopes(w):
        lmap = lineage_map_build(scope.version)
        with CaptureQueriesContext(connection) as ctx:
            rollup_summary(user=None, scope=scope, periods=periods, lmap=lmap)
        assert len(ctx.captured_queries) == 1
        # whole quarters: the activities come from the quarterly table
        sql = ctx.captured_queries[0]["sql"]
        assert "figures_activityquartersummary" in sql and "figures_activitysummary" not in sql


def test_the_ledger_summary_counts_reversals_and_classifications_as_the_ledger_does(world):
    """A reversal counts under the kind, classified purpose and quantity of the entry it
    reverses, negated; a later "classify" annotation moves the entry and its reversal; a
    fund given to another unit takes its entries along: the summary read gives what the
    raw statement gives, at every scope, for the system and a user with partial access."""
    w = world
    fund = Fund.objects.get(name="Quỹ 0")  # ward A1, poor
    ward = w["tree"]["ward_a1"]

    def paid(amount, day, purpose, quantity):
        return LedgerEntry(
            fund=fund,
            kind="disbursement",
            sign=-1,
            amount=amount,
            booked_on=day,
            purpose=purpose,
            quantity=quantity,
        )

    a, b, c = LedgerEntry.objects.bulk_create(
        [
            paid(3_000_000, D(2023, 2, 3), "unclassified", 3),
            paid(5_000_000, D(2023, 2, 9), "gifts", 10),
            LedgerEntry(
                fund=fund, kind="receipt", sign=1, amount=9_000_000, booked_on=D(2023, 1, 9)
            ),
        ]
    )
    LedgerEntry.objects.create(
        fund=fund, kind="reversal", sign=1, amount=3_000_000, booked_on=D(2023, 3, 1), reverses=a
    )
    # two annotations of one entry in one statement: the newest counts
    LedgerAnnotation.objects.bulk_create(
        [
            LedgerAnnotation(entry=a, kind="classify", purpose="gifts"),
            LedgerAnnotation(entry=a, kind="classify", purpose="medical"),
        ]
    )
    h1 = [Period.parse("2023-H1")]
    keys = [
        "funds.spent(purpose=medical)",
        "funds.spent(purpose=medical,measure=quantity)",
        "funds.spent(purpose=medical,measure=entries)",
        "funds.spent(purpose=gifts,measure=quantity)",
        "funds.spent(purpose=unclassified)",
        "funds.mobilised",
        "funds.balance",
    ]
    got = figures_compute(user=None, scope=scope_build(unit=ward), periods=h1, keys=keys)
    # booked and reversed within the half-year: medical 3 M − 3 M, 3 − 3 houses, 1 − 1 entries
    assert [got[k].totals[0] for k in keys] == [0, 0, 0, 10, 0, 9_000_000, 4_000_000]
    assert summaries_verify()[-1].ok
    city = scope_build(unit=w["tree"]["city"])
    for scope in [city, scope_build(unit=ward), *_scopes(w)]:
        for user in (None, w["viewer"]):
            _same_ledger(w, scope, user, h1)
            _same_ledger(w, scope, user, [Period.parse("2023-Q1"), Period.parse("2022-Q1")])
    # the fund moves to district B (outside ward A1): its entries go with it
    Fund.objects.filter(pk=fund.pk).update(unit=w["tree"]["district_b"])
    got = figures_compute(user=None, scope=scope_build(unit=ward), periods=h1, keys=keys)
    assert got["funds.mobilised"].totals[0] is None
    got = figures_compute(user=None, scope=city, periods=h1, keys=keys)
    assert got["funds.mobilised"].cells[(0, str(w["tree"]["district_b"].pk))] == 9_000_000
    assert all(c.ok for c in summaries_verify())
    for scope in [city, *_scopes(w)]:
        _same_ledger(w, scope, w["viewer"], h1)


def test_a_statement_import_and_a_classification_keep_the_ledger_summaries(tree, tmp_path):
    """The set-based statement import (COPY into a stage, then INSERT … SELECT) and the
    "classify" service move the summaries in their own transactions."""
    from mattran.access.models import Role
    from mattran.funds import importing
    from mattran.funds import services as funds
    from tests.factories import UserFactory, grant

    editor = UserFactory(username="thu_quy_nhap")
    grant(editor, tree["district_a"], Role.EDITOR)
    fund = funds.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ cứu trợ",
        kind="relief",
        opened_on=D(2024, 9, 1),
    )
    account = funds.fund_account_create(
        actor=editor,
        fund=fund,
        kind="bank",
        bank_name="Vietcombank",
        account_number="0011001932418",
    )
    path = tmp_path / "q.csv"
    path.write_text(
        "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
        "01/09/2024,1,,200.000,,ung ho dong bao lu lut\n"
        "02/10/2024,2,,300.000,,ung ho mien bac\n"
        "01/09/2024,3,5.500,,,Phi dich vu SMS\n"
        "03/10/2024,4,100.000,,,Chi ho tro ba con\n",
        encoding="utf-8",
    )
    importing.statement_import_run(
        actor=editor, account=account, path=path, file_name="q.csv", layout_code="vcb"
    )
    keys = ["funds.mobilised", "funds.spent(purpose=relief)", "funds.spent(purpose=unclassified)"]
    periods = [Period.parse("2024-Q3"), Period.parse("2024-Q4")]
    scope = scope_build(unit=tree["city"])

    def totals():
        got = figures_compute(user=None, scope=scope, periods=periods, keys=keys)
        with raw_rollup():
            want = figures_compute(user=None, scope=scope, periods=periods, keys=keys)
        assert all(got[k].cells == want[k].cells for k in keys)
        assert all(c.ok for c in summaries_verify())
        return [[got[k].totals[0], got[k].totals[1]] for k in keys]

    assert totals() == [[200_000, 300_000], [0, 0], [0, 100_000]]
    payout = LedgerEntry.objects.get(fund=fund, purpose="unclassified")
    funds.entry_classify(actor=editor, entry=payout, purpose="relief")
    assert totals() == [[200_000, 300_000], [0, 100_000], [0, 0]]
