"""The public ledger log: leaves appended with the ledger write, signed heads, proofs, verifier.

Tamper tests change the database as its superuser would, with the
append-only triggers out of the way (PostgreSQL: session_replication_role =
replica, which also skips foreign keys; SQLite: the triggers dropped), and
show that the verifier fails and names the first bad leaf.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import mask_personal
from mattran.funds import importing, services
from mattran.funds.models import AccountKind, FundKind, LedgerEntry, Purpose
from mattran.ledgerlog import selectors, tree
from mattran.ledgerlog.keys import key_create, public_bytes, signing_key
from mattran.ledgerlog.leaves import leaves_for
from mattran.ledgerlog.models import LeafSource, LogLeaf, SigningKey, TreeHead
from mattran.ledgerlog.selectors import DbSource
from mattran.ledgerlog.services import head_sign, log_catch_up
from mattran.ledgerlog.verifier import (
    VerificationError,
    canonical_bytes,
    head_message,
    leaf_hash,
    root_from_hashes,
    verify_consistency,
    verify_inclusion,
    verify_log,
)

D = dt.date


@pytest.fixture
def entries(fund, editor, approver):
    """Five public ledger lines: receipts, a payment, a reversal."""
    made = [
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=500_000,
            booked_on=D(2024, 9, 2),
            party_name="Nguyễn Văn An",
            memo="NGUYEN VAN AN ung ho 0912 345 678",
            reference="FT24246000001",
        ),
        services.receipt_create(
            actor=editor, fund=fund, amount=200_000, booked_on=D(2024, 9, 3), memo="ung ho"
        ),
        services.receipt_create(
            actor=editor, fund=fund, amount=300_000, booked_on=D(2024, 9, 4), memo="ủng hộ bão"
        ),
        services.disbursement_create(
            actor=editor,
            fund=fund,
            amount=400_000,
            booked_on=D(2024, 9, 5),
            purpose=Purpose.RELIEF,
            memo="Cứu trợ hộ ông Bình",
        ),
    ]
    made.append(services.entry_reverse(actor=approver, entry=made[2], reason="ghi nhầm"))
    return made


def _run(source=None, *, full=True, **kwargs) -> tuple[bool, list[str]]:
    """The verifier on this database; a full audit (every leaf) unless full=False."""
    lines: list[str] = []
    ok, _ = verify_log(source or DbSource(), out=lines.append, full=full, **kwargs)
    return ok, lines


class CountingSource(DbSource):
    """The database source, counting what the verifier asks for."""

    def __init__(self):
        self.leaf_ranges: list[tuple[int, int]] = []
        self.consistency_pairs: list[tuple[int, int]] = []

    def leaves(self, start, end):
        self.leaf_ranges.append((start, end))
        return super().leaves(start, end)

    def consistency(self, first, second):
        self.consistency_pairs.append((first, second))
        return super().consistency(first, second)


@contextlib.contextmanager
def superuser_bypass():
    """As the database's superuser: triggers (append-only, foreign keys) do not fire."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                "(tbl_name = 'funds_ledgerentry' OR tbl_name LIKE 'ledgerlog_%')"
            )
            for (trigger,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {trigger}")  # rolled back with the test
            yield cursor


def test_every_public_line_is_a_leaf_in_order(entries, fund):
    leaves = list(LogLeaf.objects.order_by("index").values_list("index", "source", "source_id"))
    assert leaves == [(n, LeafSource.ENTRY, e.pk) for n, e in enumerate(entries)]
    data = leaves_for([(LeafSource.ENTRY, e.pk) for e in entries])
    first = data[(LeafSource.ENTRY, entries[0].pk)]
    assert first == {
        "v": 1,
        "type": "entry",
        "id": entries[0].pk,
        "fund": fund.pk,
        "date": "2024-09-02",
        "amount": 500_000,
        "sign": 1,
        "kind": "receipt",
        "purpose": "",
        "party": "Nguyễn Văn An",
        "memo": "NGUYEN VAN AN ung ho **** *** 678",  # masked
        "ref_sha256": hashlib.sha256(b"FT24246000001").hexdigest(),
        "reverses": None,
        "voucher": "PT-2024-0001",
    }
    reversal = data[(LeafSource.ENTRY, entries[4].pk)]
    assert (reversal["kind"], reversal["sign"], reversal["reverses"]) == (
        "reversal",
        -1,
        entries[2].pk,
    )
    hashes = [leaf_hash(canonical_bytes(data[(LeafSource.ENTRY, e.pk)])) for e in entries]
    assert tree.root(5) == root_from_hashes(hashes)


def test_lines_of_a_private_fund_are_not_logged_until_it_is_public(fund, editor, tree):
    secret = services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ nội bộ",
        kind=FundKind.CAMPAIGN,
        opened_on=D(2024, 1, 1),
        is_public=False,
    )
    entry = services.receipt_create(
        actor=editor, fund=secret, amount=1_000, booked_on=D(2024, 2, 1)
    )
    assert not LogLeaf.objects.exists()
    type(secret).objects.filter(pk=secret.pk).update(is_public=True)
    assert log_catch_up() == 1
    assert LogLeaf.objects.get().source_id == entry.pk
    assert log_catch_up() == 0


