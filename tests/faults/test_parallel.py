"""Writers in parallel, each on its own database connection (threads) or its own
process: money never overdraws a fund, no write is lost or doubled, and an
approval racing with edits of the same period ends in one consistent state.

On PostgreSQL the fund row lock and the report advisory locks serialise what
must be serialised; on SQLite the BEGIN IMMEDIATE write transaction does.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, F, Sum

from mattran.access.models import Role
from mattran.activities import services as act
from mattran.activities.models import ActivityRecord, ActivityType
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.funds import services
from mattran.funds.models import EntryKind, Fund, FundKind, LedgerEntry, Transfer
from mattran.reports import locks
from mattran.reports import services as report_services
from mattran.reports.models import Submission, SubmissionStatus
from mattran.reports.selectors import report_build
from tests.deploy.helpers import REPO, base_env
from tests.factories import UserFactory, grant, make_unit
from tests.faults.helpers import database_url, run_parallel
from tests.faults.race_worker import run_ops

pytestmark = pytest.mark.django_db(transaction=True)

OPENING = 1_000_000


@pytest.fixture
def two_funds():
    city = make_unit("Thành phố Hà Nội", code="01")
    district = make_unit("Quận Đống Đa", city, code="006")
    funds = []
    for unit in (city, district):
        fund = services.fund_create(
            actor=None,
            unit=unit,
            name=f"Quỹ Vì người nghèo {unit.name}",
            kind=FundKind.POOR,
            opened_on=dt.date(2023, 1, 1),
        )
        services.receipt_create(
            actor=None, fund=fund, amount=OPENING, booked_on=dt.date(2023, 2, 28)
        )
        funds.append(fund)
    return funds


def check_ledger(funds: list[Fund], outcomes: list[tuple]) -> Counter:
    """Every invariant of the books after a race; returns the outcome counts."""
    errors = [o for o in outcomes if o[0] == "error"]
    assert not errors, errors[:5]
    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert ok and refused  # the race had both (else it tested nothing)
    for o in refused:
        assert o[4].startswith("Không đủ số dư") or o[4] in (
            "nothing pending",
            "Khoản chuyển này đã được xác nhận.",
        ), o
    ids = {f.pk for f in funds}

    for fund in funds:
        entries = LedgerEntry.objects.filter(fund=fund)
        # Never overdrawn: the balance at the end of every day is >= 0.
        running = 0
        for day, total in (
            entries.values_list("booked_on")
            .annotate(s=Sum(F("amount") * F("sign")))
            .order_by("booked_on")
        ):
            running += total
            assert running >= 0, f"{fund.name} overdrawn on {day}: {running}"
        # Nothing lost or doubled: each entry kind counts and sums to the successes.
        mine = [o for o in ok if o[2] == fund.pk]
        expected = Counter()
        amounts = Counter()
        for _, kind, _, amount, _ in mine:
            k = {
                "disbursement": EntryKind.DISBURSEMENT,
                "transfer": EntryKind.TRANSFER_OUT,
                "receipt": EntryKind.RECEIPT,
                "confirm": EntryKind.TRANSFER_IN,
            }[kind]
            expected[k] += 1
            amounts[k] += amount
        expected[EntryKind.RECEIPT] += 1  # the opening receipt
        amounts[EntryKind.RECEIPT] += OPENING
        got = Counter(dict(entries.values_list("kind").annotate(n=Count("id"))))
        got_amounts = Counter(dict(entries.values_list("kind").annotate(s=Sum("amount"))))
        assert got == expected, (fund.name, got, expected)
        assert got_amounts == amounts, (fund.name, got_amounts, amounts)
        # Voucher numbers: one continuous series per kind of voucher, no gap, no repeat.
        for series in ("PT", "PC"):
            numbers = list(
                entries.filter(voucher_series=series)
                .order_by("voucher_number")
                .values_list("voucher_number", flat=True)
            )
            assert numbers == list(range(1, len(numbers) + 1)), (fund.name, series, numbers)

    # Each transfer is received at most once, and exactly when its confirmation succeeded.
    transfers = Transfer.objects.filter(from_fund_id__in=ids)
    assert transfers.count() == sum(1 for o in ok if o[1] == "transfer")
    received = Counter(
        LedgerEntry.objects.filter(kind=EntryKind.TRANSFER_IN).values_list("transfer_id", flat=True)
    )
    assert all(n == 1 for n in received.values())
    assert transfers.filter(status="confirmed").count() == sum(1 for o in ok if o[1] == "confirm")
    # And each success wrote its audit event, each refusal none.
    audit = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert audit["ledger.disbursement"] == sum(1 for o in ok if o[1] == "disbursement")
    assert audit["transfer.send"] == audit["ledger.transfer_out"] == len(transfers)
    assert audit["transfer.confirm"] == audit["ledger.transfer_in"] == len(received)
    return Counter((o[0], o[1]) for o in outcomes)


def test_mixed_disbursements_and_transfers_from_threads(two_funds):
    """Twelve connections take 150.000 đ out of one fund at the same moment,
    half as disbursements and half as transfers: exactly six fit."""
    fund, other = two_funds

    def take(i):
        if i % 2:
            services.transfer_send(
                actor=None,
                from_fund=fund,
                to_fund=other,
                amount=150_000,
                sent_on=dt.date(2023, 3, 1),
                purpose_text=f"Chuyển {i}",
            )
            return "transfer"
        services.disbursement_create(
            actor=None,
            fund=fund,
            amount=150_000,
            booked_on=dt.date(2023, 3, 1),
            purpose="gifts",
            memo=f"Quà {i}",
        )
        return "disbursement"

    results = run_parallel(take, 12)
    ok = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, UserFacingError)]
    assert len(ok) == 6 and len(refused) == 6, results
    assert all("Không đủ số dư" in r.message for r in refused)
    balance = LedgerEntry.objects.filter(fund=fund).aggregate(s=Sum(F("amount") * F("sign")))
    assert balance["s"] == OPENING - 6 * 150_000
    numbers = sorted(
        LedgerEntry.objects.filter(fund=fund, voucher_series="PC").values_list(
            "voucher_number", flat=True
        )
    )
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert Transfer.objects.filter(from_fund=fund).count() == ok.count("transfer")


def test_random_money_operations_from_threads(two_funds):
    outcomes = [
        o
        for batch in run_parallel(lambda i: run_ops(tuple(f.pk for f in two_funds), i, 40), 8)
        for o in (batch if isinstance(batch, list) else [("error", "thread", 0, 0, repr(batch))])
    ]
    counts = check_ledger(two_funds, outcomes)
    assert sum(counts.values()) == 8 * 40


def test_random_money_operations_from_processes(two_funds, settings):
    """Six separate Python processes (own interpreter, own connection) race on
    the same two funds."""
    processes, n = 6, 40
    # SQLite serialises the six writers on one file lock; on a loaded machine a writer
    # can wait longer than the default 20 s for its turn. The test is about the books,
    # not about SQLite's lock wait, so the processes wait as long as it takes.
    env = base_env(
        settings.DATA_DIR, MATTRAN_DATABASE_URL=database_url(), MATTRAN_SQLITE_TIMEOUT="300"
    )
    start = time.time() + 4  # all processes start their operations at this moment
    fund_ids = [str(f.pk) for f in two_funds]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.race_worker",
                *fund_ids,
                str(seed),
                str(n),
                str(start),
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(100, 100 + processes)
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        outcomes += [tuple(o) for o in json.loads(out.strip().splitlines()[-1])]
    counts = check_ledger(two_funds, outcomes)
    assert sum(counts.values()) == processes * n


# ------------------------------------------------------------ approval vs edit

Q1 = Period.parse("2023-Q1")
WINDOW = 0.4  # seconds an edit or an approval lingers inside its transaction


@pytest.fixture
def ward_report():
    district = make_unit("Quận Thanh Xuân", code="009")
    ward = make_unit("Phường Khương Mai", district, code="00352")
    area = make_unit("Tổ dân phố 5", ward)
    editor, approver = UserFactory(username="capnhat"), UserFactory(username="pheduyet")
    grant(editor, ward, Role.EDITOR)
    grant(approver, district, Role.APPROVER)
    kind = ActivityType.objects.get(code="tuyen_truyen")
    records = [
        act.activity_record_create(
            actor=editor,
            unit=ward,
            type=kind,
            date=dt.date(2023, 2, 10 + i),
            title=f"Tuyên truyền {i}",
            attendance=100,
        )
        for i in range(4)
    ]
    sub = report_services.submission_submit(actor=editor, unit=ward, period=Q1)
    return {
        "ward": ward,
        "area": area,
        "editor": editor,
        "approver": approver,
        "records": records,
        "sub": sub,
    }


def _edit(w, i):
    """A new activity in the period, at a residential area of the ward (no row of
    the ward or its report is touched: only the lock check stands in the way)."""
    act.activity_record_create(
        actor=w["editor"],
        unit=w["area"],
        type=ActivityType.objects.get(code="tuyen_truyen"),
        date=dt.date(2023, 3, 1),
        title=f"Tuyên truyền ở tổ dân phố {i}",
        attendance=7,
    )
    return "edited"


def _race(w, monkeypatch, *, approval_first: bool, edits: int):
    """One approval and `edits` edits of the same period; whichever goes first is
    held inside its transaction for WINDOW seconds so the other side runs into it."""
    held = threading.Event()  # the approval holds its lock (approval_first)
    if approval_first:
        original_lock = locks.lock_for_approval

        def slow_approval(unit):
            original_lock(unit)
            held.set()
            time.sleep(WINDOW)  # holding the approval lock, before the figures are stored

        monkeypatch.setattr(locks, "lock_for_approval", slow_approval)
    else:
        original_check = locks.ensure_unlocked

        def slow_edit(**kw):
            original_check(**kw)
            time.sleep(WINDOW)  # checked "not locked", not yet committed

        monkeypatch.setattr(locks, "ensure_unlocked", slow_edit)

    def actor(i):
        if i == 0:
            time.sleep(0 if approval_first else WINDOW / 4)
            report_services.submission_approve(actor=w["approver"], submission=w["sub"])
            return "approved"
        if approval_first:
            # The approval builds its report before it takes its lock: the edits
            # start once it holds it.
            assert held.wait(timeout=30)
            time.sleep(WINDOW / 4)
        return _edit(w, i - 1)

    return run_parallel(actor, 1 + edits)


def _consistent(w) -> Submission:
    sub = Submission.objects.get(pk=w["sub"].pk)
    assert sub.status == SubmissionStatus.APPROVED
    now = report_build(user=None, unit=w["ward"], period=Q1).as_dict(live=True)
    # The approved figures are the data as it is: no edit landed unseen after approval.
    assert sub.figures == now
    return sub


def test_edits_in_flight_when_approval_starts_are_in_the_approved_figures(ward_report, monkeypatch):
    results = _race(ward_report, monkeypatch, approval_first=False, edits=1)
    assert results == ["approved", "edited"], results
    sub = _consistent(ward_report)
    assert sub.figures["figures"]["tuyen_truyen_luot"]["value"] == 400 + 7
    approved_at = AuditEvent.objects.get(action="submission.approve").pk
    edits = AuditEvent.objects.filter(
        action="activity.create", unit=ward_report["area"]
    ).values_list("pk", flat=True)
    assert max(edits) < approved_at  # every edit committed before the approval


def test_edits_started_during_approval_are_refused(ward_report, monkeypatch):
    results = _race(ward_report, monkeypatch, approval_first=True, edits=4)
    assert results[0] == "approved"
    refused = results[1:]
    assert all(isinstance(r, UserFacingError) for r in refused), results
    assert all("đã được phê duyệt và khóa" in r.message for r in refused)
    sub = _consistent(ward_report)
    assert sub.figures["figures"]["tuyen_truyen_luot"]["value"] == 400
    assert not AuditEvent.objects.filter(
        action="activity.create", unit=ward_report["area"]
    ).exists()


def test_a_ledger_write_in_flight_when_the_approval_builds_is_in_the_approved_figures(
    ward_report, monkeypatch
):
    """A writer that takes no lock of the unit (the ledger) allocates its audit event's
    id, a later edit commits a higher id, the approval builds its report (the ledger
    write is not yet visible), then the ledger write commits before the approval takes
    its lock: the money must be in the approved figures, as if the approval had
    computed them under its lock. (An approval that trusted "no audit event above the
    highest id it saw" kept figures without it.)"""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has one writer at a time: an audit id allocated by a transaction "
            "in flight is above every committed one (reports/services.py)"
        )
    w = ward_report
    fund = services.fund_create(
        actor=None,
        unit=w["ward"],
        name="Quỹ Vì biển, đảo phường Khương Mai",
        kind=FundKind.SEA_ISLANDS,
        opened_on=dt.date(2023, 1, 1),
    )
    allocated, commit = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def ledger_write():
        try:
            with transaction.atomic():
                services.receipt_create(
                    actor=None, fund=fund, amount=1_500_000, booked_on=dt.date(2023, 3, 1)
                )
                allocated.set()
                assert commit.wait(timeout=60)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    writer = threading.Thread(target=ledger_write)
    writer.start()
    assert allocated.wait(timeout=60), failures
    _edit(w, 0)  # commits an audit event above the ledger write's

    prepare = report_services._approval_figures

    def prepare_then_the_ledger_write_commits(actor, sub):
        prepared = prepare(actor, sub)
        commit.set()
        writer.join(timeout=60)
        return prepared

    monkeypatch.setattr(report_services, "_approval_figures", prepare_then_the_ledger_write_commits)
    sub = report_services.submission_approve(actor=w["approver"], submission=w["sub"])
    assert not writer.is_alive() and not failures, failures
    receipt = AuditEvent.objects.get(action="ledger.receipt", unit=w["ward"]).pk
    edit = AuditEvent.objects.get(action="activity.create", unit=w["area"]).pk
    assert receipt < edit  # the case: an id below the highest committed one, unseen
    money = sub.figures["figures"]["quy_bien_dao_van_dong"]
    assert money["value"] == 1_500_000, money
    assert sub.figures["figures"]["tuyen_truyen_luot"]["value"] == 400 + 7
    _consistent(w)


