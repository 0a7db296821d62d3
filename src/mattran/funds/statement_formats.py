"""Bank-statement layouts, a streaming CSV/XLSX reader, balance checks and dedup keys.

Pure Python (no Django). Amounts are whole đồng (int). A layout says how to read
each column, including the thousands separator: the reader never guesses from a
value ("50.000" is fifty thousand in a Vietcombank file; "200,000" is two hundred
thousand in an Agribank file).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import IO, Literal

from mattran.core.errors import RowError, UserFacingError
from mattran.core.text import printable
from mattran.core.vietnamese import fold, format_money, nfc

__all__ = [
    "LAYOUTS",
    "BalanceBreak",
    "Reconciler",
    "ColumnMapping",
    "DayReconciliation",
    "Layout",
    "StatementFormatError",
    "StatementLine",
    "custom_layout",
    "donor_name",
    "donor_name_from_memo",
    "fingerprints_with_occurrence",
    "get_layout",
    "iter_lines",
    "letterhead_account",
    "line_fingerprint",
    "reconcile_days",
]


# ------------------------------------------------------------------------- errors


class StatementFormatError(UserFacingError):
    """A cell or header the layout cannot read; the message is Vietnamese."""

    def __init__(self, row_number: int | None, column: str | None, message_vi: str):
        self.row_number = row_number
        self.column = column
        self.message_vi = message_vi
        if row_number is None:
            text = message_vi
        elif column:
            text = f"Dòng {row_number}, cột '{column}': {message_vi}"
        else:
            text = f"Dòng {row_number}: {message_vi}"
        super().__init__(text)

    @property
    def row_error(self) -> RowError:
        """The same problem as a RowError, for ImportValidationError lists."""
        return RowError(self.row_number, self.column, self.message_vi)


# ------------------------------------------------------------------------ layouts


@dataclass(frozen=True)
class ColumnMapping:
    """Which header names hold which field, and how to read them.

    Give either ``debit``/``credit`` (amounts ≥ 0) or one signed ``amount``
    column (negative = debit). ``thousands_sep`` is ".", ",", " " or "" (no
    grouping); ``decimal_sep`` is set only if amounts carry a fraction (it must
    be zero: đồng have no subunit). ``date_format`` may include a time
    ("%d/%m/%Y %H:%M:%S"). ``skip_rows`` lines (bank letterhead) precede the header.
    """

    date: str
    memo: str
    date_format: str = "%d/%m/%Y"
    time: str | None = None
    time_format: str = "%H:%M:%S"
    debit: str | None = None
    credit: str | None = None
    amount: str | None = None
    balance: str | None = None
    reference: str | None = None
    doc_no: str | None = None
    counterparty: str | None = None
    thousands_sep: str = "."
    decimal_sep: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    skip_rows: int = 0

    def __post_init__(self) -> None:
        if self.thousands_sep not in {".", ",", " ", ""}:
            raise ValueError(f"Dấu phân cách hàng nghìn không hợp lệ: {self.thousands_sep!r}")
        if self.decimal_sep is not None and (
            self.decimal_sep not in {".", ","} or self.decimal_sep == self.thousands_sep
        ):
            raise ValueError(f"Dấu thập phân không hợp lệ: {self.decimal_sep!r}")
        if self.amount is None and self.debit is None and self.credit is None:
            raise ValueError("Cần cột số tiền: 'amount' hoặc 'debit'/'credit'")
        if self.amount is not None and (self.debit or self.credit):
            raise ValueError("Chỉ chọn một cách ghi số tiền: 'amount' hoặc 'debit'/'credit'")

    def required_columns(self) -> list[str]:
        """Every mapped header name, in a stable order."""
        names = [
            self.date,
            self.time,
            self.doc_no,
            self.reference,
            self.debit,
            self.credit,
            self.amount,
            self.balance,
            self.memo,
            self.counterparty,
        ]
        return [n for n in names if n]


@dataclass(frozen=True)
class Layout:
    """A bank's statement layout: columns plus what its memos and counterparty look like."""

    code: str
    bank_name: str
    columns: ColumnMapping
    memo_prefixes: tuple[str, ...] = ()
    counterparty_suffix: str | None = None
    counterparty_prefixes: tuple[str, ...] = ()
    counterparty_is_remitter: bool = False
    source: str = ""


# Prefixes that banks put before the sender's own words; stripped before looking
# for a name. Seen in the three sample files.
_VCB_PREFIXES = (
    # MBVCB.6916176124.  /  MBVCB.7017259990.203372.
    r"(?:MB|IB)VCB\.\d+\.(?:\d+\.)?",
    # 292976.010924.013647.   (NAPAS trace . ddmmyy . hhmmss .)
    r"\d{6}\.\d{6}\.\d{6}\.",
    # 0200970405090110461220240JDC5013867.96713 .104607.Vietcombank:0011001932418:
    r"\d{16,}\w*\.[\d ]*\.[\d ]*\.(?:Vietcombank:\d+:)?",
    # PARTNER.DIRECT_DEBITS_VCB.MSE.6619 4752977.20240906.66194752977-0888160108_
    r"PARTNER\.DIRECT_DEBITS_VCB\.\w+\.[\w ]+\.\d{8}\.(?:\d+-\d+_)?",
    r"IBFT\s+",
)
_INTERBANK_PREFIXES = (
    r"CT nhanh 247 den:\s*",
    r"Chuyen tien den tu NAPAS Noi dung:\s*",
    r"MB\(\d+\)\(",  # Agribank: MB(811987)(NGUYEN THI MINH THU chuyen tien)
    r"\d{8,}-\d{9,11}-",  # MoMo: 66686960533-0979828575-TRAN THANH HOA
    r"IBFT\s+",
)