def test_a_signed_head_verifies_and_the_whole_log_checks(entries, key_file):
    head = head_sign()
    private, key = signing_key()
    assert head.size == 5 and bytes(head.root) == tree.root(5)
    public = private.public_key()
    public.verify(bytes(head.signature), head_message(5, bytes(head.root), head.timestamp_ms))
    ok, lines = _run(pinned_key=public_bytes(private), entry=entries[0].pk)
    assert ok, lines
    assert any("5 lá: dữ liệu khớp" in line for line in lines)
    assert any(f"Bút toán {entries[0].pk} nằm trong sổ ở lá 0" in line for line in lines)


def test_inclusion_and_consistency_proofs_between_heads(entries, fund, editor, key_file):
    first = head_sign()
    services.receipt_create(actor=editor, fund=fund, amount=7_000, booked_on=D(2024, 9, 6))
    second = head_sign()
    assert (first.size, second.size) == (5, 6)
    proof = selectors.consistency_public(first=5, second=6)["proof"]
    verify_consistency(
        5, 6, bytes(first.root), bytes(second.root), [bytes.fromhex(p) for p in proof]
    )
    answer = selectors.inclusion_public(entry_id=entries[3].pk)
    assert (answer["index"], answer["size"]) == (3, 6)
    verify_inclusion(
        3,
        6,
        leaf_hash(canonical_bytes(answer["data"])),
        [bytes.fromhex(p) for p in answer["proof"]],
        bytes(second.root),
    )
    with pytest.raises(UserFacingError):
        selectors.consistency_public(first=6, second=5)


def test_key_rotation_is_endorsed_by_the_old_key(entries, key_file):
    old_private, _ = signing_key()
    head_sign()
    key_create(rotate=True)
    head_sign()
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
    assert list(key_file.parent.glob("ledger-key.retired-*.pem"))
    ok, lines = _run(pinned_key=public_bytes(old_private))
    assert ok, lines
    # a key slipped in without the old key's endorsement is refused
    SigningKey.objects.filter(retired_at__isnull=True).update(endorsement=b"")
    ok, lines = _run()
    assert not ok and "không được khóa trước đó xác nhận" in lines[-1]


def test_a_statement_import_is_logged_and_signed(
    fund, editor, key_file, tmp_path, django_capture_on_commit_callbacks
):
    account = services.fund_account_create(
        actor=editor, fund=fund, kind=AccountKind.BANK, bank_name="VCB", account_number="001"
    )
    path = tmp_path / "s.csv"
    path.write_text(
        "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
        "01/09/2024,1,,100.000,,NGUYEN VAN AN chuyen tien ung ho\n"
        "01/09/2024,2,,50.000,,ung ho dong bao\n"
        "02/09/2024,3,,70.000,,TRAN THI BINH chuyen tien ung ho\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        importing.statement_import_run(
            actor=editor, account=account, path=path, file_name="s.csv", layout_code="vcb"
        )
    booked = LedgerEntry.objects.filter(fund=fund).count()
    assert booked >= 2
    assert LogLeaf.objects.count() == booked
    head = TreeHead.objects.get()
    assert head.size == booked
    ok, lines = _run()
    assert ok, lines


# ------------------------------------------------------------------- tampering


def _signed(entries):
    head_sign()
    ok, lines = _run()
    assert ok, lines


def test_changed_amount_is_caught_and_the_leaf_named(entries, key_file):
    _signed(entries)
    with superuser_bypass() as cursor:
        cursor.execute(
            "UPDATE funds_ledgerentry SET amount = 5000000 WHERE id = %s", [entries[1].pk]
        )
    ok, lines = _run()
    assert not ok
    assert any(f"Lá 1 (bút toán {entries[1].pk})" in line for line in lines), lines
    with pytest.raises(CommandError):
        call_command("verify_log", "--full")


