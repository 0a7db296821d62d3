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
    system: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)

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


def system_figures(*, user, unit: Unit, period: Period) -> tuple[dict[str, int], dict[str, int]]:
    """The system's figures for `unit` (its whole subtree) and `period`, and the year before."""
    from mattran.reports.selectors import report_build

    report = report_build(user=user, unit=unit, period=period)
    current: dict[str, int] = {}
    previous: dict[str, int] = {}
    for code, fig in report.figures.items():
        if not fig.available:
            continue
        for idx, target in ((0, current), (1, previous)):
            value = fig.totals.get(idx)
            if isinstance(value, int) and not isinstance(value, bool):
                target[code] = value
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
    system: dict[str, int] = {}
    previous: dict[str, int] = {}
    if unit is not None and period is not None:
        system, previous = system_figures(user=user, unit=unit, period=period)
        # the year before: only figures the system has (recorded or entered)
        previous = {k: v for k, v in previous.items() if v}
        system = {k: v for k, v in system.items() if v}
    warnings = checker.check(reading, system=system, previous=previous, jump=jump)
    return Analysis(extracted, reading, warnings, unit, period, system, previous)
