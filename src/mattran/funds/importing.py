"""Bank statement import into a fund's bank account: streaming, all-or-nothing, deduplicated.

One pass over the file inside one transaction, a chunk of lines at a time:
- every line gets its key (fingerprint + occurrence index, see statement_formats;
  the occurrence counter keeps 8 bytes per line, see OccurrenceCounter); lines
  whose key the account already holds are skipped (re-import or an overlapping
  file adds nothing twice; two genuine identical transfers in a file keep ":1"
  and ":2" and both stay). Only lines on days for which the account already
  has lines are looked up, a chunk at a time;
- new lines are stored as StatementLine rows;
- every new line is booked at once, so the fund moves exactly as the bank
  account: a credit becomes a receipt (phiếu thu numbered in the fund's series,
  in file order), with the donor's name when the memo names the sender clearly
  (donor_name) and otherwise as "người ủng hộ chưa xác định" with the memo
  kept (searchable); a debit becomes a payment (phiếu chi) with purpose "phí
  ngân hàng" when its memo says so, otherwise "chưa phân loại". The bank has
  already paid it, so no overdraft check applies. Each counter row (series,
  year) is locked once and moved on once at the end. Naming a donor or
  classifying a payment later is an append-only LedgerAnnotation
  (services.entry_identify_donor / entry_classify), never a change of the entry;
- the balances the statement prints are checked day by day (Reconciler) and
  the result is stored with the import, with one audit event for the import.
Any bad cell aborts the whole import (nothing written) with a message naming
the row and column. Memory stays flat: one chunk of lines, one day's totals
and 8 bytes per line for the occurrence counter.

Writing, PostgreSQL (set-based, _StagedWriter): the rows stream by COPY FROM
STDIN into a temporary staging table on the transaction's own connection,
sent by a second thread (_CopyPipe) so that parsing the file here and writing
rows in the server overlap; then one INSERT … SELECT writes the statement
lines and one the ledger entries (the lookup terms follow by the ledger's
statement-level trigger), and the public log appends its leaves from the
staging table (the memo is masked once per line, here). SQLite: the same rows
with bulk_create, a chunk at a time. Both paths compute every value the same
way (tests import the samples on both databases).
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import json
import os
import queue
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from mattran.access.policy import Perm, require_perm
from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError
from mattran.core.jobs import Progress
from mattran.core.vietnamese import fold, format_money, mask_personal

from . import hooks
from .models import (
    AccountKind,
    Channel,
    EntryKind,
    FundAccount,
    LedgerEntry,
    LineStatus,
    PartyKind,
    Purpose,
    StatementImport,
    StatementLine,
    VoucherCounter,
    VoucherSeries,
)
from .services import (
    account_opening_record,
    lock_fund,
)
from .statement_formats import (
    ColumnMapping,
    DayReconciliation,
    Layout,
    Reconciler,
    StatementFormatError,
    _fingerprint_data,
    _fold,
    _nfc,
    custom_layout,
    donor_name,
    get_layout,
    is_bank_fee,
    iter_lines,
    letterhead_account,
)

BATCH = 2000  # ORM batches (matching queue, SQLite import)
CHUNK = 5000  # lines read before their keys are resolved and their rows written


def layout_from(code: str, mapping: dict | None = None) -> Layout:
    """A preset ("vcb", …) or, for code "mapping", a ColumnMapping given as a dict."""
    if code == "mapping" or mapping:
        if not mapping:
            raise UserFacingError("Cần ánh xạ cột cho mẫu sao kê tự chọn.")
        try:
            return custom_layout(ColumnMapping(**mapping), code="mapping", bank_name="Tự chọn")
        except (TypeError, ValueError) as exc:
            raise UserFacingError(f"Ánh xạ cột không hợp lệ: {exc}") from exc
    return get_layout(code)


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(path: str | os.PathLike[str], layout: Layout) -> int | None:
    """Data rows in a CSV (quoted multi-line memos count once), for the progress bar."""
    if Path(path).suffix.lower() in {".xlsx", ".xlsm"}:
        return None
    mapping = layout.columns
    try:
        with open(path, encoding=mapping.encoding, newline="") as handle:
            n = sum(1 for _ in csv.reader(handle, delimiter=mapping.delimiter))
    except (UnicodeDecodeError, csv.Error):
        return None
    return max(n - 1 - mapping.skip_rows, 0)


def day_to_json(day: DayReconciliation) -> dict[str, Any]:
    data = asdict(day)
    data["day"] = day.day.isoformat()
    data["message"] = day.message
    data["missing_amount"] = day.missing_amount
    return data


# ---------------------------------------------------------------- per-line values


class OccurrenceCounter:
    """How many times each fingerprint was seen before in this file, 8 bytes per line.

    Gives the numbers of fingerprints_with_occurrence (whose Counter of
    64-character strings costs ~160 bytes per line) for a chunk of lines at a
    time: each fingerprint is kept as the first 64 bits of its SHA-256 in
    sorted numpy arrays that are merged pairwise as they grow (at most log2(n)
    arrays to search). Two different lines whose hashes agree on 64 bits
    (about one chance in 10^7 for a file of a million lines) would be numbered
    as if identical: both are still stored, under keys ":1" and ":2".
    """

    def __init__(self) -> None:
        self._levels: list[np.ndarray] = []

    @property
    def nbytes(self) -> int:
        return sum(level.nbytes for level in self._levels)

    def add(self, fingerprints: Sequence[str]) -> list[int]:
        """The occurrence number (1, 2, …) of each fingerprint, counting these ones too."""
        n = len(fingerprints)
        if not n:
            return []
        keys = np.fromiter((int(fp[:16], 16) for fp in fingerprints), dtype=np.uint64, count=n)
        seen = np.zeros(n, dtype=np.int64)
        for level in self._levels:
            seen += np.searchsorted(level, keys, "right") - np.searchsorted(level, keys, "left")
        order = np.argsort(keys, kind="stable")  # equal keys stay in file order
        ordered = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        run_start = np.repeat(starts, np.diff(np.append(starts, n)))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n) - run_start
        self._levels.append(ordered)
        while len(self._levels) > 1 and self._levels[-2].size <= self._levels[-1].size:
            top, below = self._levels.pop(), self._levels.pop()
            merged = np.concatenate((below, top))
            merged.sort(kind="stable")  # two sorted runs: a linear merge
            self._levels.append(merged)
        return (seen + rank + 1).tolist()


_WORD = re.compile(r"[a-z0-9]+")  # as services.search_words


def _mask(text: str) -> str:
    """The one masking function (core.vietnamese.mask_personal); it skips text
    without an 8-character run of digits and separators on its own."""
    return mask_personal(text)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower() if text.isascii() else fold(text))


def _search_key(name: str, memo: str) -> str:
    """services.search_key_for(name, memo), with the fast paths above.

    fold() works character by character apart from whitespace, so the words of
    "name memo" are the words of the name followed by those of the memo.
    """
    return _search_key_masked(name, _mask(memo))


def _search_key_masked(name: str, masked_memo: str) -> str:
    """_search_key(name, memo) from the memo masked already (the import masks it once)."""
    return f" {' '.join(_words(_mask(name)) + _words(masked_memo))} "


def _key_and_term_list(name: str, masked_memo: str) -> tuple[str, list[str]]:
    """The search key (as _search_key_masked) and the lookup terms of a receipt.

    The terms are what the ledger's posting trigger takes from the key
    (funds_lookup_terms, migrations 0006 and 0013): each distinct word of 3
    characters or more, then each distinct pair of adjacent letter-only words
    as "~first second", each cut to 100 characters.
    """
    words = _words(_mask(name)) + _words(masked_memo)
    key = f" {' '.join(words)} "
    found = [w for w in words if len(w) > 2]  # the key's words: whole runs of [a-z0-9]
    pairs = [f"~{a} {b}" for a, b in pairwise(words) if a.isalpha() and b.isalpha()]
    if max(map(len, pairs), default=0) > 100 or max(map(len, found), default=0) > 100:
        found, pairs = [w[:100] for w in found], [p[:100] for p in pairs]
    return key, list(dict.fromkeys(found + pairs))  # no word starts with "~"


def _key_and_terms(name: str, masked_memo: str) -> tuple[str, str]:
    """_key_and_term_list with the terms joined by commas (a pair holds a space; no term
    holds a comma)."""
    key, terms = _key_and_term_list(name, masked_memo)
    return key, ",".join(terms)


# ------------------------------------------------------------------------ writers

# A kept line as the writers receive it, one tuple (positions below): the line,
# its key, the values both tables share, and the entry's voucher number.
R_KEY, R_LINE, R_DOC, R_REF, R_GUESS, R_STATUS, R_KIND, R_NUMBER = range(8)
R_MASKED, R_SEARCH, R_PARTY, R_TERMS = 8, 9, 10, 11

# (kind, sign, purpose, voucher series) of the entry a line becomes
_RECEIPT = (EntryKind.RECEIPT.value, 1, "", VoucherSeries.RECEIPT.value)
_FEE = (EntryKind.DISBURSEMENT.value, -1, Purpose.BANK_FEE.value, VoucherSeries.PAYMENT.value)
_UNCLASSIFIED = (
    EntryKind.DISBURSEMENT.value,
    -1,
    Purpose.UNCLASSIFIED.value,
    VoucherSeries.PAYMENT.value,
)
_KIND_TEXT = {kind: "\t".join(str(v) for v in kind) for kind in (_RECEIPT, _FEE, _UNCLASSIFIED)}

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A text value for COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in value or not value.isprintable():
        return value.translate(_COPY_ESCAPES)
    return value


class _Writer:
    """Where the import's rows go; the queries the import needs on the way."""

    staged: hooks.StagedEntries | None = None

    def __init__(self, *, account: FundAccount, imp: StatementImport, user_id: int | None) -> None:
        self.account = account
        self.imp = imp
        self.user_id = user_id

    def account_days(self) -> set[date]:
        """The days on which the account has lines (before this import): one index probe a day."""
        self.sync()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH RECURSIVE days (day) AS (
                    SELECT MIN(booked_on) FROM funds_statementline WHERE account_id = %s
                    UNION ALL
                    SELECT (
                        SELECT MIN(booked_on) FROM funds_statementline
                        WHERE account_id = %s AND booked_on > days.day
                    ) FROM days WHERE days.day IS NOT NULL
                )
                SELECT day FROM days WHERE day IS NOT NULL
                """,
                [self.account.pk, self.account.pk],
            )
            return {
                day if isinstance(day, date) else date.fromisoformat(day)
                for (day,) in cursor.fetchall()
            }

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        self.sync()
        return set(
            StatementLine.objects.filter(account=self.account, fingerprint__in=keys).values_list(
                "fingerprint", flat=True
            )
        )

    def voucher_counter(self, series: str, year: int) -> VoucherCounter:
        """The fund's counter of a series for the year, locked (the fund is locked too)."""
        self.sync()
        counter, _ = VoucherCounter.objects.select_for_update().get_or_create(
            fund=self.account.fund, series=series, year=year
        )
        return counter

    def sync(self) -> None:
        """Everything sent so far is written and the connection is free for queries."""

    def write(self, rows: list[tuple]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """After the last write: every line and entry is in its table."""
        self.sync()

    def abort(self) -> None:
        """Stop after an error (the transaction is rolled back by the caller)."""

    def drop(self) -> None:
        """After the import's last use of what it wrote (the public log's hook)."""


class _OrmWriter(_Writer):
    """SQLite (and any other database): bulk_create, line ids taken under the write lock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._next_id: int | None = None
        self._stamp = timezone.now()

    def _take_ids(self, n: int) -> int:
        if self._next_id is None:
            with connection.cursor() as cursor:
                # The import holds the database's write lock (BEGIN IMMEDIATE on
                # SQLite): nobody else can take ids until it commits.
                cursor.execute("SELECT COALESCE(MAX(id), 0) FROM funds_statementline")
                highest = cursor.fetchone()[0]
                if connection.vendor == "sqlite":
                    cursor.execute(
                        "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence "
                        "WHERE name = 'funds_statementline'"
                    )
                    highest = max(highest, cursor.fetchone()[0])
            self._next_id = highest + 1
        first, self._next_id = self._next_id, self._next_id + n
        return first

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        first = self._take_ids(len(rows))
        account_id, imp_id, fund_id = self.account.pk, self.imp.pk, self.account.fund_id
        lines, entries = [], []
        for n, r in enumerate(rows):
            line, line_id, guess = r[R_LINE], first + n, r[R_GUESS]
            lines.append(
                StatementLine(
                    id=line_id,
                    account_id=account_id,
                    statement_import_id=imp_id,
                    fingerprint=r[R_KEY],
                    row_number=line.row_number,
                    booked_on=line.booked_on,
                    booked_at=line.booked_at,
                    doc_no=r[R_DOC],
                    reference=r[R_REF],
                    debit=line.debit,
                    credit=line.credit,
                    balance=line.balance,
                    memo=line.memo,
                    counterparty=line.counterparty[:300],
                    donor_guess=guess,
                    status=r[R_STATUS],
                )
            )
            kind, sign, purpose, series = r[R_KIND]
            entries.append(
                LedgerEntry(
                    fund_id=fund_id,
                    account_id=account_id,
                    statement_line_id=line_id,
                    amount=line.debit or line.credit,
                    booked_on=line.booked_on,
                    party_name=guess,
                    party_kind=PartyKind.PERSON.value if guess else PartyKind.UNKNOWN.value,
                    reference=r[R_REF] or r[R_DOC],
                    memo=line.memo,
                    search_key=r[R_SEARCH],
                    party_key=r[R_PARTY],
                    voucher_year=line.booked_on.year,
                    voucher_number=r[R_NUMBER],
                    created_by_id=self.user_id,
                    created_at=self._stamp,
                    kind=kind,
                    sign=sign,
                    purpose=purpose,
                    voucher_series=series,
                    channel=Channel.BANK.value,
                    beneficiaries="",
                )
            )
        StatementLine.objects.bulk_create(lines, batch_size=BATCH)
        LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)


_STOP = object()
_EXECUTE = object()
_QUERY = object()
_THREAD_CPU = "CPU of the COPY thread (Python, psycopg)"


class _Rows:
    """The rows of a query run by a _CopyPipe's thread, once it has run."""

    def __init__(self, pipe: _CopyPipe) -> None:
        self._pipe = pipe
        self.done = threading.Event()
        self.rows: list[tuple] = []

    def get(self) -> list[tuple]:
        while not self.done.wait(0.1):
            self._pipe._raise()
        return self.rows


class _CopyPipe:
    """COPY FROM STDIN and SQL statements on the transaction's psycopg connection, in a thread.

    The importing thread formats rows and hands over blocks of text, and now
    and then SQL statements; this thread runs them in order, so the server
    writes while the file is still being parsed. One COPY at a time is open on
    the connection (it is closed before a statement or a COPY into another
    table). While this thread works nothing else may use the connection: call
    sync() first.
    """

    # Where the time goes, for benchmarks/funds_import.py (None in normal runs): a
    # defaultdict(float) of the wall seconds this thread spent per kind of work
    # ("COPY into the staging table", "INSERT INTO <table>", …);
    # with `explain`, each INSERT runs under EXPLAIN ANALYZE and its triggers' times
    # (lookup terms, foreign-key checks) are added as "trigger <name>".
    timings: dict[str, float] | None = None
    explain = False

    def __init__(self, pg_connection: Any, *, queued: int = 4) -> None:
        self._cursor = pg_connection.cursor()
        self._queue: queue.Queue = queue.Queue(maxsize=queued)
        self._error: BaseException | None = None
        self._aborted = False
        self._thread = threading.Thread(target=self._run, name="statement-copy", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> None:
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
        if not self._thread.is_alive():
            raise RuntimeError("statement COPY thread stopped")

    def send(self, sql: str, data: str) -> None:
        """COPY data (text format) with the COPY … FROM STDIN statement sql."""
        self._put((sql, data.encode()))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a statement after what was sent before (its result is not read)."""
        self._put((_EXECUTE, (sql, params)))

    def query(self, sql: str, params: Sequence[Any] = ()) -> _Rows:
        """Run a query after what was sent before; its rows, when they are wanted: .get()."""
        rows = _Rows(self)
        self._put((_QUERY, (sql, params, rows)))
        return rows

    def sync(self) -> None:
        done = threading.Event()
        self._put((None, done))
        while not done.wait(0.1):
            self._raise()
        self._raise()

    def close(self) -> None:
        self.sync()
        self._put((_STOP, None))
        self._thread.join()

    def _measured(self, sql: str, params: Sequence[Any]) -> None:
        timings, started = self.timings, time.perf_counter()
        assert timings is not None
        label = " ".join(sql.split()[:3])
        if self.explain and label.startswith("INSERT"):
            self._cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            plan = self._cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for trigger in plan[0].get("Triggers", []):
                name = trigger["Trigger Name"]
                name = "foreign keys" if name.startswith("RI_Constraint") else name
                timings[f"{label}: trigger {name}"] += trigger["Time"] / 1000
        else:
            self._cursor.execute(sql, params)
        timings[label] += time.perf_counter() - started

    def abort(self) -> None:
        self._aborted = True
        if self._thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put((_STOP, None), timeout=30)
            self._thread.join(timeout=60)

    def _run(self) -> None:
        copy_block = copy = current = None

        def finish(exc: BaseException | None = None) -> None:
            nonlocal copy_block, copy, current
            if copy_block is not None:
                block, copy_block, copy, current = copy_block, None, None, None
                block.__exit__(type(exc) if exc else None, exc, None)

        try:
            while True:
                sql, data = self._queue.get()
                if self._aborted:
                    finish(RuntimeError("import aborted"))
                    return
                if sql is _STOP:
                    finish()
                    if self.timings is not None:  # this thread's own CPU (the rest: parsing)
                        self.timings[_THREAD_CPU] = time.thread_time()
                    return
                if sql is None:
                    finish()
                    data.set()
                    continue
                timings, started = self.timings, time.perf_counter()
                if sql is _QUERY:
                    finish()
                    query, params, rows = data
                    self._cursor.execute(query, params)
                    rows.rows = self._cursor.fetchall()
                    rows.done.set()
                    if timings is not None:
                        timings["SELECT nextval (ids)"] += time.perf_counter() - started
                    continue
                if sql is _EXECUTE:
                    finish()
                    if timings is None:
                        self._cursor.execute(*data)
                    else:
                        self._measured(*data)
                    continue
                if sql != current:
                    finish()
                    copy_block = self._cursor.copy(sql)
                    copy, current = copy_block.__enter__(), sql
                copy.write(data)
                if timings is not None:
                    into = "funds_lookupterm" if sql == _POSTINGS_COPY else "the staging table"
                    timings[f"COPY into {into}"] += time.perf_counter() - started
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self._error = exc
            with contextlib.suppress(BaseException):  # the first error is the one to report
                finish(exc)


# The staging table's columns that the import fills (line_id and entry_id come
# from the tables' own sequences, as COPY writes each row).
_STAGE_COLUMNS = (
    "line_id",
    "entry_id",
    "fingerprint",
    "row_number",
    "booked_on",
    "booked_at",
    "doc_no",
    "reference",
    "debit",
    "credit",
    "balance",
    "memo",
    "counterparty",
    "donor_guess",
    "status",
    "kind",
    "sign",
    "purpose",
    "voucher_series",
    "voucher_number",
    "search_key",
    "party_key",
    "masked_memo",
)

STAGE_LINES = 50_000  # lines staged before one INSERT … SELECT moves them into the tables
_POSTINGS_COPY = "COPY funds_lookupterm (term, booked_on, n, entry_ids) FROM STDIN"


class _StagedWriter(_Writer):
    """PostgreSQL, set-based: COPY into a temporary staging table, then INSERT … SELECT.

    The file's rows stream by COPY into an unindexed temporary table (no WAL,
    no triggers, no foreign keys) through _CopyPipe, whose thread works while
    this one parses the file; each row takes its statement line id and its
    ledger entry id from the tables' sequences as it arrives, in file order.
    Every STAGE_LINES lines, in that thread: one INSERT … SELECT writes the
    staged statement lines, one the ledger entries (their statement-level
    trigger adds the lookup terms as one set; foreign keys are checked at the
    end of each statement), one keeps (entry id, masked memo) for the public
    log, and the staging table is emptied (TRUNCATE). The memo is masked once
    per line, here, for the search key and the log's leaf. At the end the log
    appends its leaves from that second table (hooks.StagedEntries); both
    tables are dropped at the end of the import (and at commit in any case).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        connection.ensure_connection()
        self.table = f"funds_import_stage_{self.imp.pk}"
        self.log_table = f"funds_import_staged_{self.imp.pk}"
        with connection.cursor() as cursor:
            # Foreign keys checked at the end of each INSERT, not all at commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT pg_get_serial_sequence('funds_statementline', 'id'), "
                "pg_get_serial_sequence('funds_ledgerentry', 'id')"
            )
            self._sequences = cursor.fetchone()
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {self.table} (
                    line_id bigint NOT NULL,
                    entry_id bigint NOT NULL,
                    fingerprint text NOT NULL,
                    row_number integer NOT NULL,
                    booked_on date NOT NULL,
                    booked_at time,
                    doc_no text NOT NULL,
                    reference text NOT NULL,
                    debit bigint NOT NULL,
                    credit bigint NOT NULL,
                    balance bigint,
                    memo text NOT NULL,
                    counterparty text NOT NULL,
                    donor_guess text NOT NULL,
                    status text NOT NULL,
                    kind text NOT NULL,
                    sign smallint NOT NULL,
                    purpose text NOT NULL,
                    voucher_series text NOT NULL,
                    voucher_number integer NOT NULL,
                    search_key text NOT NULL,
                    party_key text NOT NULL,
                    masked_memo text NOT NULL
                ) ON COMMIT DROP
                """
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.log_table} "
                "(entry_id bigint NOT NULL, masked_memo text NOT NULL, leaf_hash bytea) "
                "ON COMMIT DROP"
            )
        self.copy_sql = f"COPY {self.table} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
        # a public fund's leaves are hashed by the server batch by batch (the log's SQL)
        self._leaf_hash = (
            hooks.leaf_hash_sql("e", "s.masked_memo") if self.account.fund.is_public else None
        )
        self._batch_ids: list[str] = []  # the first and the last entry id of the batch
        self._moves = self._move_statements()
        # a whole batch of chunks may wait while the server moves the previous batch
        self._pipe = _CopyPipe(connection.connection, queued=STAGE_LINES // CHUNK + 2)
        self._staged = 0
        self._days: dict[date, str] = {}
        # ids taken from the tables' sequences a block at a time (_take_ids)
        self._line_ids: list[str] = []
        self._entry_ids: list[str] = []
        self._id_block = 0
        self._next_ids: _Rows | None = None
        # the staged receipts' lookup postings: day -> term -> entry ids (text), file order
        self._postings: dict[date, dict[str, list[str]]] = {}

    def _move_statements(self) -> list[tuple[str, list[Any]]]:
        """The statements that move the staged lines into the tables, then empty the stage."""
        stage, person, unknown = self.table, PartyKind.PERSON.value, PartyKind.UNKNOWN.value
        fund_id, account_id = self.account.fund_id, self.account.pk
        # the import's own temporary tables (names it made); every value is bound
        lines = f"""
            INSERT INTO funds_statementline (
                id, account_id, statement_import_id, fingerprint, row_number, booked_on,
                booked_at, doc_no, reference, debit, credit, balance, memo, counterparty,
                donor_guess, status
            )
            SELECT line_id, %s, %s, fingerprint, row_number, booked_on, booked_at, doc_no,
                reference, debit, credit, balance, memo, counterparty, donor_guess, status
            FROM {stage}
            """  # noqa: S608
        entries = f"""
            INSERT INTO funds_ledgerentry (
                id, fund_id, account_id, statement_line_id, amount, booked_on, party_name,
                party_kind, reference, memo, search_key, party_key, voucher_year,
                voucher_number, created_by_id, created_at, kind, sign, purpose,
                voucher_series, channel, beneficiaries
            )
            SELECT entry_id, %s, %s, line_id, debit + credit, booked_on, donor_guess,
                CASE WHEN donor_guess <> '' THEN '{person}' ELSE '{unknown}' END,
                CASE WHEN reference <> '' THEN reference ELSE doc_no END,
                memo, search_key, party_key, extract(year FROM booked_on)::integer,
                voucher_number, %s, %s, kind, sign, purpose, voucher_series, %s, ''
            FROM {stage}
            """  # noqa: S608
        log, kept, keep_params = self.log_table, "entry_id, masked_memo", []
        keep = f"INSERT INTO {log} ({kept}) SELECT {kept} FROM {stage}"  # noqa: S608
        if self._leaf_hash:  # the batch's entry ids, one range of the ledger: bound at _move
            keep = f"""
                INSERT INTO {log} (entry_id, masked_memo, leaf_hash)
                SELECT s.entry_id, s.masked_memo, {self._leaf_hash}
                FROM {stage} s JOIN funds_ledgerentry e ON e.id = s.entry_id
                WHERE e.id BETWEEN %s AND %s
                """  # noqa: S608
            keep_params = self._batch_ids
        staged = "SELECT set_config('mattran.lookup_postings', %s, true)"
        return [
            (lines, [account_id, self.imp.pk]),
            (staged, ["staged"]),
            (entries, [fund_id, account_id, self.user_id, timezone.now(), Channel.BANK.value]),
            (staged, [""]),
            (keep, keep_params),
            (f"TRUNCATE {stage}", []),
        ]

    def sync(self) -> None:
        self._pipe.sync()

    def _day(self, day: date) -> str:
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = day.isoformat()
        return text

    def _take_ids(self, n: int) -> tuple[list[str], list[str]]:
        """n statement line ids and n ledger entry ids (as text), increasing, from the
        tables' sequences.

        Taken a block at a time by the pipe's thread (blocks of CHUNK lines, doubling up
        to STAGE_LINES, each block one row of two comma-separated lists); the next block
        is asked for when half of the current one is used and before each batch's INSERTs
        (_move), so that it is there before it is needed. The ids of the last block that
        the import does not use are skipped by the sequences (as after a rollback).
        """
        while len(self._entry_ids) < n:
            if self._next_ids is None:
                self._ask_ids()
            assert self._next_ids is not None
            ((line_ids, entry_ids),) = self._next_ids.get()
            self._next_ids = None
            self._line_ids += line_ids.split(",")
            self._entry_ids += entry_ids.split(",")
        lines, self._line_ids = self._line_ids[:n], self._line_ids[n:]
        entries, self._entry_ids = self._entry_ids[:n], self._entry_ids[n:]
        if self._next_ids is None and len(self._entry_ids) < self._id_block // 2:
            self._ask_ids()
        return lines, entries

    def _ask_ids(self) -> None:
        self._id_block = min(max(self._id_block * 2, CHUNK), STAGE_LINES)
        self._next_ids = self._pipe.query(
            """
            SELECT string_agg(line_id::text, ',' ORDER BY line_id),
                string_agg(entry_id::text, ',' ORDER BY entry_id)
            FROM (
                SELECT nextval(%s::regclass) AS line_id, nextval(%s::regclass) AS entry_id
                FROM generate_series(1, %s)
            ) AS ids
            """,
            [*self._sequences, self._id_block],
        )

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        day, esc, null, kinds = self._day, _copy_text, "\\N", _KIND_TEXT
        postings = self._postings
        parts = []
        line_ids, entry_ids = self._take_ids(len(rows))
        if self._batch_ids:
            self._batch_ids[1:] = [entry_ids[-1]]
        else:
            self._batch_ids[:] = [entry_ids[0], entry_ids[-1]]
        for r, line_id, entry_id in zip(rows, line_ids, entry_ids, strict=True):
            line = r[R_LINE]
            at, balance, booked_on = line.booked_at, line.balance, line.booked_on
            parts.append(
                # the columns of _STAGE_COLUMNS, in order (a search key is [a-z0-9 ] only)
                f"{line_id}\t{entry_id}\t{r[R_KEY]}\t{line.row_number}\t{day(booked_on)}\t"
                f"{null if at is None else at.isoformat()}\t{esc(r[R_DOC])}\t{esc(r[R_REF])}\t"
                f"{line.debit}\t{line.credit}\t{null if balance is None else balance}\t"
                f"{esc(line.memo)}\t{esc(line.counterparty[:300])}\t{esc(r[R_GUESS])}\t"
                f"{r[R_STATUS]}\t{kinds[r[R_KIND]]}\t{r[R_NUMBER]}\t{r[R_SEARCH]}\t"
                f"{esc(r[R_PARTY])}\t{esc(r[R_MASKED])}\n"
            )
            terms = r[R_TERMS]
            if terms:
                by_term = postings.get(booked_on)
                if by_term is None:
                    by_term = postings[booked_on] = {}
                for term in terms:
                    ids = by_term.get(term)
                    if ids is None:
                        by_term[term] = [entry_id]
                    else:
                        ids.append(entry_id)
        self._pipe.send(self.copy_sql, "".join(parts))
        self._staged += len(rows)
        if self._staged >= STAGE_LINES:
            self._move()

    def _send_postings(self) -> None:
        """The staged receipts' lookup postings, by COPY, as the ledger's trigger would write
        them (migrations 0011/0013: one row per term and day of the insert, ids newest
        first, n their count); the trigger skips the import's own insert."""
        day, sql, size, parts = self._day, _POSTINGS_COPY, 0, []
        for booked_on, by_term in self._postings.items():
            text = day(booked_on)
            for term, ids in by_term.items():
                ids.reverse()
                part = f"{term}\t{text}\t{len(ids)}\t{{{','.join(ids)}}}\n"
                parts.append(part)
                size += len(part)
                if size >= 1 << 21:
                    self._pipe.send(sql, "".join(parts))
                    size, parts = 0, []
        if parts:
            self._pipe.send(sql, "".join(parts))
        self._postings = {}

    def _move(self, *, last: bool = False) -> None:
        if self._staged:
            if self._next_ids is None and not last:  # the next ids before these INSERTs
                self._ask_ids()
            for sql, params in self._moves:
                if params is self._batch_ids:
                    params = [int(params[0]), int(params[-1])]
                self._pipe.execute(sql, params)
            self._batch_ids.clear()
            self._send_postings()
            self._staged = 0

    def close(self) -> None:
        self._move(last=True)
        self._pipe.close()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.log_table}")  # temporary: no autovacuum statistics
        self.staged = hooks.StagedEntries(
            table=self.log_table, fund_id=self.account.fund_id, hashed=bool(self._leaf_hash)
        )

    def abort(self) -> None:
        self._pipe.abort()

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}, {self.log_table}")


