"""Reporting periods: month, quarter, half-year, 9 months, year and any date range.

`Period.parse` accepts the project's codes (``2023``, ``2023-09``, ``2023-Q3``,
``2023-H1``, ``2023-9M``, ``2023-01-01..2023-09-30``) and DHIS2's
(``202309``, ``2023Q3``, ``2023S1``). Cumulative periods (6 and 9 months from
January) are first-class. Labels are Vietnamese, as reports print them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from mattran.core.errors import UserFacingError

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


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
            f"Kỳ báo cáo '{code}' không hợp lệ. Dùng: 2023, 2023-09, 2023-Q3, 2023-H1, "
            "2023-9M, 2023-01-01..2023-09-30 (hoặc mã DHIS2: 202309, 2023Q3, 2023S1); "
            f"năm từ {MIN_YEAR} đến {MAX_YEAR}."
        )

    @classmethod
    def _parse(cls, text: str) -> Period | None:
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
