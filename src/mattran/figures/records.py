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

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)

from mattran.activities.models import (
    ActivityRecord,
    ActivityType,
    AggregateEntry,
    DataElement,
    MediationCase,
    MediationOutcome,
)
from mattran.core import versions
from mattran.core.periods import Period
from mattran.units.models import Unit

from .batch import Batch
from .scope import (
    OTHER,
    SELF,
    LineageMap,
    Scope,
    access_paths,
    access_q,
    access_sql,
    attribute,
    paths_sql,
    scope_paths,
)

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


_raw_only: ContextVar[bool] = ContextVar("figures_raw_only", default=False)


@contextmanager
def raw_rollup() -> Iterator[None]:
    """Within this block the records source reads the records themselves, not the
    summary tables (the benchmark's baseline; tests that compare the two ways)."""
    token = _raw_only.set(True)
    try:
        yield
    finally:
        _raw_only.reset(token)


def months_only(periods: list[Period]) -> bool:
    """Whether every period is made of whole months (the summaries' grain)."""
    return all(p.start.day == 1 and (p.end + dt.timedelta(days=1)).day == 1 for p in periods)


def quarters_only(periods: list[Period]) -> bool:
    """Whether every period is made of whole calendar quarters (the quarterly summary's
    grain): a 9-month, half-year or year review and the same period a year earlier."""
    day = dt.timedelta(days=1)
    return all(
        p.start.day == 1
        and p.start.month % 3 == 1
        and (p.end + day).day == 1
        and (p.end + day).month % 3 == 1
        for p in periods
    )


@dataclass(frozen=True)
class MonthSplit:
    """A period as the whole months inside it (`body`) and the days before and after them
    (`head`, `tail`: (first day, last day), or None)."""

    head: tuple[dt.date, dt.date] | None
    body: Period | None
    tail: tuple[dt.date, dt.date] | None


def month_split(p: Period) -> MonthSplit:
    day = dt.timedelta(days=1)
    first = p.start if p.start.day == 1 else (p.start.replace(day=28) + 5 * day).replace(day=1)
    last = p.end if (p.end + day).day == 1 else p.end.replace(day=1) - day
    if first > last:
        return MonthSplit(None, None, None)
    return MonthSplit(
        (p.start, first - day) if p.start < first else None,
        Period.range(first, last),
        (last + day, p.end) if last < p.end else None,
    )


def rollup(
    *,
    user,
    scope: Scope,
    periods: list[Period],
    lmap: LineageMap | None,
    batch: Batch | None = None,
) -> RawFigures:
    """Every record-based figure of the scope, per period and bucket: from the summary
    tables when the periods are whole months (every period kind but a free date
    range); a free date range reads the summaries for the whole months inside it and
    the records only for the days at its edges (`rollup_edges`); a range with no whole
    month inside (or overlapping another period) reads the records. Every way gives the
    same figures. `batch`: where the summary statement may have been prepared
    (`prepare`)."""
    if _raw_only.get():
        return rollup_raw(user=user, scope=scope, periods=periods, lmap=lmap)
    if months_only(periods):
        return rollup_summary(user=user, scope=scope, periods=periods, lmap=lmap, batch=batch)
    splits = [month_split(p) for p in periods]
    ordered = sorted(periods, key=lambda p: p.start)
    overlap = any(a.end >= b.start for a, b in zip(ordered, ordered[1:], strict=False))
    if overlap or any(s.body is None for s in splits):
        # (overlapping periods: a record counts in the first one only, see `_period_expr`)
        return rollup_raw(user=user, scope=scope, periods=periods, lmap=lmap)
    whole = rollup_summary(
        user=user,
        scope=scope,
        periods=[s.body for s in splits],
        lmap=lmap,
        aggregate_periods=periods,  # entries are summed by their own dates, not by month
    )
    edges = rollup_edges(user=user, scope=scope, splits=splits, lmap=lmap)
    for k, v in edges.activity.items():
        _add(whole.activity, k, v)
    for k, v in edges.mediation.items():
        _add(whole.mediation, k, v)
    whole.activity = {k: v for k, v in whole.activity.items() if any(v)}
    whole.mediation = {k: v for k, v in whole.mediation.items() if any(v)}
    for path, counts in edges.split.items():
        _add(whole.split, path, counts)
    whole.split = defaultdict(lambda: [0, 0], {p: c for p, c in whole.split.items() if any(c)})
    return whole