VCB = Layout(
    code="vcb",
    bank_name="Vietcombank",
    columns=ColumnMapping(
        date="TNXDate",
        doc_no="DocNo",
        debit="Debit",
        credit="Credit",
        balance="Balance",
        memo="Transactions in Detail",
        thousands_sep=".",
    ),
    memo_prefixes=_VCB_PREFIXES,
    source="CSV of the published PDF, tracuusaoke/tra-cuu-sao-ke (balance on day-end rows)",
)

_AGRIBANK_COLUMNS = ColumnMapping(
    date="Date",
    time="Time",
    doc_no="DocumentNumber",
    reference="ReferenceNumber",
    memo="TransactionDetails",
    debit="DebitAmount",
    credit="CreditAmount",
    balance="Balance",
    counterparty="OffsetAccount",
    thousands_sep=",",
)

AGRIBANK = Layout(
    code="agribank",
    bank_name="Agribank",
    columns=_AGRIBANK_COLUMNS,
    memo_prefixes=_VCB_PREFIXES + _INTERBANK_PREFIXES,
    source="CSV of the published PDF, tracuusaoke/tra-cuu-sao-ke (balance on every row)",
)

VIETINBANK = Layout(
    code="vietinbank",
    bank_name="VietinBank",
    columns=_AGRIBANK_COLUMNS,
    memo_prefixes=_INTERBANK_PREFIXES + _VCB_PREFIXES,
    # "LUONG THI HA – A/C", sometimes wrapped: "... –\nA/C"
    counterparty_suffix=r"\s*[–-]\s*A/C\s*$",
    counterparty_prefixes=(r"VND-TGTT-",),
    counterparty_is_remitter=True,
    source="CSV of the published PDF, tracuusaoke/tra-cuu-sao-ke (no balance column filled)",
)

# BIDV: no CSV sample. The Central Committee's BIDV statement 1261122666 for
# 01–12/09/2024 was published only as a PDF whose table header is
# "STT (No) | Ngày giao dịch (Trans.Date) | Phát sinh có (Credit amount) |
# Diễn giải (Txn. Description)", dates "10/09/2024 01:03:56", amounts "200.000",
# memos "1261122666 NGUYEN THI HUYEN TRANG Chuyen tien; thoi gian GD:09092024
# 23:55:31" (seen in the PDF parsers of HoangTran0410/saoke_yagi parse.js and
# ngtuonghy/saokemttqvn). No volunteer CSV with fixed headers was found, so this
# is a documented ColumnMapping preset using the PDF's Vietnamese headers:
# credit-only, no balance, STT kept as doc_no. Adjust the header names with a
# custom ColumnMapping if a converter names them differently.
BIDV = Layout(
    code="bidv",
    bank_name="BIDV",
    columns=ColumnMapping(
        date="Ngày giao dịch",
        date_format="%d/%m/%Y %H:%M:%S",
        doc_no="STT",
        credit="Phát sinh có",
        memo="Diễn giải",
        thousands_sep=".",
        decimal_sep=",",
    ),
    memo_prefixes=(r"\d{8,14}\s+",) + _INTERBANK_PREFIXES,
    source="preset from the published PDF's headers; no CSV sample",
)

LAYOUTS: dict[str, Layout] = {lay.code: lay for lay in (VCB, VIETINBANK, AGRIBANK, BIDV)}


def get_layout(code: str) -> Layout:
    """The preset layout for a bank code ("vcb", "vietinbank", "agribank", "bidv")."""
    try:
        return LAYOUTS[code]
    except KeyError:
        raise UserFacingError(f"Không có mẫu sao kê cho ngân hàng '{code}'") from None


def custom_layout(columns: ColumnMapping, *, code: str = "custom", bank_name: str = "") -> Layout:
    """A layout for any other CSV/XLSX export, from a column mapping."""
    return Layout(code=code, bank_name=bank_name or code, columns=columns)


# -------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class StatementLine:
    """One transaction row of a statement."""

    row_number: int
    booked_on: date
    booked_at: time | None
    doc_no: str
    reference: str
    debit: int
    credit: int
    balance: int | None
    memo: str
    counterparty: str
    raw: Mapping[str, object] = field(compare=False, repr=False)


class _RawRow(Mapping[str, object]):
    """The cells of a row by header name, without building a dict per row.

    Same content as ``{name: cells[i] if i < len(cells) else None for i, name in ...}``
    (a repeated header name gives its last column).
    """

    __slots__ = ("_cells", "_index")

    def __init__(self, index: dict[str, int], cells: Sequence[object]):
        self._index = index
        self._cells = cells

    def __getitem__(self, name: str) -> object:
        i = self._index[name]
        return self._cells[i] if i < len(self._cells) else None

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


_new_object = object.__new__


def _make_line(**values: object) -> StatementLine:
    """A StatementLine without the frozen dataclass's per-field __setattr__ (hot path)."""
    line = _new_object(StatementLine)
    line.__dict__.update(values)
    return line


_HUMAN_FORMAT = (
    ("%d", "dd"),
    ("%m", "mm"),
    ("%Y", "yyyy"),
    ("%y", "yy"),
    ("%H", "hh"),
    ("%M", "mi"),
    ("%S", "ss"),
)


def _human_format(fmt: str) -> str:
    for directive, text in _HUMAN_FORMAT:
        fmt = fmt.replace(directive, text)
    return fmt


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _nfc(text: str) -> str:
    """nfc() with a fast path: printable ASCII without double spaces only needs strip()."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip()
    return nfc(printable(text))  # control characters of a statement are dropped (core/text.py)


_FOLDED: dict[str, str] = {}


def _fold(text: str) -> str:
    """fold() with a fast path for ASCII and a bounded cache (names and words repeat)."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip().lower()
    folded = _FOLDED.get(text)
    if folded is None:
        if len(_FOLDED) >= 50_000:
            _FOLDED.clear()
        folded = _FOLDED[text] = fold(text)
    return folded