# ------------------------------------------------------------------------- import


class _Import:
    """The state of one import run: counters, voucher numbers, the writer."""

    def __init__(self, *, actor, account: FundAccount, imp: StatementImport, layout: Layout):
        self.account, self.fund, self.imp, self.layout = account, account.fund, imp, layout
        user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        writer_class = _StagedWriter if connection.vendor == "postgresql" else _OrmWriter
        self.writer: _Writer = writer_class(account=account, imp=imp, user_id=user_id)
        self.occurrences = OccurrenceCounter()
        self.account_days = self.writer.account_days()  # lines on other days cannot be known
        self.counters: dict[tuple[str, int], VoucherCounter] = {}
        self.next_number: dict[tuple[str, int], int] = {}

    def flush(self, batch: list[tuple[Any, str]]) -> None:
        """Write one chunk of (line, fingerprint): skip known keys, store lines, book entries."""
        if not batch:
            return
        imp, fund, layout = self.imp, self.fund, self.layout
        numbers = self.occurrences.add([fp for _, fp in batch])
        keys = [f"{fp}:{n}" for (_, fp), n in zip(batch, numbers, strict=True)]
        days = self.account_days
        checked = (
            [key for (line, _), key in zip(batch, keys, strict=True) if line.booked_on in days]
            if days
            else []
        )
        existing = self.writer.existing_keys(checked) if checked else set()
        opened_on, closed_on = fund.opened_on, fund.closed_on
        next_number = self.next_number
        rows: list[tuple] = []
        duplicates = 0
        for (line, _), key in zip(batch, keys, strict=True):
            if key in existing:
                duplicates += 1
                continue
            name = ""
            debit, credit = line.debit, line.credit
            memo = line.memo
            if debit:
                status = LineStatus.BOOKED_DEBIT.value
                entry_kind = _FEE if is_bank_fee(memo) else _UNCLASSIFIED
            elif credit:
                name = donor_name(line, layout) or ""
                status = LineStatus.RECEIPT.value
                entry_kind = _RECEIPT
            else:
                continue  # a line moving no money (an information row) is not kept
            day = line.booked_on
            if day < opened_on or (closed_on and day > closed_on):
                raise StatementFormatError(
                    line.row_number,
                    None,
                    f"ngày {day:%d/%m/%Y} nằm ngoài thời gian hoạt động của {fund.name}",
                )
            guess = _nfc(name)[:200] if name else ""
            if debit:
                imp.debits += 1
                imp.debits_amount += debit
            else:
                imp.receipts_created += 1
                imp.receipts_amount += credit
                if not guess:
                    imp.queued += 1  # booked; the donor is not yet identified
                    imp.queued_amount += credit
            series, year = entry_kind[3], day.year
            number = next_number.get((series, year))
            if number is None:
                counter = self.counters[series, year] = self.writer.voucher_counter(series, year)
                number = counter.last_number + 1
            next_number[series, year] = number + 1
            masked = _mask(memo)  # once: for the search key and for the public log's leaf
            search_key, terms = _key_and_term_list(guess, masked)
            rows.append(
                (
                    key,
                    line,
                    line.doc_no[:100],
                    line.reference[:100],
                    guess,
                    status,
                    entry_kind,
                    number,
                    masked,
                    search_key,
                    _fold(guess)[:200],
                    terms if entry_kind is _RECEIPT else (),
                )
            )
        imp.duplicates_skipped += duplicates
        imp.lines_created += len(rows)
        self.writer.write(rows)

    def close(self) -> None:
        self.writer.close()
        for key, counter in self.counters.items():
            VoucherCounter.objects.filter(pk=counter.pk).update(
                last_number=self.next_number[key] - 1
            )


