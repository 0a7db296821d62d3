"""Reads for the report reader: extract, find, check; the system's own figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from mattran.core.periods import Period
from mattran.units.models import Unit

from . import checker, extract, finder
from .checker import Warning


@dataclass
class Analysis:
    extracted: extract.Extracted
    reading: finder.Reading
    warnings: list[Warning]
    unit: Unit | None = None
    period: Period | None = None
    system: dict[str, dict] = field(default_factory=dict)
    previous: dict[str, dict] = field(default_factory=dict)

    @property
    def proposals(self) -> list[finder.Figure]:
        """What could be recorded: keyed, the office's own, exact, not a rate, one per key."""
        if self.unit is None or self.period is None:
            return []
        out: dict[str, finder.Figure] = {}
        for f in self.reading.figures:
            if f.key and f.unit == "unit" and f.kind != "rate" and f.role != "per_item":
                out.setdefault(f.key, f)
        return list(out.values())

    def as_dict(self) -> dict:
        return {
            "source": self.extracted.source,
            "encoding": self.extracted.encoding,
            "encoding_note": self.extracted.note,
            "unit": self.unit.name if self.unit else None,
            "period": self.period.code if self.period else None,
            "figures": [f.as_dict() for f in self.reading.figures],
            "lists": [lf.as_dict() for lf in self.reading.lists],
            "not_figures": [
                {"text": s.text, "pattern": s.pattern, "reason": s.reason}
                for s in self.reading.skipped
            ],
            "warnings": [w.as_dict() for w in self.warnings],
            "proposals": [
                {"key": f.key, "value": int(f.value), "text": f.text, "sentence": f.sentence}
                for f in self.proposals
            ],
        }


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def system_figures(*, user, unit: Unit, period: Period) -> tuple[dict, dict]:
    """The system's figures for `unit` and `period`, and for the year before:
    key -> {"unit": whole subtree, "own": the office's own, "children": the rest}."""
    from mattran.reports.selectors import report_build

    report = report_build(user=user, unit=unit, period=period)
    current: dict[str, dict[str, int | None]] = {}
    previous: dict[str, dict[str, int | None]] = {}
    for code, fig in report.figures.items():
        if not fig.available:
            continue
        for idx, target in ((0, current), (1, previous)):
            whole = _int(fig.totals.get(idx))
            if whole:
                target[code] = {
                    "unit": whole,
                    "own": _int(fig.own.get(idx)),
                    "children": _int(fig.children.get(idx)),
                }
    return current, previous


def analyse(
    *,
    extracted: extract.Extracted,
    user=None,
    unit: Unit | None = None,
    period: Period | None = None,
    jump: Decimal = checker.DEFAULT_JUMP,
) -> Analysis:
    reading = finder.read_text(extracted.text)
    system: dict[str, dict] = {}
    previous: dict[str, dict] = {}
    if unit is not None and period is not None:
        system, previous = system_figures(user=user, unit=unit, period=period)
    warnings = checker.check(reading, system=system, previous=previous, jump=jump)
    return Analysis(extracted, reading, warnings, unit, period, system, previous)


def history_of(*, unit: Unit, period: Period) -> dict[str, int]:
    """The entered totals of `unit` for `period` by reader key, wherever they were written
    (the figures layer's entered totals, or the aggregate entries before it)."""
    from mattran.activities.models import AggregateEntry

    from . import keys
    from .services import HISTORY_PREFIX

    out: dict[str, int] = {}
    for code, value in AggregateEntry.objects.filter(
        unit=unit, period_start=period.start, period_end=period.end
    ).values_list("element__code", "value"):
        key = code.removeprefix(HISTORY_PREFIX)
        if key in keys.all_keys():
            out[key] = value
    if keys.figures_layer_ready():
        from mattran.figures.services import entered_totals_of

        by_figure = {keys.figure_key(k): k for k in keys.all_keys() if keys.figure_key(k)}
        for figure, value in entered_totals_of(unit=unit, period=period).items():
            if figure in by_figure:
                out[by_figure[figure]] = value
    return out
