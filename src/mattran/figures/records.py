"""The records source: activity records, mediation cases and aggregate entries.

One SQL statement reads every record-based figure of a computation: a UNION
ALL of grouped SELECTs over the three tables, each restricted to the scope by
ranges on the denormalised `unit_path` and grouped by period and bucket
(computed in SQL from the path, `Scope.bucket_expr`). Two small queries add
the lists a narrative names (proposals, supervised units); they read only the
records of the types that carry them. Records of other structure versions join
the same UNION ALL grouped by their unit path and are attributed in Python
through lineage (`scope.attribute`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from mattran.activities.models import (
    ActivityRecord,
    ActivityType,
    AggregateEntry,
    DataElement,
    MediationCase,
    MediationOutcome,
    SupervisedUnit,
)
from mattran.core.periods import Period
from mattran.units.models import Unit

from .scope import OTHER, SELF, LineageMap, Scope, access_q, attribute

SRC_ACTIVITY, SRC_MEDIATION, SRC_AGGREGATE = 1, 2, 3
FOREIGN = 10  # +10: records of other structure versions
# Inline lists of ranges are fine up to this many; beyond, scan by version.
MAX_FOREIGN_RANGES = 300


@dataclass
class RawFigures:
    """Raw grouped sums, keyed by (period index, bucket key, ...)."""

    # (pidx, bucket, type_id) -> [count, attendance, missing attendance, missing subject]
    activity: dict[tuple[int, str, int], list[int]] = field(default_factory=dict)
    # (pidx, bucket) -> [received, resolved, failed, open]
    mediation: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    # (pidx, bucket, element_id) -> value
    aggregate: dict[tuple[int, str, int], int] = field(default_factory=dict)
    # other-version paths attributed to each bucket (for drill-down)
    foreign_paths: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # split units not counted: lineage path -> [activities, mediation cases received]
    split: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def has_other(self) -> bool:
        return (
            any(b == OTHER for (_, b, *_) in self.activity)
            or any(b == OTHER for (_, b) in self.mediation)
            or any(b == OTHER for (_, b, _) in self.aggregate)
        )


def _period_expr(field_name: str, periods: list[Period]) -> Case:
    return Case(
        *[
            When(**{f"{field_name}__range": (p.start, p.end)}, then=Value(i))
            for i, p in enumerate(periods)
        ],
        output_field=IntegerField(),
    )


def periods_q(field_name: str, periods: list[Period]) -> Q:
    q = Q(pk__in=[])
    for p in periods:
        q |= Q(**{f"{field_name}__range": (p.start, p.end)})
    return q


def mediation_q(measure: str, p: Period) -> Q:
    """Which cases a mediation figure counts in period `p`."""
    if measure == "received":  # received in the period, or carried into it still open
        return Q(received_on__lte=p.end) & (
            Q(received_on__gte=p.start) | Q(closed_on__isnull=True) | Q(closed_on__gte=p.start)
        )
    closed_in = Q(closed_on__range=(p.start, p.end))
    if measure == "resolved":
        return closed_in & Q(outcome=MediationOutcome.RESOLVED)
    if measure == "failed":
        return closed_in & Q(outcome=MediationOutcome.FAILED)
    return Q(received_on__lte=p.end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=p.end))


MEDIATION_MEASURES = ("received", "resolved", "failed", "open")


def _selects(where: Q, group, periods: list[Period], src_offset: int) -> list:
    """The grouped SELECTs of the three sources, in the union's column layout:
    (src, pidx, grp, key, v1, v2, v3, v4)."""
    group_expr = F(group) if isinstance(group, str) else group
    zero = Value(0, output_field=IntegerField())
    activity = (
        ActivityRecord.objects.filter(where, periods_q("date", periods))
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
        .annotate(
            **{
                f"v{n}": Count("id", filter=mediation_q(m, p))
                for n, m in enumerate(MEDIATION_MEASURES, 1)
            }
        )
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
    access = access_q(user, "unit_")
    selects = _selects(scope.subtree_q() & access, scope.bucket_expr("unit_path"), periods, 0)
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
            if scope.peers and not grp:
                continue
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
    if supervision_type_ids:
        rows = (
            SupervisedUnit.objects.filter(
                Q(record__type_id__in=supervision_type_ids),
                periods_q("record__date", periods),
                scope.subtree_q("record__unit_"),
                access_q(user, "record__unit_"),
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
        rows = (
            ActivityRecord.objects.filter(
                Q(unit_path=scope.unit.path, type_id__in=subject_type_ids),
                periods_q("date", periods),
                access_q(user, "unit_"),
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


# ------------------------------------------------------------------ the source

ACTIVITY_COLUMN = {"count": 0, "attendance": 1, "missing_attendance": 2, "missing_subject": 3}


def compute(request, keys) -> dict:
    """Values of every activities.*, mediation.* and aggregates.* key asked, in a constant
    number of queries (two definitional lookups, the UNION ALL, at most two list queries)."""
    from .values import FigureValues, Rate

    codes = {c for k in keys if k.family.startswith("activities.") for c in k.get_all("types")}
    types = {
        t.code: t
        for t in ActivityType.objects.filter(code__in=codes).only(
            "id", "code", "uses_subject", "uses_supervised_units"
        )
    }
    elements = {
        e.code: e.pk
        for e in DataElement.objects.filter(
            code__in={k.get("element") for k in keys if k.family == "aggregates.value"}
        )
    }
    supervision = sorted(
        {
            types[c].pk
            for k in keys
            if k.family.startswith("activities.")
            for c in k.get_all("types")
            if c in types
            and (k.family == "activities.supervised_units" or types[c].uses_supervised_units)
        }
    )
    subject_types = sorted(
        {
            types[c].pk
            for k in keys
            if k.family.startswith("activities.")
            for c in k.get_all("types")
            if c in types and types[c].uses_subject
        }
    )
    scope, periods = request.scope, request.periods
    raw = rollup(user=request.user, scope=scope, periods=periods, lmap=request.lmap)
    request.extras["records"] = raw
    lists = (
        rollup_lists(
            user=request.user,
            scope=scope,
            periods=periods,
            supervision_type_ids=supervision,
            subject_type_ids=subject_types,
        )
        if supervision or subject_types
        else ListFigures()
    )
    buckets, child_keys = scope.bucket_keys, scope.child_keys
    out = {}
    for key in keys:
        fv = FigureValues(key=key)
        measure = key.family.split(".", 1)[1]
        for pidx in range(len(periods)):
            if key.family.startswith("activities."):
                type_ids = [types[c].pk for c in key.get_all("types") if c in types]
                if measure == "supervised_units":
                    sets = {b: lists.supervised.get((pidx, b), set()) for b in buckets}
                    for b, s in sets.items():
                        fv.cells[(pidx, b)] = len(s)
                    fv.totals[pidx] = len(set().union(*sets.values()))
                    fv.own[pidx] = len(sets[SELF])
                    fv.children[pidx] = len(set().union(*(sets[b] for b in child_keys)))
                else:
                    col = ACTIVITY_COLUMN[measure]
                    for b in buckets:
                        fv.cells[(pidx, b)] = sum(
                            raw.activity.get((pidx, b, t), (0, 0, 0, 0))[col] for t in type_ids
                        )
                fv.subjects[pidx] = [
                    s for t, s in lists.subjects_self.get(pidx, []) if t in type_ids
                ]
                fv.units[pidx] = [
                    (name, kind)
                    for t, _, name, kind in lists.supervised_self.get(pidx, [])
                    if t in type_ids
                ]
            elif key.family == "mediation.rate":
                for b in buckets:
                    row = raw.mediation.get((pidx, b))
                    fv.cells[(pidx, b)] = Rate(row[1], row[0]) if row else Rate(0, 0)

                def rate(bs, pidx=pidx):
                    rows = [raw.mediation.get((pidx, b)) for b in bs]
                    rows = [r for r in rows if r]
                    return Rate(sum(r[1] for r in rows), sum(r[0] for r in rows))

                fv.totals[pidx] = rate(buckets)
                fv.own[pidx] = rate([SELF])
                fv.children[pidx] = rate(child_keys)
            elif key.family.startswith("mediation."):
                col = MEDIATION_MEASURES.index(measure)
                for b in buckets:
                    row = raw.mediation.get((pidx, b))
                    fv.cells[(pidx, b)] = row[col] if row else 0
            elif key.family == "aggregates.value":
                element = elements.get(key.get("element"))
                for b in buckets:
                    fv.cells[(pidx, b)] = raw.aggregate.get((pidx, b, element), 0)
        out[key] = fv
    return out


def drill(request, key, bucket: str):
    """The records behind one figure, for one bucket ("total", "self", "other", a child id),
    filtered to what the user may see; records carried over by lineage included."""
    scope, period = request.scope, request.periods[0]
    if bucket == "total":
        where = scope.subtree_q()
    elif bucket == SELF:
        where = Q(unit_path=scope.path)
    elif bucket == OTHER:
        where = Q(pk__in=[])
    else:
        child = next((c for c in scope.children if str(c.pk) == bucket), None)
        if child is None:
            return None
        where = Unit.subtree_q(child.path, "unit_")
    if bucket != SELF and request.lmap:
        raw = rollup(user=request.user, scope=scope, periods=[period], lmap=request.lmap)
        if bucket == "total":
            foreign = sorted({p for paths in raw.foreign_paths.values() for p in paths})
        else:
            foreign = sorted(raw.foreign_paths.get(bucket, set()))
        if foreign:
            where |= Q(unit_path__in=foreign)
    access = access_q(request.user, "unit_")
    measure = key.family.split(".", 1)[1]
    if key.family.startswith("activities."):
        qs = ActivityRecord.objects.filter(
            where,
            access,
            type__code__in=key.get_all("types"),
            date__range=(period.start, period.end),
        )
        if measure == "missing_attendance":
            qs = qs.filter(attendance__isnull=True)
        elif measure == "missing_subject":
            qs = qs.filter(subject="")
        return "activity", qs.select_related("unit", "type").order_by("date", "id")
    if key.family.startswith("mediation."):
        q = mediation_q("received" if measure == "rate" else measure, period)
        qs = MediationCase.objects.filter(where, access, q).select_related("unit")
        return "mediation", qs.order_by("received_on", "id")
    qs = AggregateEntry.objects.filter(
        where,
        access,
        element__code=key.get("element"),
        period_start__gte=period.start,
        period_end__lte=period.end,
    ).select_related("unit", "element")
    return "aggregate", qs.order_by("period_start", "unit__path")