_ACCOUNT_NUMBER = re.compile(r"(?<!\d)\d{9,19}(?!\d)")


def check_statement_account(
    file_name: str,
    account: FundAccount,
    *,
    path: str | os.PathLike[str] | None = None,
    layout: Layout | None = None,
) -> None:
    """Refuse a statement of another account: by its letterhead, else by its file name.

    A bank's export prints the account above the table ("Số tài khoản/Account
    number: 0011001932418", read by letterhead_account when `path` and
    `layout` are given); banks and the volunteers' converters also name files
    after the account ("vcb-0011001932418-…"): a number of 9–19 digits in the
    name that is not this account's number means the wrong file or the wrong
    account was chosen.
    """
    own = re.sub(r"\D", "", account.account_number)
    if path is not None and layout is not None:
        printed = letterhead_account(path, layout)
        if printed and printed != own:
            raise UserFacingError(
                f"Sao kê “{file_name}” ghi ở phần đầu số tài khoản {printed}, không phải tài "
                f"khoản {account} của quỹ: không nhập dòng nào. Hãy chọn đúng tài khoản hoặc "
                "đúng tệp."
            )
    numbers = _ACCOUNT_NUMBER.findall(Path(file_name).stem)
    if numbers and account.account_number not in numbers and own not in numbers:
        raise UserFacingError(
            f"Tệp “{file_name}” là sao kê của tài khoản {numbers[0]}, không phải tài khoản "
            f"{account} của quỹ: không nhập dòng nào. Hãy chọn đúng tài khoản hoặc đúng tệp."
        )