def rollup_raw(*, user, scope: Scope, periods: list[Period], lmap: LineageMap | None) -> RawFigures:
    """Every record-based figure of the scope, per period and bucket, in one statement
    over the records."""
    return _rollup_records(
        user=user,
        scope=scope,
        lmap=lmap,
        selects=lambda where, group, offset: _selects(where, group, periods, offset),
    )


def rollup_edges(
    *, user, scope: Scope, splits: list[MonthSplit], lmap: LineageMap | None
) -> RawFigures:
    """What the days at the edges of free date ranges add to the figures of the whole
    months inside them (`rollup`), in one statement over the records of those days:
    activities of the head and tail days; for mediation, with R, C, Res, F the cases
    received, closed, closed resolved, closed failed in the head (h) or tail (t) days,
    received (incl. carried over) + R_t + C_h, resolved + Res_h + Res_t, failed + F_h +
    F_t, open at the end + R_t - C_t."""
    return _rollup_records(
        user=user,
        scope=scope,
        lmap=lmap,
        selects=lambda where, group, offset: _edge_selects(where, group, splits, offset),
    )


def _edge_selects(where: Q, group, splits: list[MonthSplit], src_offset: int) -> list:
    """`rollup_edges`' grouped SELECTs, in `_selects`' column layout."""
    group_expr = F(group) if isinstance(group, str) else group
    zero = Value(0, output_field=IntegerField())
    days = Q(pk__in=[])
    whens = []
    for i, s in enumerate(splits):
        for edge in (s.head, s.tail):
            if edge is not None:
                days |= Q(date__range=edge)
                whens.append(When(date__range=edge, then=Value(i)))
    activity = (
        ActivityRecord.objects.filter(where, days)
        .order_by()
        .annotate(
            src=Value(SRC_ACTIVITY + src_offset, output_field=IntegerField()),
            pidx=Case(*whens, output_field=IntegerField()),
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

    def count(q: Q | None):
        return Count("id", filter=q) if q is not None else zero

    mediation = []
    for i, s in enumerate(splits):
        received_t = Q(received_on__range=s.tail) if s.tail else None
        closed_h = Q(closed_on__range=s.head) if s.head else None
        closed_t = Q(closed_on__range=s.tail) if s.tail else None
        closed = Q(pk__in=[])
        rows = Q(pk__in=[])
        for edge in (s.head, s.tail):
            if edge is not None:
                closed |= Q(closed_on__range=edge)
                rows |= Q(received_on__range=edge) | Q(closed_on__range=edge)
        mediation.append(
            MediationCase.objects.filter(where, rows)
            .order_by()
            .annotate(
                src=Value(SRC_MEDIATION + src_offset, output_field=IntegerField()),
                pidx=Value(i, output_field=IntegerField()),
                grp=group_expr,
                key=zero,
            )
            .values_list("src", "pidx", "grp", "key")
            .annotate(
                v1=ExpressionWrapper(count(received_t) + count(closed_h), IntegerField()),
                v2=count(closed & Q(outcome=MediationOutcome.RESOLVED)),
                v3=count(closed & Q(outcome=MediationOutcome.FAILED)),
                v4=ExpressionWrapper(count(received_t) - count(closed_t), IntegerField()),
            )
        )
    return [activity, *mediation]


def _rollup_records(*, user, scope: Scope, lmap: LineageMap | None, selects) -> RawFigures:
    """Run the grouped SELECTs `selects(where, group, src offset)` builds over the scope's
    records (and, through lineage, other versions' records) as one UNION ALL and sum
    them per period and bucket."""
    access = access_q(user, "unit_")
    build = selects
    selects = build(scope.subtree_q() & access, scope.bucket_expr("unit_path"), 0)
    if lmap:
        subtrees, ancestors = lmap.relevant_paths(scope)
        if subtrees or ancestors:
            if len(subtrees) + len(ancestors) <= MAX_FOREIGN_RANGES:
                foreign_q = Q(unit_path__in=ancestors) if ancestors else Q(pk__in=[])
                for p in subtrees:
                    foreign_q |= Unit.subtree_q(p, "unit_")
            else:  # e.g. a nation report under a new map: every unit of the other versions
                foreign_q = ~Q(unit__version=scope.version)
            selects += build(foreign_q & access, "unit_path", FOREIGN)
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
                if pidx == 0 and src == FOREIGN + SRC_ACTIVITY and values[0]:
                    raw.split[attr.lineage_path][0] += values[0]
                elif pidx == 0 and src == FOREIGN + SRC_MEDIATION and values[0]:
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


def _add(target: dict, key, values) -> None:
    row = target.get(key)
    if row is None:
        target[key] = list(values)
    else:
        for i, v in enumerate(values):
            row[i] += v


# ------------------------------------------------------------------ summaries


def _unit_id(path: str) -> int:
    return int(path.rstrip("/").rsplit("/", 1)[1])


@dataclass(frozen=True)
class _Atom:
    """Summary rows of one unit counted, with a sign, in a bucket: its whole subtree,
    or (own) its own office only. bucket None: a split unit's records (`split`)."""

    unit_id: int
    own: bool
    bucket: str | None
    sign: int = 1
    split: str = ""


def _atoms(scope: Scope, visible: list[str] | None, lmap: LineageMap | None) -> list[_Atom]:
    """The summary rows a scope reads, with the user's access (`visible`: the subtrees
    they may see, None for all) and lineage applied: the same records the raw
    roll-up selects, as sums and differences of subtrees."""

    def covered(path: str) -> bool:
        return visible is None or any(path.startswith(v) for v in visible)

    def below(path: str) -> list[str]:
        return [v for v in visible or () if v.startswith(path) and v != path]

    atoms: list[_Atom] = []
    for child in scope.children:
        bucket = str(child.pk)
        if covered(child.path):
            atoms.append(_Atom(child.pk, False, bucket))
        else:
            atoms += [_Atom(_unit_id(v), False, bucket) for v in below(child.path)]
    if scope.unit is not None and not scope.peers and covered(scope.unit.path):
        atoms.append(_Atom(scope.unit.pk, True, SELF))
    if not lmap:
        return atoms
    subtrees, ancestors = lmap.relevant_paths(scope)
    nested = lmap.lineage_children() if subtrees else {}
    for p in subtrees:
        # records of p's subtree, except those below a deeper unit with its own lineage
        bucket = attribute(scope, lmap, p).bucket
        deeper = nested.get(p, [])
        tops = [p] if covered(p) else [v for v in below(p)]
        for top in tops:
            if any(top.startswith(q) for q in deeper):
                continue
            atoms.append(_Atom(_unit_id(top), False, bucket, 1, p))
            atoms += [_Atom(_unit_id(q), False, bucket, -1, p) for q in deeper if q.startswith(top)]
    for a in ancestors:
        # an office above units with lineage, with none of its own: its own records
        if lmap.carrier_of(a) != a or not covered(a):
            continue
        atoms.append(_Atom(_unit_id(a), True, attribute(scope, lmap, a).bucket, 1, a))
    return atoms


def unit_filters(ids: list[int], own_ids: list[int]) -> tuple[str, list, str, list]:
    """SQL over a summary table's rows: the condition "a row of the units `ids`" and the
    expression of its `own` column as read (own office apart only for `own_ids`), with
    their params: (condition, params, expression, params)."""
    if connection.vendor == "postgresql":
        # one array literal, not one parameter per unit: the ids are whole numbers read
        # from the database (int() below), and psycopg's dump of an array parameter cost
        # more CPU than the statement's own build (5 arrays per province report)
        unit_in = f"unit_id = ANY('{{{','.join(str(int(i)) for i in ids)}}}'::bigint[])"
        own = f"(own AND unit_id = ANY('{{{','.join(str(int(i)) for i in own_ids)}}}'::bigint[]))"
        return unit_in, [], own, []
    unit_in = f"unit_id IN ({', '.join(['%s'] * len(ids))})"
    own = f"(own AND unit_id IN ({', '.join(['%s'] * len(own_ids))}))"
    return unit_in, list(ids), own, list(own_ids)


def summary_atoms(user, scope: Scope, lmap: LineageMap | None) -> list[_Atom]:
    """The summary rows a scope reads (`_atoms`) for `user` (access applied)."""
    return _atoms(scope, access_paths(user), lmap)


def raw_only() -> bool:
    """Within `raw_rollup()`: sources read their records, not the summary tables."""
    return _raw_only.get()


def _summary_sql(
    ids: list[int], own_ids: list[int], periods: list[Period], aggregate_periods: list[Period]
) -> tuple[str, list]:
    """The one statement over the three summary tables: rows (src, pidx, unit_id, own,
    key, v1, v2, v3, v4) of the units `ids`, summed per period (aggregate entries: per
    `aggregate_periods`). A unit's own-office rows come apart (own true) only for the
    units of `own_ids` (whose own office is read alone); any other unit's rows are its
    whole subtree's, one row per key (own false): half the rows of a province report.
    Plain SQL (the same on SQLite and PostgreSQL): built in microseconds where the ORM's
    compiler spends milliseconds on every report."""
    unit_in, unit_params, own, own_params = unit_filters(ids, own_ids)
    days = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
    # activities, per period: per type, over the period's months (an index range), or its
    # quarters when every period is whole quarters (a third of the rows); a month (or
    # quarter) of two overlapping periods counts in the first, as in the raw roll-up
    if quarters_only(periods):
        table, grain = "figures_activityquartersummary", "quarter"
    else:
        table, grain = "figures_activitysummary", "month"
    parts, params = [], []
    for i, (start, end) in enumerate(days):
        earlier = "".join(f" AND NOT ({grain} BETWEEN %s AND %s)" for _ in range(i))
        parts.append(
            f"SELECT 1 AS src, {i} AS pidx, unit_id, {own} AS own, type_id AS key, "  # noqa: S608
            "CAST(SUM(n) AS BIGINT) AS v1, CAST(SUM(attendance) AS BIGINT) AS v2, "
            "CAST(SUM(no_attendance) AS BIGINT) AS v3, CAST(SUM(no_subject) AS BIGINT) AS v4 "
            f"FROM {table} "
            f"WHERE {unit_in} AND {grain} BETWEEN %s AND %s{earlier} "
            "GROUP BY unit_id, 4, type_id"
        )
        params += [
            *own_params,
            *unit_params,
            start,
            end,
            *(d for pair in days[:i] for d in pair),
        ]
    # mediation, per period: received in it plus still open at its start (received
    # minus closed before it), resolved and failed in it, open at its end
    for i, (start, end) in enumerate(days):
        parts.append(
            f"SELECT 2, {i}, unit_id, {own}, 0, "  # noqa: S608
            "CAST(SUM(CASE WHEN month >= %s THEN received ELSE received - closed END) AS BIGINT), "
            "CAST(SUM(CASE WHEN month >= %s THEN resolved ELSE 0 END) AS BIGINT), "
            "CAST(SUM(CASE WHEN month >= %s THEN failed ELSE 0 END) AS BIGINT), "
            "CAST(SUM(received - closed) AS BIGINT) "
            f"FROM figures_mediationsummary WHERE {unit_in} AND month <= %s "
            "GROUP BY unit_id, 4"
        )
        params += [*own_params, start, start, start, *unit_params, end]
    # aggregate entries lying inside a period
    agg_days = [(p.start.isoformat(), p.end.isoformat()) for p in aggregate_periods]
    flat = [d for pair in agg_days for d in pair]
    inside = " OR ".join(["(period_start >= %s AND period_end <= %s)"] * len(agg_days))
    agg_case = " ".join(
        f"WHEN period_start >= %s AND period_end <= %s THEN {i}" for i in range(len(agg_days))
    )
    parts.append(
        f"SELECT 3, CASE {agg_case} END, unit_id, {own}, element_id, "  # noqa: S608
        "CAST(SUM(value) AS BIGINT), CAST(SUM(n) AS BIGINT), 0, 0 "
        f"FROM figures_aggregatesummary WHERE ({inside}) AND {unit_in} "
        "GROUP BY 2, unit_id, 4, element_id"
    )
    params += [*flat, *own_params, *flat, *unit_params]
    return " UNION ALL ".join(parts), params


def _summary_statement(
    user, scope: Scope, periods: list[Period], lmap, aggregate_periods=None
) -> tuple[list[_Atom], tuple[str, list] | None]:
    """The summary rows a scope reads (`_atoms`) and the statement reading them (None
    when there are none)."""
    atoms = summary_atoms(user, scope, lmap)
    if not atoms:
        return atoms, None
    ids = sorted({a.unit_id for a in atoms})
    own_ids = sorted({a.unit_id for a in atoms if a.own})
    return atoms, _summary_sql(ids, own_ids, periods, aggregate_periods or periods)


def rollup_summary(
    *,
    user,
    scope: Scope,
    periods: list[Period],
    lmap: LineageMap | None,
    aggregate_periods: list[Period] | None = None,
    batch: Batch | None = None,
) -> RawFigures:
    """The same figures as `rollup_raw`, read from the summary tables: rows of the scope's
    children (and its own office), of the units the user may see below a child they
    may not, and of the other-version units lineage brings in; one statement whose
    size depends on the scope's children, never on the number of records. Periods
    must be whole months (`months_only`); `aggregate_periods` (default: `periods`) are
    those of the aggregate entries, summed whole when inside a period, any dates."""
    raw = RawFigures()
    atoms, statement = _summary_statement(user, scope, periods, lmap, aggregate_periods)
    if statement is None:
        return raw
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    rows = (batch or Batch()).fetch(*statement)
    for src, pidx, unit_id, own, key, v1, v2, v3, v4 in rows:
        if pidx is not None:
            values = (v1 or 0, v2 or 0, v3 or 0, v4 or 0)  # integers (CAST in the SQL)
            by_unit[unit_id].append((src, pidx, bool(own), key, values))
    activity_sums: dict[tuple, list[int]] = {}
    mediation_sums: dict[tuple, list[int]] = {}
    aggregate_sums: dict[tuple, list[int]] = {}
    split: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for atom in atoms:
        for src, pidx, own, key, values in by_unit.get(atom.unit_id, ()):
            if atom.own and not own:
                continue
            if atom.sign != 1:
                values = tuple(atom.sign * v for v in values)
            if atom.bucket is None:
                if pidx == 0 and src == SRC_ACTIVITY:
                    split[atom.split][0] += values[0]
                elif pidx == 0 and src == SRC_MEDIATION:
                    split[atom.split][1] += values[0]
                continue
            if src == SRC_ACTIVITY:
                _add(activity_sums, (pidx, atom.bucket, key), values)
            elif src == SRC_MEDIATION:
                _add(mediation_sums, (pidx, atom.bucket), values)
            else:
                _add(aggregate_sums, (pidx, atom.bucket, key), values[:2])
    # what the raw roll-up would not have produced: nothing left after differences
    raw.activity = {k: v for k, v in activity_sums.items() if any(v)}
    raw.mediation = {k: v for k, v in mediation_sums.items() if any(v)}
    raw.aggregate = {k: v[0] for k, v in aggregate_sums.items() if v[1]}
    for path, counts in split.items():
        if any(counts):
            raw.split[path] = counts
    return raw


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


def _list_sql(
    template: str, paths, user, periods: list[Period], type_ids: list[int], tail=()
) -> tuple[str, list]:
    """A list query over records "r" (first column their date): records of `type_ids` in
    the periods, in the subtrees `paths` (None: no such condition) that `user` may see;
    `{where}` in `template` is where the conditions go, `tail` the parameters of what
    follows it."""
    where = [f"r.type_id IN ({', '.join(['%s'] * len(type_ids))})"]
    params: list = list(type_ids)
    days = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
    where.append("(" + " OR ".join("r.date BETWEEN %s AND %s" for _ in days) + ")")
    params += [d for pair in days for d in pair]
    if paths is not None:
        sql, more = paths_sql("r.unit_path", paths)
        where.append(sql)
        params += more
    access, more = access_sql(user, "r.unit_path")
    if access:
        where.append(access)
        params += more
    return template.format(where=" AND ".join(where)), [*params, *tail]


def _list_rows(batch: Batch | None, statement: tuple[str, list]) -> list[tuple]:
    """The rows of a list query (`_list_sql`), its first column as a date."""
    return [(_day(row[0]), *row[1:]) for row in (batch or Batch()).fetch(*statement)]


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


def _lists_statements(
    user, scope: Scope, periods: list[Period], supervision_type_ids, subject_type_ids
) -> tuple[tuple[str, list] | None, tuple[str, list] | None]:
    """The two list queries of `rollup_lists` (None: not needed)."""
    supervised = subjects = None
    if supervision_type_ids:
        supervised = _list_sql(
            "SELECT r.date, r.unit_path, r.type_id, su.unit_id, x.name, x.kind "  # noqa: S608
            "FROM activities_supervisedunit su "
            "JOIN activities_activityrecord r ON r.id = su.record_id "
            "JOIN units_unit x ON x.id = su.unit_id WHERE {where} "
            'ORDER BY r.date, su.record_id, su."order", su.id',
            scope_paths(scope),
            user,
            periods,
            supervision_type_ids,
        )
    if subject_type_ids and scope.unit is not None:
        subjects = _list_sql(
            "SELECT r.date, r.type_id, r.subject FROM activities_activityrecord r "  # noqa: S608
            "WHERE {where} AND r.unit_path = %s AND r.subject <> '' ORDER BY r.date, r.id",
            None,
            user,
            periods,
            subject_type_ids,
            [scope.unit.path],
        )
    return supervised, subjects


def rollup_lists(
    *,
    user,
    scope: Scope,
    periods: list[Period],
    supervision_type_ids: list[int],
    subject_type_ids: list[int],
    batch: Batch | None = None,
) -> ListFigures:
    """Supervised units (every bucket) and the office's own subjects: two small queries."""
    lists = ListFigures()
    supervised, subjects = _lists_statements(
        user, scope, periods, supervision_type_ids, subject_type_ids
    )
    if supervised is not None:
        seen: set[tuple[int, int, int]] = set()
        for date, path, type_id, unit_id, name, kind in _list_rows(batch, supervised):
            for pidx, p in enumerate(periods):
                if not p.contains(date):
                    continue
                bucket = scope.bucket_of_path(path) or OTHER
                lists.supervised[(pidx, bucket)].add(unit_id)
                if bucket == SELF and (pidx, type_id, unit_id) not in seen:
                    seen.add((pidx, type_id, unit_id))
                    lists.supervised_self[pidx].append((type_id, unit_id, name, kind))
    if subjects is not None:
        for date, type_id, subject in _list_rows(batch, subjects):
            for pidx, p in enumerate(periods):
                if p.contains(date) and (type_id, subject) not in lists.subjects_self[pidx]:
                    lists.subjects_self[pidx].append((type_id, subject))
    return lists


# ------------------------------------------------------------------ the source

ACTIVITY_COLUMN = {"count": 0, "attendance": 1, "missing_attendance": 2, "missing_subject": 3}


def _catalogue_read() -> tuple[dict[str, ActivityType], dict[str, int]]:
    types = {
        t.code: t
        for t in ActivityType.objects.only("id", "code", "uses_subject", "uses_supervised_units")
    }
    elements = dict(DataElement.objects.values_list("code", "pk"))
    return types, elements


def catalogue() -> tuple[dict[str, ActivityType], dict[str, int]]:
    """({activity type code: type}, {data element code: id}), kept in the process until
    the catalogue changes (a save bumps ``ref``: `core.versions.reference_models`)."""
    return versions.process_cached(
        "records_catalogue", (), names=[versions.REF], compute=_catalogue_read
    )


def _list_types(types: dict[str, ActivityType], keys) -> tuple[list[int], list[int]]:
    """The activity types whose supervised units, and whose subjects, `keys` name."""
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
    return supervision, subject_types


def prepare(request, keys) -> None:
    """Add the statements `compute` will run to the request's batch: the summary read
    (when the periods are whole months and the summaries are read) and the lists."""
    types, _ = request.memo.setdefault("records_catalogue", catalogue())
    supervision, subject_types = _list_types(types, keys)
    scope, periods, user = request.scope, request.periods, request.user
    if not _raw_only.get() and months_only(periods):
        _, statement = _summary_statement(user, scope, periods, request.lmap)
        if statement is not None:
            request.batch.add(*statement)
    for statement in _lists_statements(user, scope, periods, supervision, subject_types):
        if statement is not None:
            request.batch.add(*statement)


def compute(request, keys) -> dict:
    """Values of every activities.*, mediation.* and aggregates.* key asked, in a constant
    number of queries (two definitional lookups, the UNION ALL, at most two list queries)."""
    from .values import FigureValues, Rate

    types, elements = request.memo.get("records_catalogue") or catalogue()
    supervision, subject_types = _list_types(types, keys)
    scope, periods = request.scope, request.periods
    batch = request.batch
    raw = rollup(user=request.user, scope=scope, periods=periods, lmap=request.lmap, batch=batch)
    request.extras["records"] = raw
    lists = (
        rollup_lists(
            user=request.user,
            scope=scope,
            periods=periods,
            supervision_type_ids=supervision,
            subject_type_ids=subject_types,
            batch=batch,
        )
        if supervision or subject_types
        else ListFigures()
    )
    buckets, child_keys = scope.bucket_keys, scope.child_keys
    # (pidx, type id) -> [((pidx, bucket), sums)]: a key reads the rows of its types only
    by_type: dict[tuple[int, int], list] = defaultdict(list)
    for (pidx, b, t), row in raw.activity.items():
        by_type[(pidx, t)].append(((pidx, b), row))
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
                    cells = dict.fromkeys(scope.bucket_cells(pidx), 0)
                    for t in type_ids:
                        for cell, row in by_type.get((pidx, t), ()):
                            if cell in cells:
                                cells[cell] += row[col]
                    fv.cells.update(cells)
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
        raw = rollup_raw(user=request.user, scope=scope, periods=[period], lmap=request.lmap)
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
