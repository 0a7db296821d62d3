"""Roll-up: the figures of a subtree for a period and the same period a year earlier.

One SQL statement per report reads every record-based figure: a UNION ALL of
grouped SELECTs over activity records, mediation cases and aggregate entries,
each restricted to the subtree by one range on the denormalised `unit_path`
(`Unit.subtree_q`) and grouped by *bucket* — the child of the report's unit
the record lies under ("" for the unit's own office), computed in SQL from the
path. The number of queries does not depend on the number of units, records or
indicators. Two small queries add the lists a narrative names (proposals,
supervised units); they read only the records of the types that carry them.

Structure versions. A record belongs to the unit it happened in, in that
unit's version. A report asked under another version carries records over
through `units.Lineage` (in either direction), with this rule:

    A record counts at the *lowest unit of the requested version that contains
    every unit its own unit became* (the lowest common ancestor of its
    lineage successors). A ward merged whole into a new ward counts in that
    ward. A ward split among several new wards ("part" lineage) counts in
    their common parent; in the breakdown it appears on a separate row,
    "Đơn vị cũ chia tách, sáp nhập", because no record says in which part it
    happened. A report on one of those new wards does not count it; the
    report lists it in a note instead, so nothing is double counted or
    silently lost. Units without lineage rows inherit it: a residential area
    follows its ward; an old district office takes the union of its wards'
    successors (so its records count at the new city, on the separate row).

Foreign records (of other versions) join the same UNION ALL, grouped by their
unit path, and are attributed in Python from the lineage rows (one query).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import StrIndex, Substr

from mattran.access.policy import Perm, policy_for
from mattran.activities.models import (
    ActivityRecord,
    AggregateEntry,
    MediationCase,
    MediationOutcome,
    SupervisedUnit,
)
from mattran.core.periods import Period
from mattran.units.models import Lineage, StructureVersion, Unit

SELF = "self"
OTHER = "other"  # carried over from another version, not attributable to one child

# Sources in the union; +10 for records of other structure versions.
SRC_ACTIVITY, SRC_MEDIATION, SRC_AGGREGATE = 1, 2, 3
FOREIGN = 10
# Inline lists of ranges are fine up to this many; beyond, scan by version.
MAX_FOREIGN_RANGES = 300


@dataclass(frozen=True)
class Scope:
    """What a report covers: one unit's subtree, or a whole version (the nation)."""

    version: StructureVersion
    unit: Unit | None  # None: every root of the version
    children: tuple[Unit, ...]
    root_paths: tuple[str, ...]  # version roots, used when unit is None

    @property
    def path(self) -> str:
        return self.unit.path if self.unit else "/"

    def subtree_q(self, prefix: str = "unit_") -> Q:
        if self.unit is not None:
            return Unit.subtree_q(self.unit.path, prefix)
        q = Q(pk__in=[])
        for p in self.root_paths:
            q |= Unit.subtree_q(p, prefix)
        return q

    def bucket_of_path(self, path: str) -> str | None:
        """The bucket key of a unit path of this version, None if outside the scope."""
        base = self.path
        if not path.startswith(base):
            return None
        rest = path[len(base) :]
        if not rest:
            return SELF
        return rest.split("/", 1)[0]


def scope_build(*, unit: Unit | None, version: StructureVersion | None = None) -> Scope:
    if unit is not None:
        children = tuple(Unit.objects.filter(parent=unit).order_by("path"))
        return Scope(version=unit.version, unit=unit, children=children, root_paths=())
    assert version is not None
    roots = tuple(Unit.objects.filter(version=version, parent__isnull=True).order_by("path"))
    return Scope(
        version=version, unit=None, children=roots, root_paths=tuple(r.path for r in roots)
    )


# --------------------------------------------------------------------- lineage