def statement_opening(days: Sequence[DayReconciliation]) -> int | None:
    """The account's balance before the statement's first line, when the statement says it.

    From the first row's printed balance (Agribank prints one on every row) or,
    when only day-end balances are printed (Vietcombank), from the first day's
    closing balance minus that day's movements.
    """
    if not days:
        return None
    first = days[0]
    if first.opening_balance is not None:
        return first.opening_balance
    if first.closing_balance is not None:
        return first.closing_balance - first.credits + first.debits
    return None


def _book_opening(*, actor, account: FundAccount, days, file_name: str) -> None:
    """Take the account's opening balance from its first statement (once per account)."""
    opening = statement_opening(days)
    if not opening or opening < 0:
        return
    first_day = days[0].day
    known = LedgerEntry.objects.filter(account=account)
    if (
        known.filter(kind=EntryKind.OPENING).exists()
        or known.filter(booked_on__lt=first_day).exists()
    ):
        return
    account_opening_record(
        actor=actor,
        account=account,
        amount=opening,
        booked_on=first_day,
        note=f"Số dư đầu kỳ theo sao kê {file_name[:200]}",
    )


@contextlib.contextmanager
def _without_cycle_collection():
    """The file's pass without Python's cyclic garbage collector (reference counting still
    frees everything the import drops: its rows, tuples and lists hold no cycles).

    The pass allocates a few container objects per line (row tuples, term lists), so the
    collector ran again and again over them: 18 % of the parsing thread's CPU at 100 k
    lines (93 → 77 µs/line, /tmp/h9q/split.py, stop 21). Imports run in job workers
    (funds.jobs) and commands; the collector is enabled again at the end, as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


STALE_SHARE = 0.1  # as autovacuum's analyze scale factor, but at once


def stale_tables() -> list[str]:
    """The tables this transaction grew by a tenth or more of what the planner knows (PostgreSQL).

    From the transaction's own counters (pg_stat_xact_user_tables: rows it
    inserted per table) against the rows the planner's statistics count
    (pg_class.reltuples; -1 = never analysed): the statement lines, ledger
    entries, lookup postings and the public log's leaves and tiles of a big
    import, whatever they are at the time. Call before the commit.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.relname FROM pg_stat_xact_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname NOT LIKE 'pg\\_temp%%' AND s.n_tup_ins > 0
              AND s.n_tup_ins >= %s * GREATEST(c.reltuples, 0)
            ORDER BY s.relname
            """,
            [STALE_SHARE],
        )
        return [name for (name,) in cursor.fetchall()]


def refresh_statistics(tables: Sequence[str]) -> None:
    """ANALYZE the tables a bulk import made stale (stale_tables; PostgreSQL, after the commit).

    Right after a big COPY the planner's statistics still describe the old
    tables (autovacuum analyses them later, asynchronously): it then takes a
    word of a million rows for a rare one and picks a slow plan. Analysing
    here costs a sample of each table (about a second at millions of rows).
    """
    if connection.vendor != "postgresql" or not tables:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(t) for t in tables)}")


def statement_import_run(
    *,
    actor,
    account: FundAccount,
    path: str | os.PathLike[str],
    file_name: str,
    layout_code: str,
    mapping: dict | None = None,
    progress: Progress | None = None,
    job=None,
) -> StatementImport:
    """Import a statement file into a bank account of a fund. All-or-nothing; see module doc."""
    fund = account.fund
    require_perm(actor, Perm.EDIT, fund.unit, "nhập sao kê vào quỹ")
    if account.kind != AccountKind.BANK:
        raise UserFacingError("Chỉ nhập được sao kê vào tài khoản ngân hàng.")
    layout = layout_from(layout_code, mapping)
    check_statement_account(file_name, account, path=path, layout=layout)
    if progress:  # a pass over the file only to size the progress bar
        total = count_rows(path, layout)
        progress.update(0, total=total, message="Đang đọc và đối chiếu sao kê")
    sha = file_sha256(path)
    with transaction.atomic():
        fund = lock_fund(fund)
        account.fund = fund
        imp = StatementImport.objects.create(
            account=account,
            layout=layout.code,
            mapping=mapping,
            file_name=file_name[:255],
            file_sha256=sha,
            stored_path=str(path)[:500],
            job=job,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        reconciler = Reconciler()
        run = _Import(actor=actor, account=account, imp=imp, layout=layout)
        rows_read = 0
        try:
            with _without_cycle_collection():
                batch: list[tuple[Any, str]] = []
                feed, sha256 = reconciler.feed, hashlib.sha256
                for line in iter_lines(path, layout):
                    rows_read += 1
                    feed(line)
                    data = _fingerprint_data(line, normalized=True)  # lines from iter_lines
                    batch.append((line, sha256(data.encode()).hexdigest()))
                    if len(batch) >= CHUNK:
                        run.flush(batch)
                        batch = []
                        if progress:
                            progress.update(rows_read)
                run.flush(batch)
                run.close()
        except BaseException:
            run.writer.abort()
            raise
        if rows_read == 0:
            raise UserFacingError("Tệp sao kê không có dòng giao dịch nào.")
        days = reconciler.finish()
        _book_opening(actor=actor, account=account, days=days, file_name=file_name)
        imp.rows_read = rows_read
        imp.reconciliation = [day_to_json(d) for d in days]
        imp.status = "done"
        imp.save()
        # the public log, same transaction (from the staging table where there is one)
        hooks.entries_booked(statement_import=imp, staged=run.writer.staged)
        run.writer.drop()
        counts = imp.reconciliation_counts()
        audit_record(
            actor=actor,
            action="statement.import",
            obj=imp,
            unit=fund.unit,
            after=snapshot(
                imp,
                fields=[
                    "file_name",
                    "file_sha256",
                    "layout",
                    "rows_read",
                    "lines_created",
                    "duplicates_skipped",
                    "receipts_created",
                    "receipts_amount",
                    "queued",
                    "debits",
                ],
            ),
            note=f"{counts['reconciled']} ngày khớp số dư, {counts['gap']} ngày lệch",
        )
        stale = stale_tables()
    refresh_statistics(stale)
    if progress:
        progress.update(
            rows_read,
            total=rows_read,
            message=(
                f"Đã nhập {rows_read} dòng: {imp.receipts_created} khoản thu "
                f"({format_money(imp.receipts_amount)}, {imp.queued} chưa xác định người ủng hộ), "
                f"{imp.debits} khoản chi, {imp.duplicates_skipped} dòng trùng bỏ qua"
            ),
        )
    return imp


def import_summary_lines(imp: StatementImport) -> list[str]:
    """What the command line prints after an import (Vietnamese)."""
    counts = imp.reconciliation_counts()
    lines = [
        f"Số dòng đọc: {imp.rows_read}",
        f"Dòng mới: {imp.lines_created}; dòng trùng bỏ qua: {imp.duplicates_skipped}",
        f"Khoản thu đã ghi: {imp.receipts_created} ({format_money(imp.receipts_amount)})",
        f"  trong đó chưa xác định người ủng hộ: {imp.queued} ({format_money(imp.queued_amount)})",
        f"Khoản chi đã ghi (dòng ghi nợ: phí ngân hàng hoặc chưa phân loại): {imp.debits} "
        f"({format_money(imp.debits_amount)})",
        f"Đối chiếu số dư: {counts['reconciled']} ngày khớp, {counts['gap']} ngày lệch, "
        f"{counts['unverifiable']} ngày không kiểm tra được",
    ]
    lines += ["  " + day["message"] for day in imp.reconciliation]
    return lines