def test_approval_and_edits_at_random_moments_always_agree(ward_report, monkeypatch):
    """No held windows: the approval and twelve edits (new records, changed records)
    at the same moment, five rounds."""
    w = ward_report
    for round_ in range(5):
        sub = Submission.objects.get(pk=w["sub"].pk)
        if sub.status == SubmissionStatus.APPROVED:
            report_services.submission_reopen(
                actor=w["approver"], submission=sub, reason=f"Vòng {round_}"
            )
            report_services.submission_submit(actor=w["editor"], unit=w["ward"], period=Q1)

        def actor(i, round_=round_):
            if i == 0:
                return report_services.submission_approve(
                    actor=w["approver"], submission=w["sub"]
                ).status
            if i % 2:
                return _edit(w, i)
            record = ActivityRecord.objects.get(pk=w["records"][i % 4].pk)
            act.activity_record_update(
                actor=w["editor"],
                record=record,
                type=record.type,
                date=record.date,
                title=record.title,
                attendance=1000 * (round_ + 1) + i,  # unique per edit
            )
            return "edited"

        results = run_parallel(actor, 13)
        assert results[0] == SubmissionStatus.APPROVED, results
        for r in results[1:]:
            assert r == "edited" or (
                isinstance(r, UserFacingError) and "đã được phê duyệt và khóa" in r.message
            ), r
        _consistent(w)
    # No lost write: each record holds the value of its last audited (accepted) edit.
    last = {}
    for pk, after in (
        AuditEvent.objects.filter(action="activity.update")
        .order_by("pk")
        .values_list("object_id", "after")
    ):
        last[int(pk)] = after["attendance"]
    assert last, "no edit was ever accepted"
    for record in ActivityRecord.objects.filter(unit=w["ward"]):
        assert record.attendance == last.get(record.pk, 100)