@dataclass
class LineageMap:
    """How units of other versions map into the scope's version."""

    # other-version unit path -> set of this-version unit paths it became
    candidates: dict[str, frozenset[str]] = field(default_factory=dict)
    # other-version ancestor path -> union of its descendants' candidates
    inherited_up: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.candidates)

    def candidates_of(self, path: str) -> frozenset[str]:
        if path in self.candidates:
            return self.candidates[path]
        # Nearest ancestor with lineage (a residential area follows its ward).
        parts = path.strip("/").split("/")
        for i in range(len(parts) - 1, 0, -1):
            anc = "/" + "/".join(parts[:i]) + "/"
            if anc in self.candidates:
                return self.candidates[anc]
        return self.inherited_up.get(path, frozenset())

    def relevant_paths(self, scope: Scope) -> tuple[list[str], list[str]]:
        """(lineage unit paths whose subtrees matter, ancestor paths whose own records matter)."""
        base = scope.path
        subtrees = [p for p, c in self.candidates.items() if any(x.startswith(base) for x in c)]
        ancestors = [p for p, c in self.inherited_up.items() if any(x.startswith(base) for x in c)]
        return subtrees, ancestors


def lineage_map_build(version: StructureVersion) -> LineageMap:
    """One query: every lineage row between `version` and any other version."""
    rows = Lineage.objects.filter(
        Q(to_unit__version=version) | Q(from_unit__version=version)
    ).values_list("from_unit__path", "from_unit__version_id", "to_unit__path")
    cands: dict[str, set[str]] = defaultdict(set)
    for from_path, from_version, to_path in rows:
        if from_version == version.pk:  # newer records reported under this older version
            cands[to_path].add(from_path)
        else:
            cands[from_path].add(to_path)
    lmap = LineageMap(candidates={k: frozenset(v) for k, v in cands.items()})
    up: dict[str, set[str]] = defaultdict(set)
    for path, targets in lmap.candidates.items():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            anc = "/" + "/".join(parts[:i]) + "/"
            if anc not in lmap.candidates:
                up[anc] |= targets
    lmap.inherited_up = {k: frozenset(v) for k, v in up.items()}
    return lmap


def lowest_common_path(paths: frozenset[str]) -> str:
    split = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for segs in zip(*split, strict=False):
        if all(s == segs[0] for s in segs):
            common.append(segs[0])
        else:
            break
    return "/" + "/".join(common) + "/" if common else "/"


@dataclass(frozen=True)
class Attribution:
    bucket: str | None  # None: partly outside the scope (a split unit), not counted
    lineage_path: str  # the other-version unit that carries the lineage


def attribute(scope: Scope, lmap: LineageMap, path: str) -> Attribution | None:
    """Where a record of an other-version unit counts in `scope`; None if unrelated."""
    cands = lmap.candidates_of(path)
    inside = [c for c in cands if c.startswith(scope.path)]
    if not inside:
        return None
    if len(inside) < len(cands):  # split: only partly in the scope
        return Attribution(None, path)
    bucket = scope.bucket_of_path(lowest_common_path(cands))
    return Attribution(OTHER if bucket in (SELF, None) else bucket, path)


# ---------------------------------------------------------------- the query


@dataclass
class RawFigures:
    """Raw grouped sums, keyed by (period index, bucket key, ...)."""

    # (pidx, bucket, type_id) -> [count, attendance, missing attendance, missing subject]
    activity: dict[tuple[int, str, int], list[int]] = field(default_factory=dict)
    # (pidx, bucket) -> [received, resolved, failed, open]
    mediation: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    # (pidx, bucket, element_id) -> value
    aggregate: dict[tuple[int, str], int] = field(default_factory=dict)
    # other-version paths attributed to each bucket (for drill-down)
    foreign_paths: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # split units not counted: lineage path -> [activities, mediation cases received]
    split: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))


def _bucket_expr(base: str) -> Case:
    offset = len(base) + 1
    rest = Substr("unit_path", offset)
    return Case(
        When(unit_path=base, then=Value(SELF)),
        default=Substr(rest, 1, StrIndex(rest, Value("/")) - 1),
        output_field=CharField(),
    )


def _period_expr(field_name: str, periods: list[Period]) -> Case:
    return Case(
        *[
            When(**{f"{field_name}__range": (p.start, p.end)}, then=Value(i))
            for i, p in enumerate(periods)
        ],
        output_field=IntegerField(),
    )


