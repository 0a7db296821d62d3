"""Reporting periods: month, quarter, half-year, 9 months, year and any date range.

`Period.parse` accepts what people type ("9 tháng 2023", "quý 3/2023",
"6 tháng đầu năm 2024", "tháng 9/2023", "từ 01/01/2023 đến 30/09/2023", with or
without diacritics), the project's codes for the API and the command line
(``2023``, ``2023-09``, ``2023-Q3``, ``2023-H1``, ``2023-9M``,
``2023-01-01..2023-09-30``) and DHIS2's (``202309``, ``2023Q3``, ``2023S1``).
Cumulative periods (6 and 9 months from January) are first-class. Labels are
Vietnamese, as reports print them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import fold

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_QUARTER_WORDS = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
# Between a number and its year: "quý 3/2023", "quý 3 năm 2023", "tháng 9-2023".
_OF_YEAR = r"\s*(?:/|-|\s+nam\s+|\s+)\s*"
_DAY = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"

# The kinds a person chooses from, in words (the period picker).
KIND_CHOICES = [
    ("month", "Tháng"),
    ("quarter", "Quý"),
    ("half_year", "6 tháng"),
    ("nine_months", "9 tháng"),
    ("year", "Năm"),
    ("range", "Khoảng ngày"),
]


MIN_YEAR, MAX_YEAR = 1900, 2100


class PeriodKind:
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    RANGE = "range"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    kind: str
    code: str

    # ------------------------------------------------------------------ build
    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), PeriodKind.YEAR, f"{year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(
            dt.date(year, month, 1),
            _month_end(year, month),
            PeriodKind.MONTH,
            f"{year}-{month:02d}",
        )

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        first = 3 * (q - 1) + 1
        return cls(
            dt.date(year, first, 1), _month_end(year, first + 2), PeriodKind.QUARTER, f"{year}-Q{q}"
        )

    @classmethod
    def half_year(cls, year: int, h: int) -> Period:
        first = 1 if h == 1 else 7
        return cls(
            dt.date(year, first, 1),
            _month_end(year, first + 5),
            PeriodKind.HALF_YEAR,
            f"{year}-H{h}",
        )

    @classmethod
    def nine_months(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 9, 30), PeriodKind.NINE_MONTHS, f"{year}-9M")

    @classmethod
    def range(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise UserFacingError(
                f"Kỳ báo cáo không hợp lệ: ngày kết thúc {end:%d/%m/%Y} "
                f"trước ngày bắt đầu {start:%d/%m/%Y}."
            )
        return cls(start, end, PeriodKind.RANGE, f"{start.isoformat()}..{end.isoformat()}")

    @classmethod
    def parse(cls, code: str) -> Period:
        """Parse a period code; raises UserFacingError with a Vietnamese message."""
        text = (code or "").strip().upper()
        try:
            period = cls._parse(text)
        except ValueError:
            period = None
        # Years outside this range are typing errors, and the year before year 1
        # (the comparison period of a report) does not exist.
        if period is not None and MIN_YEAR <= period.start.year <= period.end.year <= MAX_YEAR:
            return period
        raise UserFacingError(
            f"Kỳ báo cáo '{code}' không hợp lệ. Hãy viết, ví dụ: năm 2023, 9 tháng 2023, "
            "6 tháng đầu năm 2024, quý 3/2023, tháng 9/2023 hoặc "
            f"từ 01/01/2023 đến 30/09/2023 (năm từ {MIN_YEAR} đến {MAX_YEAR})."
        )

    @classmethod
    def _parse(cls, text: str) -> Period | None:
        return cls._parse_code(text) or cls._parse_words(fold(text))

    @classmethod
    def _parse_words(cls, text: str) -> Period | None:
        """Vietnamese as people type it, already folded ("9 thang dau nam 2023")."""
        text = re.sub(r"\s+", " ", text.replace("–", "-").replace("—", "-")).strip(" .,")
        text = re.sub(r"^(?:ky|bao cao)\s+", "", text)
        if m := re.fullmatch(r"(?:ca )?nam (\d{4})", text):
            return cls.year(int(m[1]))
        if m := re.fullmatch(r"9 thang(?: dau)?(?: nam)? (\d{4})", text):
            return cls.nine_months(int(m[1]))
        if m := re.fullmatch(r"6 thang(?: (dau|cuoi))?(?: nam)? (\d{4})", text):
            return cls.half_year(int(m[2]), 2 if m[1] == "cuoi" else 1)
        half = r"(?:nua nam|6 thang) (?:thu )?(1|2|i|ii)"
        if m := re.fullmatch(half + _OF_YEAR + r"(\d{4})", text):
            return cls.half_year(int(m[2]), 1 if m[1] in ("1", "i") else 2)
        if m := re.fullmatch(r"quy (1|2|3|4|i|ii|iii|iv)" + _OF_YEAR + r"(\d{4})", text):
            return cls.quarter(int(m[2]), _QUARTER_WORDS[m[1]])
        if m := re.fullmatch(r"thang (\d{1,2})" + _OF_YEAR + r"(\d{4})", text):
            if 1 <= int(m[1]) <= 12:
                return cls.month(int(m[2]), int(m[1]))
            return None
        rng = r"(?:tu (?:ngay )?)?" + _DAY + r"\s*(?:-|den(?: ngay)?)\s*" + _DAY
        if m := re.fullmatch(rng, text):
            start = dt.date(int(m[3]), int(m[2]), int(m[1]))
            end = dt.date(int(m[6]), int(m[5]), int(m[4]))
            return cls.range(start, end).normalised()
        return None

    @classmethod
    def _parse_code(cls, text: str) -> Period | None:
        if m := re.fullmatch(r"(\d{4})", text):
            return cls.year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-?(\d{2})", text):
            month = int(m[2])
            if 1 <= month <= 12:
                return cls.month(int(m[1]), month)
        if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
            return cls.quarter(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-H([12])", text) or re.fullmatch(r"(\d{4})S([12])", text):
            return cls.half_year(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-9M", text):
            return cls.nine_months(int(m[1]))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            return cls.range(start, end).normalised()
        return None

    def normalised(self) -> Period:
        """A date range that is exactly a standard period becomes that period."""
        if self.kind != PeriodKind.RANGE:
            return self
        y = self.start.year
        candidates = [
            Period.year(y),
            Period.nine_months(y),
            *(Period.half_year(y, h) for h in (1, 2)),
            *(Period.quarter(y, q) for q in range(1, 5)),
            *(Period.month(y, m) for m in range(1, 13)),
        ]
        for p in candidates:
            if (p.start, p.end) == (self.start, self.end):
                return p
        return self

    # ---------------------------------------------------------------- derive
    def previous_year(self) -> Period:
        """The same period one year earlier (29 Feb becomes 28 Feb)."""
        y = self.start.year - 1
        match self.kind:
            case PeriodKind.YEAR:
                return Period.year(y)
            case PeriodKind.NINE_MONTHS:
                return Period.nine_months(y)
            case PeriodKind.MONTH:
                return Period.month(y, self.start.month)
            case PeriodKind.QUARTER:
                return Period.quarter(y, (self.start.month - 1) // 3 + 1)
            case PeriodKind.HALF_YEAR:
                return Period.half_year(y, 1 if self.start.month == 1 else 2)

        def back(d: dt.date) -> dt.date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)

        return Period.range(back(self.start), back(self.end))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """Vietnamese label as reports print it: "9 tháng đầu năm 2023"."""
        y = self.start.year
        match self.kind:
            case PeriodKind.YEAR:
                return f"năm {y}"
            case PeriodKind.NINE_MONTHS:
                return f"9 tháng đầu năm {y}"
            case PeriodKind.MONTH:
                return f"tháng {self.start.month} năm {y}"
            case PeriodKind.QUARTER:
                return f"quý {ROMAN[(self.start.month - 1) // 3 + 1]} năm {y}"
            case PeriodKind.HALF_YEAR:
                return f"6 tháng đầu năm {y}" if self.start.month == 1 else f"6 tháng cuối năm {y}"
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    @property
    def short_label(self) -> str:
        """The label inside a sentence of the same year's report: "Trong 9 tháng, …"."""
        match self.kind:
            case PeriodKind.NINE_MONTHS:
                return "9 tháng"
            case PeriodKind.HALF_YEAR:
                return "6 tháng" if self.start.month == 1 else "6 tháng cuối năm"
            case PeriodKind.QUARTER:
                return f"quý {ROMAN[(self.start.month - 1) // 3 + 1]}"
            case PeriodKind.MONTH:
                return f"tháng {self.start.month}"
        return self.label

    @property
    def review_word(self) -> str:
        """A year is reviewed in a "tổng kết", anything shorter in a "sơ kết"."""
        return "Tổng kết" if self.kind == PeriodKind.YEAR else "Sơ kết"

    def __str__(self) -> str:
        return self.label


