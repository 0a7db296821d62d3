"""External figure providers: how other apps (the funds ledger) put figures in reports.

An indicator with ``source="external"`` names a provider key. The app that owns
the figure registers a provider under that key, typically in its
``AppConfig.ready()``::

    from mattran.reports import providers

    providers.register(
        "funds.vi_bien_dao.mobilised",
        vi_bien_dao_mobilised,  # (*, user, unit, children, version, period) -> ProvidedFigure
        label="Quỹ “Vì biển, đảo Việt Nam” – số vận động",
    )

The provider is called once per report and period (current, previous year)
and must answer with a constant number of queries (one grouped query over the
subtree), starting from what `user` may see. `by_unit` gives the value at the
report's unit's own office (key: that unit's id) and for each child unit (key:
child id; the child's whole subtree). `total` is the subtree's total.
Unregistered keys print as "—" and their sentences are left out.

Keys the standard template uses (see `catalogue.INDICATORS`):
``funds.vi_bien_dao.mobilised``, ``funds.vi_nguoi_ngheo.disbursed``,
``funds.vi_nguoi_ngheo.gifts``, ``funds.vi_nguoi_ngheo.houses_repaired``,
``funds.transfers_to_parent``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mattran.core.periods import Period
from mattran.units.models import StructureVersion, Unit


@dataclass(frozen=True)
class ProvidedFigure:
    total: int | None
    by_unit: Mapping[int, int] = field(default_factory=dict)
    detail_url: str = ""  # where the records behind the figure are listed


class FigureProvider(Protocol):
    def __call__(
        self,
        *,
        user,
        unit: Unit | None,
        children: Sequence[Unit],
        version: StructureVersion,
        period: Period,
    ) -> ProvidedFigure: ...


@dataclass(frozen=True)
class Registration:
    key: str
    provider: Callable[..., ProvidedFigure]
    label: str


_registry: dict[str, Registration] = {}


def register(key: str, provider: FigureProvider, *, label: str = "") -> None:
    _registry[key] = Registration(key=key, provider=provider, label=label or key)


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: str) -> Registration | None:
    return _registry.get(key)


def registered() -> list[Registration]:
    return sorted(_registry.values(), key=lambda r: r.key)
