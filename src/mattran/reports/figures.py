"""Indicator figures of a report: the figures layer's values under an indicator's name.

An indicator stores only a figure key (`Indicator.figure_key`); the values come
from `mattran.figures.engine.figures_compute`, which computes every key of a
report in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mattran.core.vietnamese import format_money, format_number, format_percent
from mattran.figures.engine import FigureSet
from mattran.figures.values import Rate, Value, as_number

from .models import Indicator, ValueFormat

__all__ = [
    "Figure",
    "Rate",
    "StoredRate",
    "Value",
    "as_number",
    "figures_for_indicators",
    "format_value",
]


@dataclass(frozen=True)
class StoredRate:
    """A rate of an approved report stored only as printed ("93,5%"): approvals made before
    the numerator and denominator were stored with it (`Report.as_dict`)."""

    text: str

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return self.percent is not None

    @property
    def percent(self) -> float | None:
        try:
            return float(self.text.rstrip("%").replace(".", "").replace(",", "."))
        except ValueError:
            return None

    @property
    def ratio(self) -> float | None:
        return None if self.percent is None else self.percent / 100


@dataclass
class Figure:
    """One indicator's values for the report's periods (0: current, 1: previous year)."""

    indicator: Indicator
    cells: dict[tuple[int, str], Value] = field(default_factory=dict)
    totals: dict[int, Value] = field(default_factory=dict)
    own: dict[int, Value] = field(default_factory=dict)  # at the unit's own office
    children: dict[int, Value] = field(default_factory=dict)  # at its child units
    subjects: dict[int, list[str]] = field(default_factory=dict)  # own office's proposals
    units: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # (name, kind)
    names: dict[int, list[str]] = field(default_factory=dict)
    entered: dict[int, bool] = field(default_factory=dict)  # an entered total stands here
    available: bool = True
    detail_url: dict[int, str] = field(default_factory=dict)
    is_new: bool = False  # added after the report was approved
    approved: bool = False  # the values stored when the report was approved

    @property
    def code(self) -> str:
        return self.indicator.code

    def cell(self, pidx: int, bucket: str) -> Value:
        return self.cells.get((pidx, bucket))

    def text(self, value: Value) -> str:
        return format_value(self.indicator, value)

    @property
    def total_text(self) -> str:
        return self.text(self.totals.get(0))

    @property
    def previous_text(self) -> str:
        return self.text(self.totals.get(1))

    def texts(self) -> dict[str, str]:
        """A table row's texts: this period, a year earlier, the unit's own office, its
        child units."""
        return {
            "cur": self.total_text,
            "prev": self.previous_text,
            "own": self.text(self.own.get(0)),
            "children": self.text(self.children.get(0)),
        }

    @property
    def change_text(self) -> str:
        cur, prev = self.totals.get(0), self.totals.get(1)
        if not isinstance(cur, int) or not isinstance(prev, int) or prev == 0:
            return ""
        return format_percent(cur, prev) if cur != prev else "100,0%"


def format_value(indicator: Indicator, value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Rate | StoredRate):
        return str(value)
    if indicator.value_format == ValueFormat.MONEY:
        return format_money(int(value))
    return format_number(int(value))


def figures_for_indicators(figure_set: FigureSet, indicators: list[Indicator]) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for ind in indicators:
        fv = figure_set.get(ind.figure_key)
        if fv is None:
            out[ind.code] = Figure(indicator=ind, available=False)
            continue
        n = len(figure_set.request.periods)
        out[ind.code] = Figure(
            indicator=ind,
            cells=fv.cells,
            totals=fv.totals,
            own=fv.own,
            children=fv.children,
            subjects=fv.subjects,
            units=fv.units,
            names=fv.names,
            entered=fv.entered,
            available=fv.available,
            detail_url=dict.fromkeys(range(n), fv.detail_url) if fv.detail_url else {},
        )
    return out