def test_deleted_row_is_caught(entries, key_file):
    _signed(entries)
    with superuser_bypass() as cursor:
        cursor.execute("DELETE FROM funds_ledgerentry WHERE id = %s", [entries[3].pk])
    ok, lines = _run()
    assert not ok
    assert any(f"Lá 3: bút toán {entries[3].pk} không còn trong sổ" in line for line in lines)


def test_reordered_rows_are_caught(entries, key_file):
    """Two lines' dates swapped (the ledger reordered), then two leaves swapped in the log."""
    _signed(entries)
    a, b = entries[0], entries[1]
    with superuser_bypass() as cursor:
        sql = "UPDATE funds_ledgerentry SET booked_on = %s WHERE id = %s"
        cursor.execute(sql, [b.booked_on, a.pk])
        cursor.execute(sql, [a.booked_on, b.pk])
    ok, lines = _run()
    assert not ok and any("Lá 0 " in line for line in lines), lines


def test_reordered_leaves_are_caught(entries, key_file):
    _signed(entries)
    with superuser_bypass() as cursor:
        leaf = 'UPDATE ledgerlog_logleaf SET source_id = %s WHERE "index" = %s'
        cursor.execute(leaf, [-1, 2])
        cursor.execute(leaf, [-2, 3])
        cursor.execute(leaf, [entries[3].pk, 2])
        cursor.execute(leaf, [entries[2].pk, 3])
    ok, lines = _run()
    assert not ok and any(f"Lá 2 (bút toán {entries[3].pk})" in line for line in lines), lines


def test_a_forked_head_is_detected(entries, key_file):
    """Two signed heads of the same size with different roots (even with the real key)."""
    head = head_sign()
    private, key = signing_key()
    forged_root = bytes(32)
    stamp = head.timestamp_ms + 1
    TreeHead.objects.create(
        size=head.size,
        root=forged_root,
        timestamp_ms=stamp,
        key=key,
        signature=private.sign(head_message(head.size, forged_root, stamp)),
    )
    ok, lines = _run()
    assert not ok and "Rẽ nhánh" in lines[-1]


def test_a_rewritten_history_fails_against_the_head_seen_before(entries, fund, editor, key_file):
    """A verifier that kept the last head it checked sees a log rebuilt with other content."""
    head_sign()
    ok, state = verify_log(DbSource(), out=lambda _: None)
    assert ok and state["size"] == 5
    # the operator rebuilds the log from a changed ledger and signs again with the real key
    with superuser_bypass() as cursor:
        cursor.execute("DELETE FROM ledgerlog_treehead")
        cursor.execute("DELETE FROM ledgerlog_logleaf")
        cursor.execute("DELETE FROM ledgerlog_logtile")
        cursor.execute("UPDATE ledgerlog_logstate SET size = 0")
        cursor.execute("DELETE FROM funds_ledgerentry WHERE id = %s", [entries[4].pk])
    assert log_catch_up() == 4
    for amount in (9, 10):
        services.receipt_create(actor=editor, fund=fund, amount=amount, booked_on=D(2024, 9, 9))
    head_sign()
    assert _run()[0]  # on its own, the rebuilt log is consistent...
    ok, lines = _run(state=state)
    assert not ok and "lịch sử sổ đã bị viết lại" in " ".join(lines)  # ...but not with the past


def test_the_wrong_pinned_key_fails(entries, key_file):
    head_sign()
    ok, lines = _run(pinned_key=base64.b64decode(base64.b64encode(bytes(32))))
    assert not ok and "--key" in lines[-1]


def test_head_needs_a_key_file(entries, settings, tmp_path):
    settings.LEDGER_KEY_FILE = tmp_path / "none.pem"
    with pytest.raises(UserFacingError, match="ledger_key --create"):
        head_sign()
    with pytest.raises(VerificationError):
        verify_inclusion(0, 1, bytes(32), [], bytes.fromhex("00" * 32).replace(b"\0", b"\1"))


def test_an_annotation_naming_the_donor_is_a_leaf(entries, editor, key_file):
    """Issue 9's append-only annotation: identifying a donor later adds a leaf, changes none."""
    annotation = services.entry_identify_donor(
        actor=editor, entry=entries[1], donor_name="Lê Thị Hoà", donor_kind="person"
    )
    leaf = LogLeaf.objects.get(source=LeafSource.ANNOTATION)
    assert (leaf.index, leaf.source_id) == (5, annotation.pk)
    data = leaves_for([(LeafSource.ANNOTATION, annotation.pk)])[
        (LeafSource.ANNOTATION, annotation.pk)
    ]
    assert data == {
        "v": 1,
        "type": "annotation",
        "id": annotation.pk,
        "annotates": entries[1].pk,
        "kind": "identify",
        "donor": "Lê Thị Hoà",
        "purpose": "",
    }
    head_sign()
    ok, lines = _run()
    assert ok, lines