def _periods_q(field_name: str, periods: list[Period]) -> Q:
    q = Q(pk__in=[])
    for p in periods:
        q |= Q(**{f"{field_name}__range": (p.start, p.end)})
    return q


def _mediation_columns(p: Period) -> dict:
    carried = Q(received_on__lte=p.end) & (
        Q(received_on__gte=p.start) | Q(closed_on__isnull=True) | Q(closed_on__gte=p.start)
    )
    closed_in = Q(closed_on__range=(p.start, p.end))
    return {
        "v1": Count("id", filter=carried),
        "v2": Count("id", filter=closed_in & Q(outcome=MediationOutcome.RESOLVED)),
        "v3": Count("id", filter=closed_in & Q(outcome=MediationOutcome.FAILED)),
        "v4": Count(
            "id",
            filter=Q(received_on__lte=p.end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=p.end)),
        ),
    }


def _selects(where: Q, group: Case | str, periods: list[Period], src_offset: int) -> list:
    """The grouped SELECTs of the three sources, in the union's column layout:
    (src, pidx, grp, key, v1, v2, v3, v4)."""
    group_expr = F(group) if isinstance(group, str) else group
    zero = Value(0, output_field=IntegerField())
    activity = (
        ActivityRecord.objects.filter(where, _periods_q("date", periods))
        .order_by()
        .annotate(
            src=Value(SRC_ACTIVITY + src_offset, output_field=IntegerField()),
            pidx=_period_expr("date", periods),
            grp=group_expr,
        )
        .values_list("src", "pidx", "grp", "type_id")
        .annotate(
            v1=Count("id"),
            v2=Sum("attendance"),
            v3=Count("id", filter=Q(attendance__isnull=True)),
            v4=Count("id", filter=Q(subject="")),
        )
    )
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    mediation = [
        MediationCase.objects.filter(
            where, Q(received_on__lte=end), Q(closed_on__isnull=True) | Q(closed_on__gte=start)
        )
        .order_by()
        .annotate(
            src=Value(SRC_MEDIATION + src_offset, output_field=IntegerField()),
            pidx=Value(i, output_field=IntegerField()),
            grp=group_expr,
            key=zero,
        )
        .values_list("src", "pidx", "grp", "key")
        .annotate(**_mediation_columns(p))
        for i, p in enumerate(periods)
    ]
    aggregate_q = Q(pk__in=[])
    whens = []
    for i, p in enumerate(periods):
        inside = Q(period_start__gte=p.start, period_end__lte=p.end)
        aggregate_q |= inside
        whens.append(When(inside, then=Value(i)))
    aggregate = (
        AggregateEntry.objects.filter(where, aggregate_q)
        .order_by()
        .annotate(
            src=Value(SRC_AGGREGATE + src_offset, output_field=IntegerField()),
            pidx=Case(*whens, output_field=IntegerField()),
            grp=group_expr,
        )
        .values_list("src", "pidx", "grp", "element_id")
        .annotate(v1=Sum("value"), v2=zero, v3=zero, v4=zero)
    )
    return [activity, *mediation, aggregate]


