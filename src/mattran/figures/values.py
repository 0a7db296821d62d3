"""The values a figure takes: whole numbers, rates, or nothing (no data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mattran.core.vietnamese import format_percent

from .keys import FigureKey
from .scope import OTHER, SELF


@dataclass(frozen=True)
class Rate:
    """A percentage computed from two whole numbers; printed rounded half-up."""

    numerator: int
    denominator: int

    def __str__(self) -> str:
        if not self.denominator:
            return "—"
        return format_percent(self.numerator, self.denominator)

    def __bool__(self) -> bool:
        return bool(self.denominator)

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


Value = int | Rate | None


def as_number(v: Value) -> float | None:
    if isinstance(v, Rate):
        return v.ratio
    return v


def additive(values: list[Value]) -> Value:
    ints = [v for v in values if isinstance(v, int)]
    return sum(ints) if ints or not values else None


@dataclass
class FigureValues:
    """One figure over a scope, per period index (0: the period asked, 1: a year earlier…)
    and bucket (`SELF`, a child's id, `OTHER`), with its totals."""

    key: FigureKey
    cells: dict[tuple[int, str], Value] = field(default_factory=dict)
    totals: dict[int, Value] = field(default_factory=dict)
    own: dict[int, Value] = field(default_factory=dict)  # at the scope unit's own office
    children: dict[int, Value] = field(default_factory=dict)  # at its children together
    subjects: dict[int, list[str]] = field(default_factory=dict)  # own office's proposals
    units: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # (name, kind)
    names: dict[int, list[str]] = field(default_factory=dict)  # e.g. congresses in the scope
    entered: dict[int, bool] = field(default_factory=dict)  # an entered total stands here
    available: bool = True
    detail_url: str = ""

    def cell(self, pidx: int, bucket: str) -> Value:
        return self.cells.get((pidx, bucket))

    def sum_up(self, pidx: int, child_cells) -> None:
        """Totals, own office and children of period `pidx` from the cells of the
        buckets (own office, the children's `child_cells` (pidx, bucket), other): the
        children's cells read once."""
        if pidx in self.totals:
            return
        get = self.cells.get
        children = [v for v in map(get, child_cells) if isinstance(v, int)]
        own, other = get((pidx, SELF)), get((pidx, OTHER))
        edges = [v for v in (own, other) if isinstance(v, int)]
        # as `additive` over every bucket, and over the children alone
        self.totals[pidx] = sum(children) + sum(edges) if children or edges else None
        self.own[pidx] = own
        self.children[pidx] = sum(children) if children or not child_cells else None