def test_new_masking_rules_change_no_leaf_already_logged(entries, key_file, monkeypatch):
    """The leaf commits to the memo as published when logged (LogLeaf.memo)."""
    head_sign()
    before = LogLeaf.objects.get(index=0).memo
    assert before == "NGUYEN VAN AN ung ho **** *** 678"
    monkeypatch.setattr("mattran.ledgerlog.leaves.mask_personal", lambda text: "(che hết)")
    ok, lines = _run()
    assert ok, lines
    page = selectors.leaves_range(0, 1)[0]
    assert page["data"]["memo"] == before


# ------------------------------------------------- proofs instead of downloads


def test_the_default_check_reads_no_leaf_and_proves_each_head_extends_the_last(
    entries, fund, editor, key_file
):
    head_sign()
    for amount in (7_000, 8_000):
        services.receipt_create(actor=editor, fund=fund, amount=amount, booked_on=D(2024, 9, 6))
        head_sign()
    source = CountingSource()
    ok, lines = _run(source, full=False, entry=entries[2].pk)
    assert ok, lines
    assert source.leaf_ranges == []  # not one leaf downloaded
    assert source.consistency_pairs == [(5, 6), (6, 7)]
    assert any("2 bằng chứng nhất quán" in line for line in lines)
    assert any(f"Bút toán {entries[2].pk} nằm trong sổ ở lá 2" in line for line in lines)


def test_a_signed_head_that_the_tree_does_not_extend_is_caught_by_proofs(
    entries, fund, editor, key_file
):
    """The operator signs a head whose root is not the tree's (history changed behind it)."""
    head = head_sign()
    services.receipt_create(actor=editor, fund=fund, amount=7_000, booked_on=D(2024, 9, 6))
    private, key = signing_key()
    forged_root = hashlib.sha256(b"another history").digest()
    stamp = head.timestamp_ms + 1
    TreeHead.objects.create(
        size=6,
        root=forged_root,
        timestamp_ms=stamp,
        key=key,
        signature=private.sign(head_message(6, forged_root, stamp)),
    )
    source = CountingSource()
    ok, lines = _run(source, full=False)
    assert not ok
    assert source.leaf_ranges == []
    assert any("Đầu cây 5 lá → 6 lá" in line and "viết lại" in line for line in lines), lines


