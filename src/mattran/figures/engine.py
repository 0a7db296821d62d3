"""The one engine: any set of figure keys, for a scope and periods.

    figures = figures_compute(
        user=user,
        scope=scope_build(unit=ward),
        periods=[p, p.previous_year()],
        keys=["activities.count(types=tuyen_truyen)", "funds.mobilised(fund=poor)"],
    )
    figures["funds.mobilised(fund=poor)"].totals[0]

Lineage across structure versions and the user's access are applied here and
in the sources, once. Each source computes all of its keys together (one
grouped query, or a constant number), so a computation's query count depends
on which sources are asked, never on the number of units, records or keys.
Entered totals (`EnteredTotal`: a unit's figures of a past period typed once)
stand in for a unit and period without records of that figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from mattran.core.periods import Period

from . import registry
from .batch import Batch
from .keys import FigureKey, key_parse
from .scope import LineageMap, Scope, access_q, lineage_map_build
from .values import FigureValues


@dataclass
class FigureRequest:
    user: object
    scope: Scope
    periods: list[Period]
    _lmap: LineageMap | None = None
    extras: dict = field(default_factory=dict)  # what sources leave for their callers
    batch: Batch = field(default_factory=Batch)  # the sources' statements, one round trip
    memo: dict = field(default_factory=dict)  # what a source's steps share (never stored)

    @property
    def lmap(self) -> LineageMap:
        if self._lmap is None:
            self._lmap = lineage_map_build(self.scope.version)
        return self._lmap

    def access(self, prefix: str) -> Q:
        return access_q(self.user, prefix)


@dataclass
class FigureSet:
    request: FigureRequest
    values: dict[FigureKey, FigureValues]

    def __getitem__(self, key: str | FigureKey) -> FigureValues:
        return self.values[key if isinstance(key, FigureKey) else key_parse(key)]

    def get(self, key: str | FigureKey) -> FigureValues | None:
        try:
            return self[key]
        except (KeyError, ValueError):
            return None


def _keys(keys: Iterable[str | FigureKey]) -> list[FigureKey]:
    out: list[FigureKey] = []
    for k in keys:
        key = registry.key_validate(k, check_values=False)
        if key not in out:
            out.append(key)
    return out


def figures_compute(
    *,
    user,
    scope: Scope,
    periods: list[Period],
    keys: Iterable[str | FigureKey],
    lmap: LineageMap | None = None,
    entered: bool = True,
) -> FigureSet:
    """Values of `keys` over `scope` for each of `periods` (raises ValidationError on a bad key)."""
    request = FigureRequest(user=user, scope=scope, periods=list(periods), _lmap=lmap)
    wanted = _keys(keys)
    by_source: dict[str, list[FigureKey]] = defaultdict(list)
    for key in wanted:
        by_source[registry.key_family(key).source].append(key)
    # every source's statements (and the entered totals') in one round trip
    for name, keys_of_source in by_source.items():
        prepare = registry.source_get(name).prepare
        if prepare is not None:
            prepare(request, keys_of_source)
    if entered and wanted:
        from .entered import entered_prepare

        entered_prepare(request, wanted)
    request.batch.run()
    values: dict[FigureKey, FigureValues] = {}
    for name, keys_of_source in by_source.items():
        values.update(registry.source_get(name).compute(request, keys_of_source))
    if entered:
        from .entered import entered_apply

        entered_apply(request, values)
    for pidx in range(len(request.periods)):
        child_cells = scope.child_cells(pidx)
        for fv in values.values():
            fv.sum_up(pidx, child_cells)
    return FigureSet(request=request, values=values)


def figures_drill(*, user, scope: Scope, period: Period, key: str | FigureKey, bucket: str):
    """(kind, queryset) of the records behind one figure, or None when the source has none."""
    key = registry.key_validate(key, check_values=False)
    source = registry.source_get(registry.key_family(key).source)
    if source.drill is None:
        return None
    request = FigureRequest(user=user, scope=scope, periods=[period])
    return source.drill(request, key, bucket)