# ------------------------------------------------------------------ picking
#
# The period picker (templates/_period_picker.html) sends the kind in words
# (`loai`) with its parts (`thang`, `quy`, `nua`, `nam`, `tu`, `den`); a second
# field (`ky`) takes what the user types ("9 tháng 2023") or a code.


def period_from_query(query, default: Period | Callable[[], Period]) -> Period:
    """The period asked for in a query string, else `default` (a period, or a function
    called only when needed); UserFacingError if what was asked is unclear."""
    kind = (query.get("loai") or "").strip()
    if kind:
        return _picked(query, kind)
    typed = (query.get("ky") or "").strip()
    if typed:
        return Period.parse(typed)
    return default() if callable(default) else default


def _picked(query, kind: str) -> Period:
    def number(name: str, low: int, high: int, what: str) -> int:
        raw = (query.get(name) or "").strip()
        if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        raise UserFacingError(f"Chọn {what} (từ {low} đến {high}).")

    def day(name: str, what: str) -> dt.date:
        raw = (query.get(name) or "").strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
        raise UserFacingError(f"Nhập {what} dạng ngày/tháng/năm, ví dụ 01/01/2023.")

    if kind == PeriodKind.RANGE:
        period = Period.range(day("tu", "ngày bắt đầu"), day("den", "ngày kết thúc")).normalised()
    else:
        year = number("nam", MIN_YEAR, MAX_YEAR, "năm")
        if kind == PeriodKind.YEAR:
            period = Period.year(year)
        elif kind == PeriodKind.NINE_MONTHS:
            period = Period.nine_months(year)
        elif kind == PeriodKind.HALF_YEAR:
            period = Period.half_year(year, number("nua", 1, 2, "6 tháng đầu hay cuối năm"))
        elif kind == PeriodKind.QUARTER:
            period = Period.quarter(year, number("quy", 1, 4, "quý"))
        elif kind == PeriodKind.MONTH:
            period = Period.month(year, number("thang", 1, 12, "tháng"))
        else:
            raise UserFacingError(
                "Chọn loại kỳ: tháng, quý, 6 tháng, 9 tháng, năm hoặc khoảng ngày."
            )
    if not (MIN_YEAR <= period.start.year <= period.end.year <= MAX_YEAR):
        raise UserFacingError(f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}.")
    return period


def period_picker(period: Period, *, years: list[int] | None = None) -> dict:
    """What the picker template needs to show `period` as chosen."""
    start = period.start
    this = years or []
    return {
        "period": period,
        "kind": period.kind,
        "kinds": KIND_CHOICES,
        "year": start.year,
        "years": sorted({*this, start.year, period.end.year}, reverse=True),
        "month": start.month,
        "months": list(range(1, 13)),
        "quarter": (start.month - 1) // 3 + 1,
        "quarters": [(q, ROMAN[q]) for q in range(1, 5)],
        "half": 1 if start.month <= 6 else 2,
        "start": start,
        "end": period.end,
    }