def test_a_monitor_checks_only_the_leaves_added_since_its_last_full_run(
    entries, fund, editor, key_file
):
    head_sign()
    ok, state = verify_log(DbSource(), full=True, out=lambda _: None)
    assert ok and state["size"] == 5 and len(state["frontier"]) == 2  # 5 = 4 + 1
    added = [
        services.receipt_create(actor=editor, fund=fund, amount=a, booked_on=D(2024, 9, 6))
        for a in (7_000, 8_000, 9_000)
    ]
    head_sign()
    source = CountingSource()
    ok, new_state = verify_log(source, state=state, out=lambda _: None)
    assert ok
    assert source.leaf_ranges == [(5, 8)]  # the three new leaves only
    assert new_state["size"] == 8 and len(new_state["frontier"]) == 1  # 8 = 8
    # a new line changed behind the application: the next run names its leaf
    with superuser_bypass() as cursor:
        cursor.execute("UPDATE funds_ledgerentry SET amount = 1 WHERE id = %s", [added[1].pk])
    lines: list[str] = []
    ok, kept = verify_log(DbSource(), state=state, out=lines.append)
    assert not ok and kept == state
    assert any(f"Lá 6 (bút toán {added[1].pk})" in line for line in lines), lines
    # a state file whose frontier was altered is refused, not trusted
    broken = {**state, "frontier": [bytes(32).hex(), state["frontier"][1]]}
    lines = []
    assert not verify_log(DbSource(), state=broken, out=lines.append)[0]
    assert any("Tệp trạng thái hỏng" in line for line in lines), lines


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based import path is PostgreSQL's"
)
@pytest.mark.django_db
def test_the_database_hashes_an_entry_leaf_byte_for_byte_as_python():
    """leaves.entry_leaf_hash_sql (a statement import's leaves) = leaf_hash(entry_leaf_bytes)."""
    from mattran.funds.statement_formats import get_layout, iter_lines
    from mattran.ledgerlog.leaves import entry_leaf, entry_leaf_bytes, entry_leaf_hash_sql
    from tests.paths import STATEMENTS_DIR

    memos = [
        mask_personal(line.memo)
        for path in sorted(STATEMENTS_DIR.glob("*.csv"))
        for line in iter_lines(path, get_layout(path.name.split("-")[0]))
    ]
    memos += [
        "",
        'say "hi" \\ back\\slash',
        "tab\tnew\nline\rret\bbell\x01\x1f\x7f end",
        "Nguyễn Thị Hòa ủng hộ đồng bào – “bão Yagi” 💙 \u2028\u2029\ufeff",
    ]
    rows = [
        dict(kind="receipt", sign=1, purpose="", party="Lê Văn Ân", ref="FT24/1", rev=None),
        dict(kind="disbursement", sign=-1, purpose="bank_fee", party="", ref="", rev=None),
        dict(kind="reversal", sign=-1, purpose="", party='a"b', ref="", rev=123),
    ]
    numbers = [None, 0, 7, 999, 1000, 9999, 10000, 123456]
    for row in rows:
        for number in numbers:
            sql = (
                f"SELECT e.memo, {entry_leaf_hash_sql('e', 'e.memo')} FROM ("  # noqa: S608
                "SELECT 41 AS id, 3 AS fund_id, DATE '2024-09-01' AS booked_on, "
                "1234567::bigint AS amount, %s::smallint AS sign, %s::text AS kind, "
                "%s::text AS purpose, %s::text AS party_name, %s::text AS reference, "
                "%s::bigint AS reverses_id, 'PT'::text AS voucher_series, "
                "2024 AS voucher_year, %s::integer AS voucher_number, m AS memo "
                "FROM unnest(%s::text[]) AS m) e"
            )
            params = [row["sign"], row["kind"], row["purpose"], row["party"], row["ref"]]
            params += [row["rev"], number, memos]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found = cursor.fetchall()
            assert len(found) == len(memos)
            for memo, digest in found:
                leaf = entry_leaf(
                    {
                        "id": 41,
                        "fund_id": 3,
                        "booked_on": dt.date(2024, 9, 1),
                        "amount": 1234567,
                        "sign": row["sign"],
                        "kind": row["kind"],
                        "purpose": row["purpose"],
                        "party_name": row["party"],
                        "memo": memo,
                        "reference": row["ref"],
                        "reverses_id": row["rev"],
                        "voucher_series": "PT",
                        "voucher_year": 2024,
                        "voucher_number": number,
                    },
                    memo,
                )
                assert entry_leaf_bytes(leaf) == canonical_bytes(leaf)
                assert bytes(digest) == leaf_hash(entry_leaf_bytes(leaf)), (memo, number)


def test_an_import_logs_the_same_leaves_as_its_entries_give(
    fund, editor, key_file, django_capture_on_commit_callbacks, monkeypatch
):
    """The sample's 8,008 lines: one leaf per entry, in id order, each matching its entry
    (PostgreSQL: staged and hashed 3,000 lines at a time, as three batches)."""
    from tests.paths import STATEMENTS_DIR

    monkeypatch.setattr(importing, "STAGE_LINES", 3000)

    account = services.fund_account_create(
        actor=editor,
        fund=fund,
        kind=AccountKind.BANK,
        bank_name="Vietcombank",
        account_number="0011001932418",
    )
    path = STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv"
    with django_capture_on_commit_callbacks(execute=True):
        imp = importing.statement_import_run(
            actor=editor, account=account, path=path, file_name=path.name, layout_code="vcb"
        )
    ids = list(LedgerEntry.objects.filter(fund=fund).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == imp.lines_created + 1  # and the opening balance
    leaves = list(LogLeaf.objects.order_by("index").values_list("source_id", "memo"))
    # the opening balance (booked after the lines, from the statement) is logged first
    assert LedgerEntry.objects.get(pk=ids[-1]).kind == "opening"
    assert [i for i, _ in leaves] == ids[-1:] + ids[:-1]
    memos = dict(LedgerEntry.objects.filter(fund=fund).values_list("pk", "memo"))
    assert all(memo == mask_personal(memos[i]) for i, memo in leaves)
    ok, lines = _run()
    assert ok, lines
    # the staging tables (PostgreSQL) are gone
    assert not [t for t in connection.introspection.table_names() if "import_stage" in t]
