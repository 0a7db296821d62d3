"""From raw grouped sums to indicator figures: total, own office, children, each child.

Indicator definitions are data (`models.Indicator`); this module evaluates
them over the raw figures of `rollup` without touching the database again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mattran.core.vietnamese import format_money, format_number, format_percent

from . import providers
from .models import Indicator, Measure, Source, ValueFormat
from .rollup import OTHER, SELF, ListFigures, RawFigures, Scope

ACTIVITY_COLUMN = {
    Measure.COUNT: 0,
    Measure.ATTENDANCE: 1,
    Measure.MISSING_ATTENDANCE: 2,
}
MEDIATION_COLUMN = {Measure.RECEIVED: 0, Measure.RESOLVED: 1, Measure.FAILED: 2, Measure.OPEN: 3}


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
    available: bool = True
    detail_url: dict[int, str] = field(default_factory=dict)  # external figures

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

    @property
    def change_text(self) -> str:
        cur, prev = self.totals.get(0), self.totals.get(1)
        if not isinstance(cur, int) or not isinstance(prev, int) or prev == 0:
            return ""
        return format_percent(cur, prev) if cur != prev else "100,0%"


def format_value(indicator: Indicator, value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Rate):
        return str(value)
    if indicator.value_format == ValueFormat.MONEY:
        return format_money(int(value))
    return format_number(int(value))


def _additive(values: list[Value]) -> Value:
    ints = [v for v in values if isinstance(v, int)]
    return sum(ints) if ints or not values else None


class FigureBuilder:
    def __init__(
        self,
        *,
        user,
        scope: Scope,
        periods: list,
        raw: RawFigures,
        lists: ListFigures,
        indicators: list[Indicator],
    ):
        self.user = user
        self.scope = scope
        self.periods = periods
        self.raw = raw
        self.lists = lists
        self.by_code = {i.code: i for i in indicators}
        self.by_id = {i.pk: i for i in indicators}
        self.child_keys = [str(c.pk) for c in scope.children]
        self.bucket_keys = [SELF, *self.child_keys, OTHER]
        self.figures: dict[str, Figure] = {}

    def build(self) -> dict[str, Figure]:
        for ind in self.by_code.values():
            self._figure(ind)
        return self.figures

    def _figure(self, ind: Indicator, depth: int = 0) -> Figure:
        if ind.code in self.figures:
            return self.figures[ind.code]
        if depth > 10:
            raise ValueError(f"Chỉ tiêu {ind.code} tham chiếu vòng")
        fig = Figure(indicator=ind)
        source = ind.source
        for pidx in range(len(self.periods)):
            if source == Source.ACTIVITY:
                self._activity(fig, pidx)
            elif source == Source.MEDIATION:
                col = MEDIATION_COLUMN[ind.measure]
                for b in self.bucket_keys:
                    row = self.raw.mediation.get((pidx, b))
                    fig.cells[(pidx, b)] = row[col] if row else 0
                self._sum_up(fig, pidx)
            elif source == Source.AGGREGATE:
                for b in self.bucket_keys:
                    fig.cells[(pidx, b)] = self.raw.aggregate.get((pidx, b, ind.data_element_id), 0)
                self._sum_up(fig, pidx)
            elif source == Source.COMPUTED:
                self._computed(fig, pidx, depth)
            elif source == Source.EXTERNAL:
                self._external(fig, pidx)
        self.figures[ind.code] = fig
        return fig

    def _sum_up(self, fig: Figure, pidx: int) -> None:
        cells = [fig.cells.get((pidx, b)) for b in self.bucket_keys]
        fig.totals[pidx] = _additive(cells)
        fig.own[pidx] = fig.cells.get((pidx, SELF))
        fig.children[pidx] = _additive([fig.cells.get((pidx, b)) for b in self.child_keys])

    def _activity(self, fig: Figure, pidx: int) -> None:
        ind = fig.indicator
        type_ids = [t.pk for t in ind.activity_types.all()]
        if ind.measure == Measure.SUPERVISED_UNITS:
            sets = {b: self.lists.supervised.get((pidx, b), set()) for b in self.bucket_keys}
            for b, s in sets.items():
                fig.cells[(pidx, b)] = len(s)
            fig.totals[pidx] = len(set().union(*sets.values()))
            fig.own[pidx] = len(sets[SELF])
            fig.children[pidx] = len(set().union(*(sets[b] for b in self.child_keys)))
        else:
            col = ACTIVITY_COLUMN[ind.measure]
            for b in self.bucket_keys:
                fig.cells[(pidx, b)] = sum(
                    self.raw.activity.get((pidx, b, t), (0, 0, 0, 0))[col] for t in type_ids
                )
            self._sum_up(fig, pidx)
        fig.subjects[pidx] = [s for t, s in self.lists.subjects_self.get(pidx, []) if t in type_ids]
        fig.units[pidx] = [
            (name, kind)
            for t, _, name, kind in self.lists.supervised_self.get(pidx, [])
            if t in type_ids
        ]

    def _computed(self, fig: Figure, pidx: int, depth: int) -> None:
        ind = fig.indicator
        a = self._figure(self.by_id[ind.operand_a_id], depth + 1)
        b = self._figure(self.by_id[ind.operand_b_id], depth + 1)

        def combine(x: Value, y: Value) -> Value:
            if not isinstance(x, int) or not isinstance(y, int):
                return None
            if ind.measure == Measure.RATIO:
                return Rate(x, y)
            if ind.measure == Measure.SUM:
                return x + y
            return x - y

        for bucket in self.bucket_keys:
            fig.cells[(pidx, bucket)] = combine(a.cell(pidx, bucket), b.cell(pidx, bucket))
        fig.totals[pidx] = combine(a.totals.get(pidx), b.totals.get(pidx))
        fig.own[pidx] = combine(a.own.get(pidx), b.own.get(pidx))
        fig.children[pidx] = combine(a.children.get(pidx), b.children.get(pidx))
        fig.available = a.available and b.available

    def _external(self, fig: Figure, pidx: int) -> None:
        reg = providers.get(fig.indicator.provider_key)
        if reg is None:
            fig.available = False
            fig.totals[pidx] = fig.own[pidx] = fig.children[pidx] = None
            return
        result = reg.provider(
            user=self.user,
            unit=self.scope.unit,
            children=self.scope.children,
            version=self.scope.version,
            period=self.periods[pidx],
        )
        own_key = self.scope.unit.pk if self.scope.unit else None
        for key, value in result.by_unit.items():
            bucket = SELF if key == own_key else str(key)
            fig.cells[(pidx, bucket)] = value
        fig.totals[pidx] = result.total
        fig.own[pidx] = fig.cells.get((pidx, SELF))
        fig.children[pidx] = _additive([fig.cells.get((pidx, b)) for b in self.child_keys])
        fig.detail_url[pidx] = result.detail_url