def rollup(*, user, scope: Scope, periods: list[Period], lmap: LineageMap | None) -> RawFigures:
    """Every record-based figure of the scope, per period and bucket, in one statement."""
    access = policy_for(user).unit_q(Perm.VIEW, prefix="unit_") if user is not None else Q()
    selects = _selects(scope.subtree_q() & access, _bucket_expr(scope.path), periods, 0)
    if lmap:
        subtrees, ancestors = lmap.relevant_paths(scope)
        if subtrees or ancestors:
            if len(subtrees) + len(ancestors) <= MAX_FOREIGN_RANGES:
                foreign_q = Q(unit_path__in=ancestors) if ancestors else Q(pk__in=[])
                for p in subtrees:
                    foreign_q |= Unit.subtree_q(p, "unit_")
            else:  # e.g. a nation report under a new map: every unit of the other versions
                foreign_q = ~Q(unit__version=scope.version)
            selects += _selects(foreign_q & access, "unit_path", periods, FOREIGN)
    query = selects[0].union(*selects[1:], all=True)

    raw = RawFigures()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One big grouped scan: JIT compilation costs seconds here and saves nothing,
            # and a hash aggregate needs more than the default 4 MB to stay off disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        rows = list(query)
    for src, pidx, grp, key, v1, v2, v3, v4 in rows:
        if pidx is None:
            continue
        values = [v1 or 0, v2 or 0, v3 or 0, v4 or 0]
        if src >= FOREIGN:
            attr = attribute(scope, lmap, grp) if lmap else None
            if attr is None:
                continue
            if attr.bucket is None:
                if pidx == 0 and src == FOREIGN + SRC_ACTIVITY:
                    raw.split[attr.lineage_path][0] += values[0]
                elif pidx == 0 and src == FOREIGN + SRC_MEDIATION:
                    raw.split[attr.lineage_path][1] += values[0]
                continue
            raw.foreign_paths[attr.bucket].add(grp)
            bucket = attr.bucket
            src -= FOREIGN
        else:
            bucket = grp or SELF
        if src == SRC_ACTIVITY:
            _add(raw.activity, (pidx, bucket, key), values)
        elif src == SRC_MEDIATION:
            if any(values):
                _add(raw.mediation, (pidx, bucket), values)
        elif src == SRC_AGGREGATE:
            k = (pidx, bucket, key)
            raw.aggregate[k] = raw.aggregate.get(k, 0) + values[0]
    return raw


def _add(target: dict, key, values: list[int]) -> None:
    row = target.get(key)
    if row is None:
        target[key] = list(values)
    else:
        for i, v in enumerate(values):
            row[i] += v


# ------------------------------------------------------------ narrative lists


@dataclass
class ListFigures:
    # (pidx, bucket) -> set of supervised unit ids (distinct counts per bucket)
    supervised: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    # pidx -> ordered [(type_id, unit_id, name, kind)] supervised by the unit's own office
    supervised_self: dict[int, list[tuple[int, int, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # pidx -> ordered [(type_id, subject)] of the unit's own office
    subjects_self: dict[int, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def rollup_lists(
    *,
    user,
    scope: Scope,
    periods: list[Period],
    supervision_type_ids: list[int],
    subject_type_ids: list[int],
) -> ListFigures:
    """Supervised units (every bucket) and the office's own subjects: two small queries."""
    lists = ListFigures()
    access = policy_for(user).unit_q(Perm.VIEW, prefix="record__unit_") if user else Q()
    if supervision_type_ids:
        rows = (
            SupervisedUnit.objects.filter(
                Q(record__type_id__in=supervision_type_ids),
                _periods_q("record__date", periods),
                scope.subtree_q("record__unit_"),
                access,
            )
            .order_by("record__date", "record_id", "order", "id")
            .values_list(
                "record__date",
                "record__unit_path",
                "record__type_id",
                "unit_id",
                "unit__name",
                "unit__kind",
            )
        )
        seen: set[tuple[int, int, int]] = set()
        for date, path, type_id, unit_id, name, kind in rows:
            for pidx, p in enumerate(periods):
                if not p.contains(date):
                    continue
                bucket = scope.bucket_of_path(path) or OTHER
                lists.supervised[(pidx, bucket)].add(unit_id)
                if bucket == SELF and (pidx, type_id, unit_id) not in seen:
                    seen.add((pidx, type_id, unit_id))
                    lists.supervised_self[pidx].append((type_id, unit_id, name, kind))
    if subject_type_ids and scope.unit is not None:
        access = policy_for(user).unit_q(Perm.VIEW, prefix="unit_") if user else Q()
        rows = (
            ActivityRecord.objects.filter(
                Q(unit_path=scope.unit.path, type_id__in=subject_type_ids),
                _periods_q("date", periods),
                access,
            )
            .exclude(subject="")
            .order_by("date", "id")
            .values_list("date", "type_id", "subject")
        )
        for date, type_id, subject in rows:
            for pidx, p in enumerate(periods):
                if p.contains(date) and (type_id, subject) not in lists.subjects_self[pidx]:
                    lists.subjects_self[pidx].append((type_id, subject))
    return lists


def period_days(periods: list[Period]) -> tuple[dt.date, dt.date]:
    return min(p.start for p in periods), max(p.end for p in periods)
