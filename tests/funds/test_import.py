"""Statement import into a fund: VCB/Agribank/VietinBank samples, dedup, reconciliation, queue."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from mattran.core.errors import UserFacingError
from mattran.core.jobs import job_progress, job_start
from mattran.core.models import JobStatus
from mattran.funds import importing, selectors, services
from mattran.funds.jobs import STATEMENT_IMPORT
from mattran.funds.models import (
    AccountKind,
    EntryKind,
    FundKind,
    LedgerEntry,
    LineStatus,
    StatementLine,
)
from tests.paths import STATEMENTS_DIR

STATEMENTS = STATEMENTS_DIR
VCB_FILE = STATEMENTS / "vcb-0011001932418-2024-09-01_part00.csv"
AGRIBANK_FILE = STATEMENTS / "agribank-1500201113838-2024-09-12_part005.csv"
VIETINBANK_FILE = STATEMENTS / "vietinbank-111602391111-2024-09-12_part006.csv"


@pytest.fixture
def relief(tree, editor):
    fund = services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ cứu trợ bão Yagi 2024",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2024, 9, 1),
    )
    return fund


def _account(fund, editor, bank, number):
    return services.fund_account_create(
        actor=editor, fund=fund, kind=AccountKind.BANK, bank_name=bank, account_number=number
    )


def _import(editor, account, path, layout, name=None):
    return importing.statement_import_run(
        actor=editor,
        account=account,
        path=path,
        file_name=name or Path(path).name,
        layout_code=layout,
    )


def test_vcb_sample_imports_with_8_reconciled_days_and_reimport_adds_nothing(relief, editor):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    imp = _import(editor, account, VCB_FILE, "vcb")
    assert imp.rows_read == 8008
    assert imp.lines_created == 8008 and imp.duplicates_skipped == 0
    counts = imp.reconciliation_counts()
    assert counts == {"reconciled": 8, "gap": 0, "unverifiable": 2}
    reconciled = [d["day"] for d in imp.reconciliation if d["status"] == "reconciled"]
    assert reconciled == [f"2024-09-{d:02d}" for d in range(2, 10)]
    # every line is booked at once: 8,007 credits as receipts, the one debit (a fee) as a payment
    assert imp.debits == 1 and imp.debits_amount == 55_000
    assert imp.receipts_created == 8007 and imp.receipts_amount == 9_783_779_052
    assert 0 < imp.queued < 8007  # receipts booked as "người ủng hộ chưa xác định"
    assert imp.receipts_created - imp.queued > 3000  # most VCB memos name the sender clearly
    receipts = LedgerEntry.objects.filter(fund=relief, kind=EntryKind.RECEIPT)
    assert receipts.count() == 8007
    assert receipts.filter(party_name="").count() == imp.queued
    opening = importing.statement_opening([_day(d) for d in imp.reconciliation])
    assert opening == LedgerEntry.objects.get(fund=relief, kind=EntryKind.OPENING).amount > 0
    assert selectors.fund_balance(fund=relief) == opening + 9_783_779_052 - 55_000
    # fund = bank: every day the statement prints a balance, the fund's closing equals it
    rec = selectors.account_reconciliation(account=account)
    assert rec.opening == opening and rec.first_difference is None
    assert rec.checked_days == 9 and len(rec.days) == 10
    assert all(d.difference == 0 for d in rec.days if d.bank_closing is not None)
    numbers = list(receipts.order_by("voucher_number").values_list("voucher_number", flat=True))
    assert numbers == list(range(1, 8008))
    assert not receipts.filter(statement_line__debit__gt=0).exists()
    fee = LedgerEntry.objects.get(fund=relief, kind=EntryKind.DISBURSEMENT)
    assert (fee.amount, fee.purpose, fee.voucher_code) == (55_000, "bank_fee", "PC-2024-0001")
    assert fee.statement_line.debit == 55_000 and "PHI DICH VU SMS" in fee.memo
    assert not StatementLine.objects.exclude(
        status__in=[LineStatus.RECEIPT, LineStatus.BOOKED_DEBIT]
    ).exists()

    again = _import(editor, account, VCB_FILE, "vcb", name="lan-2.csv")
    assert again.lines_created == 0 and again.receipts_created == 0
    assert again.duplicates_skipped == 8008
    assert LedgerEntry.objects.filter(fund=relief).count() == 8009  # and the opening balance


def _day(data):
    from mattran.funds.statement_formats import DayReconciliation

    return DayReconciliation(
        **{
            **{k: v for k, v in data.items() if k not in ("message", "missing_amount")},
            "day": dt.date.fromisoformat(data["day"]),
            "breaks": (),
        }
    )


def test_overlapping_file_and_genuine_identical_transfers(relief, editor, tmp_path):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    header = "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
    rows = [
        "01/09/2024,1,,100.000,,NGUYEN VAN AN chuyen tien ung ho\n",
        "01/09/2024,2,,50.000,,ung ho dong bao\n",
        "01/09/2024,2,,50.000,,ung ho dong bao\n",  # a genuine second identical transfer
    ]
    first = tmp_path / "a.csv"
    first.write_text(header + "".join(rows[:2]), encoding="utf-8")
    both = tmp_path / "b.csv"
    both.write_text(header + "".join(rows), encoding="utf-8")
    a = _import(editor, account, first, "vcb")
    assert (a.lines_created, a.receipts_created, a.queued) == (2, 2, 1)
    b = _import(editor, account, both, "vcb")
    assert (b.lines_created, b.duplicates_skipped) == (1, 2)
    assert StatementLine.objects.filter(account=account, credit=50_000).count() == 2


def test_agribank_and_vietinbank_samples(relief, editor):
    agri = _import(
        editor, _account(relief, editor, "Agribank", "1500201113838"), AGRIBANK_FILE, "agribank"
    )
    assert agri.rows_read == 2493 and agri.lines_created == 2493
    (day,) = agri.reconciliation
    assert day["status"] == "reconciled" and day["checked_balances"] == 2492
    vtb = _import(
        editor,
        _account(relief, editor, "VietinBank", "111602391111"),
        VIETINBANK_FILE,
        "vietinbank",
    )
    assert vtb.rows_read == 6474
    assert [d["status"] for d in vtb.reconciliation] == ["unverifiable"] * len(vtb.reconciliation)
    assert "không ghi số dư" in vtb.reconciliation[0]["message"]
    assert vtb.receipts_amount == 2_754_947_882 and vtb.debits == 0


def test_bad_file_writes_nothing(relief, editor, tmp_path):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = tmp_path / "bad.csv"
    text = VCB_FILE.read_text(encoding="utf-8-sig").splitlines()
    assert text[5000][2] == "/"
    text[5000] = "99" + text[5000][2:]
    path.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(UserFacingError) as caught:
        _import(editor, account, path, "vcb")
    assert caught.value.message == (
        "Dòng 5000, cột 'TNXDate': ngày '99/09/2024' không đúng định dạng dd/mm/yyyy"
    )
    assert not StatementLine.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_gap_reported_where_rows_are_missing(relief, editor, tmp_path):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = tmp_path / "gap.csv"
    with VCB_FILE.open(encoding="utf-8-sig", newline="") as src, path.open("w", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for number, row in enumerate(reader, start=1):
            if number != 20:  # drop one credit of 3 September
                writer.writerow(row)
    imp = _import(editor, account, path, "vcb")
    gaps = [d for d in imp.reconciliation if d["status"] == "gap"]
    assert len(gaps) == 1 and gaps[0]["day"] == "2024-09-03"
    # the fund misses the dropped credit: red from 3 September on, by that amount
    first = selectors.account_reconciliation(account=account).first_difference
    assert first.day == dt.date(2024, 9, 3) and first.difference == -gaps[0]["missing_amount"]
    assert "lệch" in gaps[0]["message"]


def test_custom_mapping_for_another_bank(relief, editor, tmp_path):
    account = _account(relief, editor, "ACB", "123456789")
    path = tmp_path / "acb.csv"
    path.write_text(
        "Ngày;Số tiền;Nội dung;Số dư\n"
        "02/09/2024;1 000 000;TRAN THI BINH chuyen tien ung ho;1 000 000\n"
        "02/09/2024;-20 000;Phi dich vu;980 000\n",
        encoding="utf-8",
    )
    mapping = {
        "date": "Ngày",
        "amount": "Số tiền",
        "memo": "Nội dung",
        "balance": "Số dư",
        "thousands_sep": " ",
        "delimiter": ";",
    }
    imp = importing.statement_import_run(
        actor=editor,
        account=account,
        path=path,
        file_name="acb.csv",
        layout_code="mapping",
        mapping=mapping,
    )
    assert (imp.receipts_created, imp.debits) == (1, 1)
    assert imp.reconciliation[0]["status"] == "reconciled"
    entry = LedgerEntry.objects.get(fund=relief, kind=EntryKind.RECEIPT)
    assert entry.party_name == "TRAN THI BINH" and entry.amount == 1_000_000
    assert selectors.fund_balance(fund=relief) == 980_000


def test_every_line_booked_and_later_annotated(relief, editor, tmp_path):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = tmp_path / "q.csv"
    path.write_text(
        "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
        "01/09/2024,1,,200.000,,ung ho dong bao lu lut\n"
        "01/09/2024,2,,300.000,,ung ho mien bac\n"
        "01/09/2024,3,5.500,,,Phi dich vu SMS\n"
        "01/09/2024,4,100.000,,,Chi ho tro ba con\n",
        encoding="utf-8",
    )
    imp = _import(editor, account, path, "vcb")
    assert (imp.receipts_created, imp.queued, imp.debits) == (2, 2, 2)
    # the fund moved exactly as the bank: +500.000 - 5.500 - 100.000
    assert selectors.fund_balance(fund=relief) == 394_500
    work = list(selectors.unidentified_receipts_visible(user=editor, fund=relief))
    assert [e.amount for e in work] == [200_000, 300_000]
    assert [
        e.amount
        for e in selectors.unidentified_receipts_visible(user=editor, fund=relief, query="Miền Bắc")
    ] == [300_000]
    note = services.entry_identify_donor(actor=editor, entry=work[0], donor_name=" Lê  Thị Hoà ")
    assert note.donor_name == "Lê Thị Hoà" and note.created_by == editor
    work[0].refresh_from_db()
    assert work[0].party_name == "" and work[0].amount == 200_000  # the entry is unchanged
    assert [
        e.amount for e in selectors.unidentified_receipts_visible(user=editor, fund=relief)
    ] == [300_000]
    book = selectors.with_annotations(LedgerEntry.objects.filter(pk=work[0].pk)).get()
    assert book.donor == "Lê Thị Hoà"
    # the bulk action needs the confirmation
    with pytest.raises(UserFacingError, match="xác nhận"):
        services.entries_identify_donor(
            actor=editor, fund=relief, entry_ids=[work[1].pk], donor_name="Cửa hàng A"
        )
    assert (
        services.entries_identify_donor(
            actor=editor,
            fund=relief,
            entry_ids=[work[1].pk],
            donor_name="Cửa hàng A",
            confirmed=True,
        )
        == 1
    )
    assert not selectors.unidentified_receipts_visible(user=editor, fund=relief).exists()
    fee, payout = LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT).order_by("id")
    assert (fee.purpose, payout.purpose) == ("bank_fee", "unclassified")
    assert list(selectors.unclassified_payments_visible(user=editor, fund=relief)) == [payout]
    with pytest.raises(UserFacingError, match="mục đích"):
        services.entry_classify(actor=editor, entry=payout, purpose="unclassified")
    services.entry_classify(actor=editor, entry=payout, purpose="relief")
    assert not selectors.unclassified_payments_visible(user=editor, fund=relief).exists()
    classified = selectors.with_annotations(LedgerEntry.objects.filter(pk=payout.pk)).get()
    assert classified.effective_purpose == "relief" and classified.purpose == "unclassified"
    assert selectors.fund_balance(fund=relief) == 394_500  # annotations never move money
    with pytest.raises(UserFacingError, match="khoản thu"):
        services.entry_identify_donor(actor=editor, entry=fee, donor_name="X Y")


def test_annotations_are_append_only(relief, editor, tmp_path):
    from django.db import DatabaseError, transaction

    from mattran.funds.models import LedgerAnnotation

    entry = services.receipt_create(
        actor=editor, fund=relief, amount=1000, booked_on=dt.date(2024, 9, 2)
    )
    note = services.entry_identify_donor(actor=editor, entry=entry, donor_name="An Bình")
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerAnnotation.objects.filter(pk=note.pk).update(donor_name="Khác")
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerAnnotation.objects.filter(pk=note.pk).delete()
    assert LedgerAnnotation.objects.get(pk=note.pk).donor_name == "An Bình"


def test_import_runs_as_a_job_with_progress(relief, editor):
    account = _account(relief, editor, "Agribank", "1500201113838")
    job = job_start(
        kind=STATEMENT_IMPORT,
        actor=editor,
        unit=relief.unit,
        params={
            "account_id": account.pk,
            "path": str(AGRIBANK_FILE),
            "file_name": AGRIBANK_FILE.name,
            "layout": "agribank",
        },
    )
    assert job.status == JobStatus.DONE, job.message
    assert job.result["rows_read"] == 2493 and job.result["reconciled_days"] == 1
    progress = job_progress(job)
    assert progress["percent"] == 100 and progress["done"] == 2493
    assert "Đã nhập 2493 dòng" in progress["message"]
    failed = job_start(
        kind=STATEMENT_IMPORT,
        actor=editor,
        unit=relief.unit,
        params={
            "account_id": account.pk,
            "path": str(VCB_FILE),
            "file_name": "x.csv",
            "layout": "agribank",
        },
    )
    assert failed.status == JobStatus.FAILED
    assert "không khớp mẫu sao kê" in failed.message and "TNXDate" in failed.message


def test_statement_import_needs_edit_permission(relief, tree):
    from mattran.access.models import Role
    from tests.factories import UserFactory, grant

    viewer = UserFactory()
    grant(viewer, tree["district_a"], Role.VIEWER)
    account = _account(relief, None, "Vietcombank", "0011001932418")
    with pytest.raises(UserFacingError, match="không có quyền"):
        _import(viewer, account, VCB_FILE, "vcb")


# ------------------------------------------------------------ streaming and COPY


def _vcb_copy(tmp_path, name, rows, *, copies=1, year=2024):
    """A VCB-layout file of the sample's first `rows` rows, `copies` times with memo suffixes."""
    text = VCB_FILE.read_text(encoding="utf-8-sig").splitlines()
    body = [
        line.replace("/2024,", f"/{year},", 1) + (f" #{c}" if c else "")
        for c in range(copies)
        for line in text[1 : rows + 1]
    ]
    path = tmp_path / name
    path.write_text("\n".join([text[0], *body]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 50 lines, staged 120 at a time: many COPY blocks and INSERT … SELECTs."""
    monkeypatch.setattr(importing, "CHUNK", 50)
    monkeypatch.setattr(importing, "STAGE_LINES", 120)


def test_error_after_rows_were_streamed_writes_nothing(relief, editor, tmp_path, small_chunks):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = _vcb_copy(tmp_path, "late-error.csv", 600)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[550] = lines[550].replace(",,", ",12a,", 1)  # a bad debit cell on row 550
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match="^Dòng 550, cột 'Debit'"):
        _import(editor, account, path, "vcb")
    assert not StatementLine.objects.exists()
    assert not LedgerEntry.objects.exists()
    # the connection is usable again and a good file imports in full
    good = _import(editor, account, _vcb_copy(tmp_path, "good.csv", 600), "vcb")
    assert good.lines_created == 600


def test_small_chunks_give_the_same_import(relief, editor, tmp_path, small_chunks, monkeypatch):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    imp = _import(editor, account, VCB_FILE, "vcb")
    assert (imp.rows_read, imp.lines_created, imp.debits) == (8008, 8008, 1)
    assert imp.reconciliation_counts() == {"reconciled": 8, "gap": 0, "unverifiable": 2}
    numbers = list(
        LedgerEntry.objects.filter(fund=relief, kind=EntryKind.RECEIPT)
        .order_by("statement_line__row_number")
        .values_list("voucher_number", flat=True)
    )
    assert numbers == list(range(1, imp.receipts_created + 1))  # in file order
    assert LedgerEntry.objects.get(kind=EntryKind.DISBURSEMENT).voucher_code == "PC-2024-0001"
    ids = list(StatementLine.objects.order_by("row_number").values_list("id", flat=True))
    assert ids == sorted(ids) and len(set(ids)) == 8008
    again = _import(editor, account, VCB_FILE, "vcb")
    assert (again.lines_created, again.duplicates_skipped) == (0, 8008)


def test_vouchers_continue_the_fund_series_per_year(relief, editor, tmp_path):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    services.receipt_create(
        actor=editor, fund=relief, amount=100_000, booked_on=dt.date(2024, 9, 1), party_name="A"
    )
    text = _vcb_copy(tmp_path, "a.csv", 30).read_text(encoding="utf-8").splitlines()
    later = _vcb_copy(tmp_path, "b.csv", 30, year=2025).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "two-years.csv"
    path.write_text("\n".join(text + later[1:] + text[1:4]) + "\n", encoding="utf-8")
    imp = _import(editor, account, path, "vcb")
    assert imp.duplicates_skipped == 0  # rows 1-3 again: identical lines, numbered ":2"
    rows = list(
        LedgerEntry.objects.filter(fund=relief, statement_line__isnull=False, kind="receipt")
        .order_by("statement_line__row_number")
        .values_list("voucher_year", "voucher_number")
    )
    per_year = {2024: [n for y, n in rows if y == 2024], 2025: [n for y, n in rows if y == 2025]}
    assert per_year[2024] == list(range(2, 2 + len(per_year[2024])))  # after PT-2024-0001
    assert per_year[2025] == list(range(1, 1 + len(per_year[2025])))
    entry = services.receipt_create(
        actor=editor, fund=relief, amount=1_000, booked_on=dt.date(2025, 1, 2), party_name="B"
    )
    assert entry.voucher_number == len(per_year[2025]) + 1  # the counter moved on


def test_overlapping_files_with_small_chunks(relief, editor, tmp_path, small_chunks):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    text = VCB_FILE.read_text(encoding="utf-8-sig").splitlines()
    first = tmp_path / "first.csv"
    first.write_text("\n".join(text[:400]) + "\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("\n".join([text[0], *text[300:700]]) + "\n", encoding="utf-8")
    a = _import(editor, account, first, "vcb")
    b = _import(editor, account, second, "vcb")
    assert (a.lines_created, b.lines_created, b.duplicates_skipped) == (399, 300, 100)
    whole = _import(editor, account, VCB_FILE, "vcb")
    assert (whole.lines_created, whole.duplicates_skipped) == (8008 - 699, 699)
    assert StatementLine.objects.filter(account=account).count() == 8008


def test_lookup_terms_written_by_the_triggers(relief, editor, approver, tmp_path):
    """PostgreSQL: each receipt's words (3+ characters), its adjacent word pairs and annotated
    names are lookup terms, whichever way the receipt was written."""
    from django.db import connection

    from mattran.funds.models import LookupTerm

    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = tmp_path / "s.csv"
    path.write_text(
        "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
        "01/09/2024,1,,200.000,,ung ho dong bao lu lut\n"
        "01/09/2024,3,5.500,,,Phi dich vu SMS\n",
        encoding="utf-8",
    )
    _import(editor, account, path, "vcb")
    hand = services.receipt_create(
        actor=editor, fund=relief, amount=1_000, booked_on=dt.date(2024, 9, 2), party_name="Lê Hoà"
    )
    if connection.vendor != "postgresql":
        assert not LookupTerm.objects.exists()  # SQLite searches the key with LIKE only
        return
    imported = LedgerEntry.objects.get(kind=EntryKind.RECEIPT, statement_line__isnull=False)

    def postings():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term, unnest(entry_ids), booked_on, n, cardinality(entry_ids) "
                "FROM funds_lookupterm"
            )
            rows = cursor.fetchall()
        assert all(n == size for *_, n, size in rows)  # n counts the ids
        return {row[:3] for row in rows}

    terms = postings()
    day = dt.date(2024, 9, 1)
    assert terms == {
        ("ung", imported.pk, day),
        ("dong", imported.pk, day),
        ("bao", imported.pk, day),
        ("lut", imported.pk, day),
        ("hoa", hand.pk, dt.date(2024, 9, 2)),
        # adjacent word pairs (migration 0013), short words included
        ("~ung ho", imported.pk, day),
        ("~ho dong", imported.pk, day),
        ("~dong bao", imported.pk, day),
        ("~bao lu", imported.pk, day),
        ("~lu lut", imported.pk, day),
        ("~le hoa", hand.pk, dt.date(2024, 9, 2)),
    }  # not the payment; "ho", "lu", "le": shorter than 3 characters
    services.entry_identify_donor(actor=editor, entry=imported, donor_name="Đỗ Văn Bảo")
    added = {(t, e) for t, e, _ in postings()} - {(t, e) for t, e, _ in terms}
    # "bao" was already a term of the entry
    assert added == {("van", imported.pk), ("~do van", imported.pk), ("~van bao", imported.pk)}
    before = postings()
    services.entry_reverse(actor=approver, entry=hand, reason="nhập nhầm")
    assert postings() == before  # a reversal is no receipt: nothing to find it by
    # a number (masked or a trace number) is in no pair: "ct 123 tu" gives no "~ct tu"
    services.receipt_create(
        actor=editor,
        fund=relief,
        amount=2_000,
        booked_on=dt.date(2024, 9, 3),
        party_name="Ct 123 Tu Hoa Binh",
    )
    pairs = {t for t, *_ in postings() if t.startswith("~")} - {t for t, *_ in before}
    assert pairs == {"~tu hoa", "~hoa binh"}


def test_import_postings_equal_the_triggers_postings(relief, editor, small_chunks):
    """PostgreSQL: the import writes its receipts' postings from its stage (the ledger's
    trigger skips its inserts); they are exactly what the trigger's term function gives
    (words and adjacent word pairs)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("posting lists are PostgreSQL's")
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    imp = _import(editor, account, VCB_FILE, "vcb")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, booked_on, n, entry_ids FROM funds_lookupterm WHERE entry_ids[1] "
            "IN (SELECT id FROM funds_ledgerentry WHERE statement_line_id IS NOT NULL)"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT w, e.booked_on, e.id FROM funds_ledgerentry e, "
            "funds_lookup_terms(e.search_key) AS w "
            "WHERE e.kind = 'receipt' AND e.statement_line_id IS NOT NULL"
        )
        expected = set(cursor.fetchall())
    assert all(n == len(ids) and ids == sorted(ids, reverse=True) for _, _, n, ids in rows)
    got = [(term, day, i) for term, day, _, ids in rows for i in ids]
    assert len(got) == len(set(got))  # no id twice under a term
    assert set(got) == expected and len(expected) > 3 * imp.receipts_created
    assert any(term.startswith("~") for term, _, _ in expected)
    assert len(rows) < len(got) / 3  # one row per term and day of each staged batch
    # the trigger works again for the next write of the same transaction
    hand = services.receipt_create(
        actor=editor, fund=relief, amount=1_000, booked_on=dt.date(2024, 9, 2), party_name="Lê Hoà"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM funds_lookupterm WHERE %s = ANY(entry_ids)", [hand.pk])
        assert {t for (t,) in cursor.fetchall()} == {"hoa", "~le hoa"}


def test_the_database_checks_the_references_of_imported_rows(relief, editor, tmp_path):
    """Fund, account, statement line and import are referenced without foreign keys (one
    set-based check per statement, migration 0015): the database still refuses a row
    naming no parent and the deletion or renumbering of a parent that is named."""
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    imp = _import(editor, account, _vcb_copy(tmp_path, "few.csv", 5), "vcb")
    entry = LedgerEntry.objects.filter(statement_line__isnull=False).first()
    line = entry.statement_line

    def refused(sql, params):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    refused("DELETE FROM funds_statementline WHERE id = %s", [line.pk])
    refused("DELETE FROM funds_statementimport WHERE id = %s", [imp.pk])
    refused("DELETE FROM funds_fundaccount WHERE id = %s", [account.pk])
    refused("DELETE FROM funds_fund WHERE id = %s", [relief.pk])
    refused("UPDATE funds_fund SET id = id + 1000 WHERE id = %s", [relief.pk])
    refused("UPDATE funds_statementline SET id = id + 100000 WHERE id = %s", [line.pk])
    refused(
        "UPDATE funds_statementline SET statement_import_id = %s WHERE id = %s",
        [imp.pk + 1000, line.pk],
    )
    refused("UPDATE funds_statementline SET account_id = %s WHERE id = %s", [0, line.pk])
    values = {
        "kind": EntryKind.RECEIPT,
        "sign": 1,
        "amount": 1_000,
        "booked_on": dt.date(2024, 9, 2),
        "fund_id": relief.pk,
    }
    for bad in ({"fund_id": relief.pk + 1000}, {"account_id": 0}, {"statement_line_id": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(**(values | bad))
    # the same rows with their parents are accepted, and nothing above was changed
    LedgerEntry.objects.create(**values, account_id=account.pk)
    assert StatementLine.objects.get(pk=line.pk).statement_import_id == imp.pk
    assert LedgerEntry.objects.get(pk=entry.pk).statement_line_id == line.pk


def test_bad_statements_get_a_vietnamese_message_and_write_nothing(relief, editor, tmp_path):
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    header = "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
    row = "01/09/2024,1,,100.000,,Lê Văn Ân ung ho dong bao\n"  # cp1258 has these letters

    def refused(name, data, layout="vcb", mapping=None):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(UserFacingError) as caught:
            importing.statement_import_run(
                actor=editor,
                account=account,
                path=path,
                file_name=name,
                layout_code=layout,
                mapping=mapping,
            )
        assert not StatementLine.objects.exists() and not LedgerEntry.objects.exists()
        return caught.value.message

    other = refused("vcb-1234567890123-2024-09-01.csv", (header + row).encode())
    assert "tài khoản 1234567890123, không phải tài khoản Vietcombank 0011001932418" in other
    windows = {
        "cp1258.csv": (header + row).encode("cp1258"),
        "cp1252.csv": (header + "01/09/2024,1,,100.000,,Café Noël\n").encode("cp1252"),
    }
    for name, data in windows.items():
        assert "bảng mã Windows (cp1258 tiếng Việt hoặc cp1252)" in refused(name, data)
    utf16 = refused("utf16.csv", (header + row).encode("utf-16"))
    assert "UTF-16" in utf16
    vietnamese_header = "Ngày giao dịch,Số chứng từ,Ghi nợ,Ghi có,Số dư,Nội dung\n" + row
    message = refused("tieu-de.csv", vietnamese_header.encode())
    assert "không khớp mẫu sao kê" in message and "'Ngày giao dịch'" in message
    assert "Tệp trống" in refused("trong.csv", b"")
    assert "không có dòng giao dịch" in refused("chi-tieu-de.csv", header.encode("utf-8-sig"))
    # a BOM is read as such, also with a mapping that says plain UTF-8
    path = tmp_path / "bom.csv"
    path.write_bytes(("Ngày;Số tiền;Nội dung\n01/09/2024;100000;ung ho\n").encode("utf-8-sig"))
    imp = importing.statement_import_run(
        actor=editor,
        account=account,
        path=path,
        file_name="bom.csv",
        layout_code="mapping",
        mapping={
            "date": "Ngày",
            "amount": "Số tiền",
            "memo": "Nội dung",
            "thousands_sep": "",
            "delimiter": ";",
            "encoding": "utf-8",
        },
    )
    assert imp.receipts_amount == 100_000


def test_unchained_balances_name_the_day_and_the_missing_amount(relief, editor, tmp_path):
    account = _account(relief, editor, "Agribank", "1500201113838")
    path = tmp_path / "agri.csv"
    path.write_text(
        "PageId,Date,Time,DocumentNumber,ReferenceNumber,TransactionDetails,DebitAmount,"
        "CreditAmount,Balance,OffsetAccount\n"
        '1,12/09/2024,,,1,ung ho,,"200,000","1,200,000",\n'
        '1,12/09/2024,,,2,ung ho,,"300,000","1,800,000",\n',  # a 300,000 credit is missing
        encoding="utf-8",
    )
    imp = _import(editor, account, path, "agribank")
    (day,) = imp.reconciliation
    assert day["status"] == "gap" and day["missing_amount"] == 300_000
    assert day["message"].startswith("Ngày 12/09/2024: lệch 300.000 đ")


def test_lookup_cluster_command_keeps_every_posting(relief, editor, tmp_path):
    """`mattran lookup_cluster` rewrites the posting lists in index order, losing nothing."""
    from django.core.management import call_command
    from django.db import connection

    services.receipt_create(
        actor=editor, fund=relief, amount=1_000, booked_on=dt.date(2024, 9, 2), party_name="Lê Hoà"
    )
    out = io.StringIO()
    if connection.vendor != "postgresql":
        call_command("lookup_cluster", stdout=out)
        assert "SQLite" in out.getvalue()
        return

    def postings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, booked_on, unnest(entry_ids) FROM funds_lookupterm")
            return sorted(cursor.fetchall())

    before = postings()
    call_command("lookup_cluster", stdout=out)
    assert "Đã sắp xếp lại bảng tra cứu" in out.getvalue()
    assert postings() == before and ("hoa", dt.date(2024, 9, 2)) in {p[:2] for p in before}


LETTERHEAD = (
    "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM,,,,,\n"
    "SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT,,,,,\n"
    "Số tài khoản/Account number: {number},,,,,\n"
    "Tên tài khoản/Account name: MAT TRAN TO QUOC VN - BAN CUU TRO TW,,,,,\n"
    '"Số dư đầu kỳ/Opening balance: 1.234.567.890",,,,,\n'
    "Từ ngày 01/09/2024 đến ngày 01/09/2024,,,,,\n"
    ",,,,,\n"
    "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
    "01/09/2024,1,,100.000,,NGUYEN VAN AN chuyen tien ung ho\n"
    "01/09/2024,2,,50.000,,ung ho dong bao\n"
)


def test_a_letterhead_naming_another_account_is_refused(relief, editor, tmp_path):
    """Issue 9 item 6: the account a bank's export prints above the table is checked."""
    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = tmp_path / "sao-ke-thang-9.csv"  # no number in the name: only the letterhead says
    path.write_text(LETTERHEAD.format(number="0071 0012 34567"), encoding="utf-8")
    with pytest.raises(UserFacingError) as caught:
        _import(editor, account, path, "vcb")
    assert caught.value.message.startswith(
        "Sao kê “sao-ke-thang-9.csv” ghi ở phần đầu số tài khoản 0071001234567,"
    )
    assert "không phải tài khoản Vietcombank 0011001932418" in caught.value.message
    assert not StatementLine.objects.exists() and not LedgerEntry.objects.exists()

    # the same export of the right account (grouped digits) imports, letterhead skipped
    path.write_text(LETTERHEAD.format(number="0011.0019.32418"), encoding="utf-8")
    imp = _import(editor, account, path, "vcb")
    assert (imp.rows_read, imp.receipts_amount) == (2, 150_000)
    assert list(StatementLine.objects.order_by("row_number").values_list("row_number", "memo")) == [
        (1, "NGUYEN VAN AN chuyen tien ung ho"),
        (2, "ung ho dong bao"),
    ]
    # "Số dư … 1.234.567.890" is a balance, not an account number; the samples have no letterhead
    layout = importing.get_layout("vcb")
    path.write_text(
        LETTERHEAD.replace("Số tài khoản/Account number: {number},,,,,\n", ""), encoding="utf-8"
    )
    assert importing.letterhead_account(path, layout) is None
    assert importing.letterhead_account(VCB_FILE, layout) is None


def test_an_import_refreshes_the_statistics_of_the_tables_it_made_stale(relief, editor, tmp_path):
    from django.test.utils import CaptureQueriesContext

    account = _account(relief, editor, "Vietcombank", "0011001932418")
    path = _vcb_copy(tmp_path, "777.csv", 777)
    if connection.vendor != "postgresql":
        assert importing.stale_tables() == []  # SQLite keeps no planner statistics to refresh
        assert _import(editor, account, path, "vcb").lines_created == 777
        return
    grown = ["funds_statementline", "funds_ledgerentry", "funds_lookupterm", "ledgerlog_logleaf"]
    with connection.cursor() as cursor:  # the planner's counts as the tables are now
        cursor.execute(f"ANALYZE {', '.join(grown)}")
    with CaptureQueriesContext(connection) as queries:
        _import(editor, account, path, "vcb")
    (analyze,) = [  # the refresh after the commit (not the staging table's own ANALYZE)
        q["sql"]
        for q in queries
        if q["sql"].startswith("ANALYZE") and "import_stag" not in q["sql"]
    ]
    analysed = {name.strip('" ') for name in analyze[len("ANALYZE ") :].split(",")}
    assert set(grown) <= analysed  # each grew by far more than a tenth
    assert "funds_transfer" not in analysed  # no row added: not stale


def test_the_import_gives_the_cycle_collector_back_as_it_found_it(relief, editor, tmp_path):
    """The file's pass runs without Python's cyclic GC; it is on again after, even after an
    error (and stays off if it was off)."""
    import gc

    account = _account(relief, editor, "Vietcombank", "0011001932418")
    assert gc.isenabled()
    _import(editor, account, _vcb_copy(tmp_path, "a.csv", 30), "vcb")
    assert gc.isenabled()
    path = _vcb_copy(tmp_path, "bad.csv", 30)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = lines[20].replace(",,", ",12a,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserFacingError):
        _import(editor, account, path, "vcb")
    assert gc.isenabled()
    gc.disable()
    try:
        _import(editor, account, _vcb_copy(tmp_path, "b.csv", 30, year=2025), "vcb")
        assert not gc.isenabled()
    finally:
        gc.enable()