@functools.lru_cache(maxsize=16)
def _amount_patterns(thousands_sep: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    sep = re.escape(thousands_sep)
    grouped = re.compile(rf"\d{{1,3}}(?:{sep}\d{{3}})+") if sep else None
    return re.compile(r"\d+"), grouped


def _parse_amount(
    value: object, mapping: ColumnMapping, row: int, column: str, *, signed: bool = False
) -> int | None:
    """Whole đồng from a cell, read strictly with the layout's separators; blank → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None

    def bad() -> StatementFormatError:
        return StatementFormatError(row, column, f"số tiền '{_cell_text(value)}' không hợp lệ")

    if isinstance(value, bool):
        raise bad()
    if isinstance(value, int | float | Decimal):  # typed XLSX cells
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise bad() from None
        if number != number.to_integral_value():
            raise StatementFormatError(row, column, f"số tiền '{value}' có phần lẻ dưới một đồng")
        result = int(number)
    else:
        text = str(value).strip().replace("\u00a0", " ")
        sign = 1
        if signed and text[:1] in "+-":
            sign = -1 if text[0] == "-" else 1
            text = text[1:].strip()
        if mapping.decimal_sep and mapping.decimal_sep in text:
            text, _, fraction = text.rpartition(mapping.decimal_sep)
            if not fraction.isdigit():
                raise bad()
            if int(fraction):
                raise StatementFormatError(
                    row, column, f"số tiền '{_cell_text(value)}' có phần lẻ dưới một đồng"
                )
        plain, grouped = _amount_patterns(mapping.thousands_sep)
        if not (plain.fullmatch(text) or (grouped and grouped.fullmatch(text))):
            raise bad()
        digits = text.replace(mapping.thousands_sep, "") if grouped else text
        result = sign * int(digits)
    if result < 0 and not signed:
        raise bad()
    return result


def _parse_date(value: object, fmt: str, row: int, column: str) -> tuple[date, time | None]:
    has_time = any(d in fmt for d in ("%H", "%M", "%S", "%I"))
    if isinstance(value, datetime):
        return value.date(), (value.time() if has_time else None)
    if isinstance(value, date):
        return value, None
    text = _cell_text(value)
    if not text:
        raise StatementFormatError(row, column, "thiếu ngày giao dịch")
    try:
        # Naive on purpose: a booking date as printed by the bank, no time zone.
        parsed = datetime.strptime(text, fmt)  # noqa: DTZ007
    except ValueError:
        raise StatementFormatError(
            row, column, f"ngày '{text}' không đúng định dạng {_human_format(fmt)}"
        ) from None
    return parsed.date(), (parsed.time() if has_time else None)


_FAST_DIRECTIVES = {"%d": r"(?P<d>\d\d)", "%m": r"(?P<m>\d\d)", "%Y": r"(?P<Y>\d{4})"}
_FAST_DIRECTIVES |= {"%H": r"(?P<H>\d\d)", "%M": r"(?P<M>\d\d)", "%S": r"(?P<S>\d\d)"}


def _fast_date_pattern(fmt: str) -> re.Pattern[str] | None:
    """A regex for the common formats (%d %m %Y [%H %M %S] with literal separators).

    It accepts a subset of what strptime accepts (exactly two-digit fields), so
    every value it reads strptime reads the same way; anything else goes to strptime.
    """
    parts = re.split(r"(%.)", fmt)
    directives = parts[1::2]
    if not directives or len(set(directives)) != len(directives):
        return None
    if any(d not in _FAST_DIRECTIVES for d in directives) or not {"%d", "%m", "%Y"} <= set(
        directives
    ):
        return None
    if any("%" in literal or not literal.isascii() for literal in parts[0::2]):
        return None
    pattern = "".join(
        _FAST_DIRECTIVES[part] if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )
    return re.compile(pattern)


def _date_reader(fmt: str, column: str) -> Callable[[object, int], tuple[date, time | None]]:
    """_parse_date for one column, cached by cell text and with a regex fast path."""
    has_time = any(d in fmt for d in ("%H", "%M", "%S", "%I"))
    fast = _fast_date_pattern(fmt)
    cache: dict[str, tuple[date, time | None]] = {}

    def read(value: object, row: int) -> tuple[date, time | None]:
        if value.__class__ is not str:
            return _parse_date(value, fmt, row, column)
        found = cache.get(value)  # type: ignore[arg-type]
        if found is not None:
            return found
        text = value.strip()  # type: ignore[union-attr]
        match = fast.fullmatch(text) if fast is not None else None
        found = None
        if match is not None:
            g = match.groupdict()
            try:
                at = datetime(  # noqa: DTZ001 - naive booking time, as printed by the bank
                    int(g["Y"]),
                    int(g["m"]),
                    int(g["d"]),
                    int(g.get("H") or 0),
                    int(g.get("M") or 0),
                    int(g.get("S") or 0),
                )
            except ValueError:
                pass  # out of range: strptime gives the error message
            else:
                found = (at.date(), at.time() if has_time else None)
        if found is None:
            found = _parse_date(value, fmt, row, column)
        if len(cache) >= 4096:
            cache.clear()
        cache[value] = found  # type: ignore[index]
        return found

    return read


def _amount_reader(
    mapping: ColumnMapping, column: str, *, signed: bool = False
) -> Callable[[object, int], int | None]:
    """_parse_amount for one column, cached by cell text (amounts repeat: "50.000")."""
    cache: dict[str, int | None] = {}
    missing = object()

    def read(value: object, row: int) -> int | None:
        if value.__class__ is not str:
            return _parse_amount(value, mapping, row, column, signed=signed)
        found = cache.get(value, missing)  # type: ignore[arg-type]
        if found is missing:
            found = _parse_amount(value, mapping, row, column, signed=signed)
            if len(cache) >= 4096:
                cache.clear()
            cache[value] = found  # type: ignore[index]
        return found  # type: ignore[return-value]

    return read


def _parse_time(value: object, fmt: str, row: int, column: str) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    text = _cell_text(value)
    if not text:
        return None
    try:
        return datetime.strptime(text, fmt).time()  # noqa: DTZ007
    except ValueError:
        raise StatementFormatError(
            row, column, f"giờ '{text}' không đúng định dạng {_human_format(fmt)}"
        ) from None


def _clean_counterparty(value: object, layout: Layout) -> str:
    text = nfc(_cell_text(value))
    if layout.counterparty_suffix:
        text = re.sub(layout.counterparty_suffix, "", text)
    return text.strip()


def _cell_nfc(value: object) -> str:
    """nfc(_cell_text(value)), fast for text cells."""
    if value.__class__ is str:
        return _nfc(value.strip())  # type: ignore[union-attr]
    if value is None:
        return ""
    return nfc(_cell_text(value))


def _is_blank(cells: Sequence[object]) -> bool:
    for c in cells:
        if c is not None and (c.strip() if c.__class__ is str else str(c).strip()):  # type: ignore[union-attr]
            return False
    return True


def _check_header(header: Sequence[object], mapping: ColumnMapping) -> dict[str, int]:
    names = [nfc(_cell_text(h)).lstrip("\ufeff").strip() for h in header]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        positions.setdefault(name, index)
    required = mapping.required_columns()
    missing = [column for column in required if nfc(column) not in positions]
    if len(missing) == 1 and len(required) > 2:
        column = missing[0]
        raise StatementFormatError(None, column, f"Thiếu cột '{column}' trong tệp")
    if missing:
        # most columns unknown: another bank's layout, or headers in another language
        found = ", ".join(f"'{n}'" for n in names[:12] if n) or "không có"
        raise StatementFormatError(
            None,
            None,
            "Dòng tiêu đề của tệp không khớp mẫu sao kê đã chọn: cần các cột "
            + ", ".join(f"'{c}'" for c in required)
            + f"; tệp có các cột {found}. Hãy chọn đúng mẫu của ngân hàng, "
            "hoặc dùng “Mẫu khác (ánh xạ cột)” để chỉ cột nào là ngày, số tiền, nội dung",
        )
    return positions


# Rows a bank's letterhead may take above the column header ("SAO KÊ TÀI KHOẢN",
# "Số tài khoản/Account number: 0011001932418", the period, the account name...).
LETTERHEAD_ROWS = 30


def _is_header(row: Sequence[object], mapping: ColumnMapping) -> bool:
    names = {nfc(_cell_text(h)).lstrip("\ufeff").strip() for h in row}
    return all(nfc(column) in names for column in mapping.required_columns())


def _skip_letterhead(
    rows: Iterator[Sequence[object]], mapping: ColumnMapping
) -> tuple[list[Sequence[object]], Sequence[object] | None]:
    """(letterhead rows, header row): the rows above the column header, and the header.

    The header is the first row naming every mapped column among the first
    skip_rows + LETTERHEAD_ROWS rows. When none does, the first row after
    skip_rows is returned as the header (its check then says what is wrong).
    """
    letterhead: list[Sequence[object]] = []
    for _ in range(mapping.skip_rows):
        row = next(rows, None)
        if row is None:
            return letterhead, None
        letterhead.append(row)
    seen: list[Sequence[object]] = []
    for row in rows:
        if _is_header(row, mapping):
            return letterhead + seen, row
        seen.append(row)
        if len(seen) > LETTERHEAD_ROWS:
            break
    first = next((row for row in seen if not _is_blank(row)), None)
    return letterhead, first


def _iter_rows_to_lines(
    rows: Iterator[Sequence[object]], layout: Layout
) -> Iterator[StatementLine]:
    mapping = layout.columns
    _, header = _skip_letterhead(rows, mapping)
    if header is None:
        raise StatementFormatError(None, None, "Tệp trống, không có dòng tiêu đề")
    positions = _check_header(header, mapping)
    names = [_cell_text(h) for h in header]
    width = len(names)
    raw_index = {name: i for i, name in enumerate(names)}

    unmapped = 1 << 30  # an index no row reaches: the cell reads as None

    def index_of(column: str | None) -> int:
        return positions[nfc(column)] if column is not None else unmapped

    i_date, i_time, i_amount = index_of(mapping.date), index_of(mapping.time), unmapped
    i_debit, i_credit = index_of(mapping.debit), index_of(mapping.credit)
    i_balance, i_doc = index_of(mapping.balance), index_of(mapping.doc_no)
    i_ref, i_memo = index_of(mapping.reference), index_of(mapping.memo)
    i_party = index_of(mapping.counterparty)
    if mapping.amount:
        i_amount = index_of(mapping.amount)
        read_amount = _amount_reader(mapping, mapping.amount, signed=True)
    read_debit = _amount_reader(mapping, mapping.debit) if mapping.debit else None
    read_credit = _amount_reader(mapping, mapping.credit) if mapping.credit else None
    read_balance = (
        _amount_reader(mapping, mapping.balance, signed=True) if mapping.balance else None
    )
    read_date = _date_reader(mapping.date_format, mapping.date)
    suffix = re.compile(layout.counterparty_suffix) if layout.counterparty_suffix else None

    for row_number, cells in enumerate(rows, start=1):
        n = len(cells)
        if _is_blank(cells):
            continue  # blank row (trailing lines of an export)
        if n > width and any(_cell_text(c) for c in cells[width:]):
            raise StatementFormatError(
                row_number, None, f"có {n} ô, nhiều hơn {width} cột của tiêu đề"
            )
        booked_on, booked_at = read_date(cells[i_date] if i_date < n else None, row_number)
        if mapping.time:
            at = _parse_time(
                cells[i_time] if i_time < n else None,
                mapping.time_format,
                row_number,
                mapping.time,
            )
            booked_at = at or booked_at
        if mapping.amount:
            signed = read_amount(cells[i_amount] if i_amount < n else None, row_number)
            if signed is None:
                raise StatementFormatError(row_number, mapping.amount, "thiếu số tiền")
            debit, credit = (-signed, 0) if signed < 0 else (0, signed)
        else:
            debit = (
                (read_debit(cells[i_debit] if i_debit < n else None, row_number) or 0)
                if (read_debit)
                else 0
            )
            credit = (
                (read_credit(cells[i_credit] if i_credit < n else None, row_number) or 0)
                if read_credit
                else 0
            )
        balance = (
            read_balance(cells[i_balance] if i_balance < n else None, row_number)
            if read_balance
            else None
        )
        if i_party != unmapped:
            counterparty = _cell_nfc(cells[i_party] if i_party < n else None)
            if suffix is not None and counterparty:
                counterparty = suffix.sub("", counterparty)
            counterparty = _nfc(counterparty)
        else:
            counterparty = ""
        yield _make_line(
            row_number=row_number,
            booked_on=booked_on,
            booked_at=booked_at,
            doc_no=_cell_nfc(cells[i_doc] if i_doc < n else None),
            reference=_cell_nfc(cells[i_ref] if i_ref < n else None),
            debit=debit,
            credit=credit,
            balance=balance,
            memo=_cell_nfc(cells[i_memo] if i_memo < n else None),
            counterparty=counterparty,
            raw=_RawRow(raw_index, cells),
        )


# "Số tài khoản/Account number: 0011001932418", "STK: 1500 2011 13838", "A/C No.: …"
# (folded text; "số dư tài khoản" is a balance, not a number of the account)
_LETTERHEAD_ACCOUNT = re.compile(
    r"(?:(?<!du )\btai khoan(?: so)?|\bso tk|\bstk|\baccount (?:number|no)|\ba/c(?: no)?)"
    r"\b[^0-9]{0,40}?(\d(?:[ .\-]?\d){8,18})(?!\d)"
)


def letterhead_account(path: str | os.PathLike[str], layout: Layout) -> str | None:
    """The account number a statement's letterhead names (rows above its column header).

    Bank exports (Vietcombank, VietinBank, Agribank internet banking; the
    published PDFs) print "Số tài khoản/Account number: …" above the table;
    the volunteers' CSVs of the samples start with the column header and have
    none (None). Digits only; an unreadable file gives None (the import
    itself reports why).
    """
    path = Path(path)
    mapping = layout.columns
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            with contextlib.closing(_iter_xlsx_rows(path)) as rows:
                letterhead, _ = _skip_letterhead(rows, mapping)
        else:
            with path.open(encoding=mapping.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=mapping.delimiter)
                letterhead, _ = _skip_letterhead(reader, mapping)
    except Exception:  # noqa: BLE001 - an unreadable file: the import says why
        return None
    for row in letterhead:
        text = fold(" ".join(_cell_text(c) for c in row))
        found = _LETTERHEAD_ACCOUNT.search(text)
        if found:
            return re.sub(r"\D", "", found.group(1))
    return None


def _iter_xlsx_rows(path: Path) -> Iterator[Sequence[object]]:
    from mattran.core.uploads import xlsx_open, xlsx_reading

    workbook = xlsx_open(path)  # refuses zip bombs and broken archives before openpyxl reads
    try:
        with xlsx_reading():
            yield from workbook.active.iter_rows(values_only=True)
    finally:
        workbook.close()


def iter_lines(
    source: str | os.PathLike[str] | IO[str] | IO[bytes], layout: Layout
) -> Iterator[StatementLine]:
    """Stream the lines of a CSV (path or open file) or XLSX (path) in file order.

    Row numbers count data rows from 1 (the header is not counted). Raises
    StatementFormatError naming the row and column of the first bad cell.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            yield from _iter_rows_to_lines(_iter_xlsx_rows(path), layout)
            return
        with path.open(encoding=layout.columns.encoding, newline="") as handle:
            yield from _iter_rows_to_lines(
                _csv_rows(csv.reader(handle, delimiter=layout.columns.delimiter), layout), layout
            )
        return
    rows = _csv_rows(
        csv.reader(
            _text_lines(source, layout.columns.encoding), delimiter=layout.columns.delimiter
        ),
        layout,
    )
    first = next(rows, None)
    if first:
        first = [first[0].lstrip("\ufeff"), *first[1:]]  # BOM left in a text stream
    yield from _iter_rows_to_lines(chain([first] if first is not None else [], rows), layout)


def _csv_rows(reader, layout: Layout) -> Iterator[list[str]]:
    """The reader's rows; a file that is not text in the layout's encoding, or not CSV
    (NUL bytes, a broken quote), is a Vietnamese error naming the line, not a crash."""
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise StatementFormatError(None, None, _encoding_message(exc, reader, layout)) from exc
    except csv.Error as exc:
        raise StatementFormatError(
            None,
            None,
            f"Tệp CSV hỏng ở dòng {reader.line_num}: có ký tự NUL hoặc dấu ngoặc kép không "
            "đóng; hãy xuất lại sao kê",
        ) from exc


def _encoding_message(exc: UnicodeDecodeError, reader, layout: Layout) -> str:
    """What to tell a person whose file is not in the layout's encoding (Vietnamese)."""
    where = f"(lỗi gần dòng {reader.line_num + 1})"
    raw = exc.object[:4] if isinstance(exc.object, bytes | bytearray) else b""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        kind = "bảng mã UTF-16 (Excel “Unicode Text”)"
    elif layout.columns.encoding.lower().replace("_", "-") in {"utf-8", "utf-8-sig", "utf8"}:
        kind = (
            "bảng mã Windows (cp1258 tiếng Việt hoặc cp1252), không phải UTF-8 – "
            "thường gặp khi lưu bằng Excel dạng “CSV (Comma delimited)”"
        )
    else:
        kind = f"một bảng mã khác {layout.columns.encoding}"
    return (
        f"Tệp sao kê được lưu bằng {kind} {where}. Hãy mở tệp và lưu lại dạng "
        "“CSV UTF-8”, hoặc tải lên tệp XLSX; không có dữ liệu nào được ghi"
    )


def _text_lines(source: IO[str] | IO[bytes], encoding: str) -> Iterator[str]:
    """Lines of a text or binary stream, decoded lazily; a binary stream is left open."""
    if isinstance(source.read(0), str):
        yield from source  # type: ignore[misc]
    elif isinstance(source, io.BufferedIOBase | io.RawIOBase):
        wrapper = io.TextIOWrapper(source, encoding=encoding, newline="")
        try:
            yield from wrapper
        finally:
            wrapper.detach()  # do not close the caller's stream
    else:  # other binary file-likes (e.g. an uploaded file): bytes lines, split on b"\n"
        for raw in source:
            yield raw.decode(encoding)  # type: ignore[union-attr]


# -------------------------------------------------------------------- fingerprints


def line_fingerprint(line: StatementLine) -> str:
    """SHA-256 of (date, time, doc_no, reference, debit, credit, balance, memo, counterparty).

    The memo and counterparty are compared after NFC and whitespace collapsing,
    so a converter that wraps a memo differently gives the same key. The
    booking time (when the bank prints one) is included: in the VietinBank
    sample it is the only thing that tells apart three pairs of otherwise
    identical MoMo transfers. The row number is left out: it depends on the
    export, not the transaction.
    """
    return hashlib.sha256(_fingerprint_data(line).encode("utf-8")).hexdigest()


_json_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for str


def _same(text: str) -> str:
    return text


def _fingerprint_data(line: StatementLine, *, normalized: bool = False) -> str:
    """json.dumps(payload, ensure_ascii=False, separators=(",", ":")), built directly.

    The usual field types (str, int, None, date, time) are encoded here, three
    times faster than json.dumps; anything else goes through json.dumps.
    ``normalized``: the text fields are already nfc() output (lines from
    iter_lines), so nfc() would not change them.
    """
    n = _same if normalized else _nfc
    debit, credit, balance, at = line.debit, line.credit, line.balance, line.booked_at
    doc_no, reference, memo, party = line.doc_no, line.reference, line.memo, line.counterparty
    if (
        debit.__class__ is int
        and credit.__class__ is int
        and (balance is None or balance.__class__ is int)
        and doc_no.__class__ is str
        and reference.__class__ is str
        and memo.__class__ is str
        and party.__class__ is str
    ):
        return (
            f'["{line.booked_on.isoformat()}",'
            f"{_json_str(at.isoformat()) if at else 'null'},"
            f"{_json_str(n(doc_no))},{_json_str(n(reference))},{debit},{credit},"
            f"{'null' if balance is None else balance},"
            f"{_json_str(n(memo))},{_json_str(n(party))}]"
        )
    payload = [
        line.booked_on.isoformat(),
        at.isoformat() if at else None,
        nfc(doc_no),
        nfc(reference),
        debit,
        credit,
        balance,
        nfc(memo),
        nfc(party),
    ]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def fingerprints_with_occurrence(
    lines: Iterable[StatementLine],
) -> Iterator[tuple[StatementLine, str]]:
    """Yield (line, key) where key = fingerprint + ":" + n, n counting identical lines.

    Two genuinely identical transfers in one file (same day, amount, memo, no
    distinguishing reference or balance) get ":1" and ":2", so both are kept;
    importing the same file again yields the same keys, so nothing doubles.

    Limit: the occurrence index counts from the start of *this* file. If an
    overlapping file starts in the middle of a run of identical lines (file A
    has the first two of three identical lines, file B the last two), B's lines
    get ":1" and ":2", which A already holds, and the third is silently taken
    for a duplicate. Layouts with a per-row balance (Agribank) or a unique
    reference never produce identical lines, and reconcile_days() exposes the
    loss where balances exist; for layouts without either (VietinBank, BIDV),
    import whole days, not arbitrary excerpts.
    """
    seen: Counter[str] = Counter()
    for line in lines:
        fingerprint = line_fingerprint(line)
        seen[fingerprint] += 1
        yield line, f"{fingerprint}:{seen[fingerprint]}"


# ------------------------------------------------------------------ reconciliation


@dataclass(frozen=True)
class BalanceBreak:
    """A running-balance check that failed between two balance-bearing rows."""

    after_row: int | None  # last row whose balance was trusted (None: derived opening)
    at_row: int  # the row whose printed balance disagrees
    expected: int
    actual: int

    @property
    def difference(self) -> int:
        """Printed minus expected: > 0 means credits (or reversed debits) are missing."""
        return self.actual - self.expected


Status = Literal["reconciled", "gap", "unverifiable"]


@dataclass(frozen=True)
class DayReconciliation:
    """Result of checking one booking day against the statement's balances."""

    day: date
    status: Status
    first_row: int
    last_row: int
    line_count: int
    credits: int
    debits: int
    opening_balance: int | None
    closing_balance: int | None
    checked_balances: int
    breaks: tuple[BalanceBreak, ...] = ()

    @property
    def missing_amount(self) -> int:
        """Sum of the differences of all breaks (0 when reconciled)."""
        return sum(b.difference for b in self.breaks)

    @property
    def message(self) -> str:
        """One Vietnamese sentence for the import report."""
        day = self.day.strftime("%d/%m/%Y")
        if self.status == "reconciled":
            return f"Ngày {day}: số dư khớp, không thiếu giao dịch nào"
        if self.status == "gap":
            first = self.breaks[0]
            start = f"dòng {first.after_row}" if first.after_row else "đầu ngày"
            return (
                f"Ngày {day}: lệch {format_money(abs(first.difference))} giữa {start} "
                f"và dòng {first.at_row}"
                + (" (thiếu tiền ghi có)" if first.difference > 0 else " (thiếu tiền ghi nợ)")
            )
        if self.opening_balance is None and self.closing_balance is None:
            return f"Ngày {day}: không kiểm tra được vì sao kê không ghi số dư"
        if self.opening_balance is None:
            return f"Ngày {day}: không kiểm tra được vì không biết số dư đầu ngày"
        return f"Ngày {day}: không kiểm tra được vì không có số dư cuối ngày"


class Reconciler:
    """reconcile_days() one line at a time: memory holds one day's totals, not its lines.

    Feed lines in booking order with ``feed``; ``finish`` returns the days.
    Same rules as reconcile_days(); the statement importer uses this so that a
    file of any size is checked in flat memory.
    """

    def __init__(self) -> None:
        self.results: list[DayReconciliation] = []
        self._anchor: int | None = None  # last trusted balance
        self._anchor_row: int | None = None
        self._pending = 0  # credits − debits since the anchor
        self._started = False
        self._day: date | None = None
        self._opening: int | None = None
        self._first_row = self._last_row = self._count = 0
        self._credits = self._debits = self._checked = 0
        self._closing: int | None = None
        self._breaks: list[BalanceBreak] = []

    def feed(self, line: StatementLine) -> None:
        first = not self._started
        if first:
            self._started = True
            if line.balance is not None:  # derived opening, so row 1 proves nothing
                self._anchor = line.balance - line.credit + line.debit
        if self._day is None or line.booked_on != self._day:
            self._close_day()
            self._day = line.booked_on
            self._opening = self._anchor + self._pending if self._anchor is not None else None
            self._first_row = line.row_number
            self._count = self._credits = self._debits = self._checked = 0
            self._breaks = []
        self._count += 1
        self._credits += line.credit
        self._debits += line.debit
        self._last_row = line.row_number
        self._closing = line.balance
        self._pending += line.credit - line.debit
        if line.balance is None:
            return
        if self._anchor is not None and not first:
            self._checked += 1
            expected = self._anchor + self._pending
            if expected != line.balance:
                self._breaks.append(
                    BalanceBreak(self._anchor_row, line.row_number, expected, line.balance)
                )
        self._anchor, self._anchor_row, self._pending = line.balance, line.row_number, 0

    def _close_day(self) -> None:
        if self._day is None:
            return
        if self._breaks:
            status: Status = "gap"
        elif self._opening is not None and self._closing is not None:
            status = "reconciled"
        else:
            status = "unverifiable"
        self.results.append(
            DayReconciliation(
                day=self._day,
                status=status,
                first_row=self._first_row,
                last_row=self._last_row,
                line_count=self._count,
                credits=self._credits,
                debits=self._debits,
                opening_balance=self._opening,
                closing_balance=self._closing,
                checked_balances=self._checked,
                breaks=tuple(self._breaks),
            )
        )
        self._day = None

    def finish(self) -> list[DayReconciliation]:
        self._close_day()
        return self.results


def reconcile_days(
    lines: Iterable[StatementLine], *, newest_first: bool = False
) -> list[DayReconciliation]:
    """Check each booking day: opening + credits − debits == every printed balance.

    Lines are taken in booking order (pass ``newest_first=True`` for statements
    printed newest first; they are then reversed). The opening balance of the
    first day is the first row's balance − its credit + its debit when that row
    has a balance, otherwise unknown. Every row that prints a balance is checked
    against the running total since the previous printed balance, so layouts
    with a balance on each row (Agribank) are checked row by row and those with a
    day-end balance (Vietcombank) day by day. After a break the printed balance
    is trusted again, so later breaks are reported separately.

    A day is "reconciled" when its opening is known, its last row prints a
    balance and no check failed; "gap" when a check failed; otherwise
    "unverifiable". Days are consecutive runs of the same date. Streams (see
    Reconciler) unless ``newest_first`` asks for the lines to be reversed.
    """
    if newest_first:
        lines = list(lines)
        lines.reverse()
    reconciler = Reconciler()
    for line in lines:
        reconciler.feed(line)
    return reconciler.finish()


# --------------------------------------------------------------------- donor names

# Words (folded) that end the sender's name in a memo: "NGUYEN VAN A chuyen tien".
_KEYWORDS = (
    ("chuyen",),
    ("ck",),
    ("ct",),
    ("ung", "ho"),
    ("uh",),
    ("quyen", "gop"),
    ("dong", "gop"),
    ("nop", "tien"),
    ("gui",),
    ("ho", "tro"),
    ("cuu", "tro"),
    ("chia", "se"),
)
_NOT_A_PERSON = (
    "cong ty",
    "cty",
    "ngan hang",
    "momo",
    "zalo",
    "ibft",
    "fanpage",
    "mat tran",
    "uy ban",
    "ubnd",
    "vietcombank",
    "napas",
    "gia dinh",
)
_NOT_A_FIRST_WORD = {
    "ong",
    "gd",
    "co",
    "bac",
    "anh",
    "chi",
    "em",
    "be",
    "cac",
    "tap",
    "hoi",
    "nhom",
    "lop",
}
_TOKEN = re.compile(r"[^\W\d_]+|\d+|\S")
_CT_TU = re.compile(r"\bCT tu \d{6,} (?P<name>[^\W\d_]+(?: [^\W\d_]+){1,5}) toi \d")


_NOT_A_PERSON_PADDED = tuple(f" {bad} " for bad in _NOT_A_PERSON)
# keywords by their first word; the longest name a keyword can end is 6 words
# plus one punctuation token, so only the first 8 tokens can start a keyword
# that yields a name (a keyword further on leaves 7+ words: not a person).
_KEYWORDS_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {}
for _keyword in _KEYWORDS:
    _KEYWORDS_BY_FIRST[_keyword[0]] = (*_KEYWORDS_BY_FIRST.get(_keyword[0], ()), _keyword[1:])
_NAME_STARTS = 8
_NAME_TOKENS = _NAME_STARTS + max(len(k) for k in _KEYWORDS) - 1
_PUNCTUATION = frozenset({"-", "–", ":", ",", "."})


def _looks_like_person(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 6:
        return False
    if not all(w.isalpha() for w in words):
        return False
    if not (
        all(w.isupper() for w in words) or all(w[0].isupper() and w[1:].islower() for w in words)
    ):
        return False
    if any(len(w) == 1 for w in words[:-1]):  # "NGUYE N THI VAN": PDF split a word
        return False
    folded = _fold(name)
    if folded.split()[0] in _NOT_A_FIRST_WORD:
        return False
    padded = f" {folded} "
    return not any(bad in padded for bad in _NOT_A_PERSON_PADDED)


@functools.lru_cache(maxsize=64)
def _prefix_patterns(prefixes: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"^(?:{prefix})") for prefix in prefixes)


def _strip_prefixes(memo: str, prefixes: Sequence[str]) -> str:
    patterns = _prefix_patterns(tuple(prefixes))
    changed = True
    while changed:
        changed = False
        for pattern in patterns:
            found = pattern.match(memo)
            if found is not None and found.end():
                memo, changed = memo[found.end() :].lstrip(), True
    return memo


def _name_before_keyword(text: str) -> str | None:
    tokens = [m.group(0) for m in islice(_TOKEN.finditer(text), _NAME_TOKENS)]
    folded = [t.lower() if t.isascii() else _fold(t) for t in tokens]
    for start in range(min(len(tokens), _NAME_STARTS)):
        rests = _KEYWORDS_BY_FIRST.get(folded[start])
        if rests is None:
            continue
        for rest in rests:
            if tuple(folded[start + 1 : start + 1 + len(rest)]) == rest:
                name_tokens = tokens[:start]
                if name_tokens and name_tokens[-1] in _PUNCTUATION:
                    name_tokens = name_tokens[:-1]
                name = " ".join(name_tokens)
                return name if _looks_like_person(name) else None
    return None


def donor_name_from_memo(memo: str, layout: Layout) -> str | None:
    """The remitter's name written in a memo, or None when the memo does not say it clearly.

    Two patterns are trusted: Vietcombank's "CT tu <account> NAME toi <account>"
    (the bank prints the sending account holder) and "NAME <keyword> ..." at the
    start of the sender's own words, after the bank's technical prefix is
    removed (keywords: chuyen, ck, ung ho, quyen gop, ho tro, ...). The name must
    be 2–6 words, all upper case or all title case, without digits, and not an
    organisation or intermediary (MoMo, công ty, gia đình...). The name of the
    account holder may differ from the real donor (a clerk transferring for an
    agency); this returns the remitter, as printed.
    """
    text = _nfc(memo)
    found = _CT_TU.search(text) if "CT tu " in text else None
    if found and _looks_like_person(found.group("name")):
        return found.group("name")
    return _name_before_keyword(_strip_prefixes(text, layout.memo_prefixes))


def donor_name(line: StatementLine, layout: Layout) -> str | None:
    """The remitter of a line: the counterparty where the layout gives a person, else the memo."""
    if layout.counterparty_is_remitter and line.counterparty:
        candidate = _strip_prefixes(line.counterparty, layout.counterparty_prefixes)
        if _looks_like_person(candidate):
            return candidate
    return donor_name_from_memo(line.memo, layout)


# -------------------------------------------------------- fees and name suggestions

# A debit line the bank charged itself (folded memo): booked as "phí ngân hàng".
_FEE = re.compile(
    r"\b(?:thu phi|phi (?:dich vu|quan ly|chuyen|sms|duy tri|giao dich|thuong nien|ngan hang"
    r"|tin nhan|kiem dem|rut tien)|service (?:fee|charge)|bank (?:fee|charge)|vat phi)\b"
)


def is_bank_fee(memo: str) -> bool:
    """Whether a debit's memo says it is the bank's own fee ("THU PHI DICH VU SMS ...")."""
    return _FEE.search(_fold(memo)) is not None


_WORD_RUN = re.compile(r"[^\W\d_]+(?:[ \t]+[^\W\d_]+)*")
# common memo words (folded), never surnames such as "tran"
_NOT_NAME_TEXT = (
    "chuyen tien ck ct ung ho uh quyen gop nop gui tro cuu chia se cho den tu toi ba con "
    "dong bao mien lu lut yagi khac phuc qua cac nhan noi dung vnd xin cam on it "
    "mat to tw uong vietcombank vcb agribank vietinbank bidv napas momo ibft mb fb khoan so "
    "va voi mot chut gia dinh"
)
_NOT_NAME_WORDS = frozenset(_NOT_NAME_TEXT.split())


def name_suggestions(memo: str, counterparty: str = "", *, limit: int = 3) -> list[str]:
    """Names a person might mean in a memo, for the "chưa xác định người ủng hộ" work list.

    Looser than donor_name_from_memo (which books a name without asking): the
    counterparty, then runs of 2–5 words that are not the usual memo words
    ("ung ho", "dong bao", "mien bac"...), title-cased. Suggestions only: a
    person confirms one before it is recorded.
    """
    seen: list[str] = []

    def add(candidate: str) -> None:
        words = candidate.split()
        if not 2 <= len(words) <= 5:
            return
        text = " ".join(w[:1].upper() + w[1:].lower() for w in words)
        if _fold(text) not in {_fold(s) for s in seen}:
            seen.append(text)

    if counterparty:
        add(re.sub(r"[^\w\s]|\d|_", " ", _nfc(counterparty)))
    for run in _WORD_RUN.findall(_nfc(memo)):
        current: list[str] = []
        for word in [*run.split(), ""]:
            if word and _fold(word) not in _NOT_NAME_WORDS and len(word) > 1:
                current.append(word)
                continue
            add(" ".join(current[:5]))
            current = []
        if len(seen) >= limit:
            break
    return seen[:limit]
