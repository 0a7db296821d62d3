"""The one registry of figure families.

Each app that owns records registers its families once: a family is a name
(``funds.spent``), a Vietnamese label, its parameters with their allowed
values, and the *source* that computes it. A source computes every requested
key of its families for a scope and periods with one grouped query (or a
constant number), so the engine's query count does not depend on the number
of units, records or figures.

Apps below this layer (activities, funds, units) are registered from
`mattran.figures.families`; apps above it (emulation) register theirs in
their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .keys import FigureKey, KeySyntaxError, key_parse


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    # allowed values -> Vietnamese label; None: free text (slug); may read the database
    choices: Callable[[], dict[str, str]] | None = None
    required: bool = False
    multi: bool = False
    default: str = ""


@dataclass(frozen=True)
class Family:
    name: str  # "activities.count"
    label: str  # "Số hoạt động"
    source: str  # the source that computes it
    params: tuple[Param, ...] = ()
    unit_label: str = ""
    value_format: str = "number"  # "number", "money", "percent"
    description: str = ""
    additive: bool = True  # a total is the sum of its buckets

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# A source: (request, keys) -> {key: FigureValues}; see `engine.FigureRequest`.
SourceFn = Callable[..., dict]
# A drill-down: (request, key, bucket) -> DrillDown
DrillFn = Callable[..., object]
# (request, keys) -> None: add the source's plain SQL statements to `request.batch`
PrepareFn = Callable[..., None]


@dataclass
class Source:
    name: str
    compute: SourceFn
    drill: DrillFn | None = None
    families: list[str] = field(default_factory=list)
    prepare: PrepareFn | None = None


_families: dict[str, Family] = {}
_sources: dict[str, Source] = {}


def source_register(
    name: str,
    compute: SourceFn,
    *,
    drill: DrillFn | None = None,
    prepare: PrepareFn | None = None,
) -> None:
    """`prepare`: adds the statements `compute` will fetch to the request's batch, so
    that every source's statements go to the database in one round trip (batch.py)."""
    _sources[name] = Source(name=name, compute=compute, drill=drill, prepare=prepare)


def family_register(family: Family) -> Family:
    """Register (or replace, on module reload) a family; its source must exist."""
    if family.source not in _sources:
        raise LookupError(f"figure source {family.source!r} is not registered")
    _families[family.name] = family
    return family


def family_get(name: str) -> Family | None:
    return _families.get(name)


def source_get(name: str) -> Source:
    return _sources[name]


def families() -> list[Family]:
    return sorted(_families.values(), key=lambda f: f.name)


def families_text() -> str:
    return ", ".join(f.name for f in families())


def key_validate(text: str | FigureKey, *, check_values: bool = True) -> FigureKey:
    """A valid key in canonical form (parameters at their default left out), or
    `ValidationError` in Vietnamese naming the fault and the valid choices.

    `check_values=False` skips the allowed-values check (which may read the
    database): keys were checked where they were entered, and a computation
    must not spend a query per key."""
    try:
        key = text if isinstance(text, FigureKey) else key_parse(text)
    except KeySyntaxError as exc:
        raise ValidationError(f"{exc} Các nhóm số liệu: {families_text()}.") from None
    family = _families.get(key.family)
    if family is None:
        raise ValidationError(
            f"Không có nhóm số liệu “{key.family}”. Các nhóm số liệu: {families_text()}."
        )
    names = {p.name for p in family.params}
    for name, values in key.params:
        param = family.param(name)
        if param is None:
            allowed = ", ".join(sorted(names)) or "không có tham số"
            raise ValidationError(
                f"Nhóm số liệu “{family.name}” không có tham số “{name}” (tham số: {allowed})."
            )
        if len(values) > 1 and not param.multi:
            raise ValidationError(f"Tham số “{name}” của “{family.name}” chỉ nhận một giá trị.")
        if check_values and param.choices is not None:
            choices = param.choices()
            bad = [v for v in values if v not in choices]
            if bad:
                listed = ", ".join(f"{k} ({v})" for k, v in choices.items())
                raise ValidationError(
                    f"Tham số “{name}” của “{family.name}” không nhận giá trị “{bad[0]}”. "
                    f"Giá trị hợp lệ: {listed}."
                )
    missing = [p.name for p in family.params if p.required and not key.get_all(p.name)]
    if missing:
        raise ValidationError(f"Nhóm số liệu “{family.name}” cần tham số “{missing[0]}”.")
    defaults = {p.name: p.default for p in family.params if p.default}
    if any(defaults.get(n) == vs[0] and len(vs) == 1 for n, vs in key.params):
        key = FigureKey(
            key.family,
            tuple(
                (n, vs) for n, vs in key.params if not (len(vs) == 1 and defaults.get(n) == vs[0])
            ),
        )
    return key


def key_family(key: FigureKey) -> Family:
    family = _families.get(key.family)
    if family is None:
        raise ValidationError(
            f"Không có nhóm số liệu “{key.family}”. Các nhóm số liệu: {families_text()}."
        )
    return family
