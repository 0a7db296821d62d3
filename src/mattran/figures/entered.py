"""Entered totals in a computation: one query for every key and period asked."""

from __future__ import annotations

import datetime as dt

from .scope import SELF, access_sql, paths_sql, scope_paths


def _entered_sql(request, keys) -> tuple[str, list]:
    """The entered totals of `keys` for the request's periods, in its scope, that the
    user may see: (key, period start, period end, unit path, value). Plain SQL."""
    scope = request.scope
    where, params = [], []
    periods = " OR ".join("(e.period_start = %s AND e.period_end = %s)" for _ in request.periods)
    where.append(f"({periods})")
    params += [d.isoformat() for p in request.periods for d in (p.start, p.end)]
    inside, more = paths_sql("u.path", scope_paths(scope))
    where.append(inside)
    params += more
    access, more = access_sql(request.user, "u.path")
    if access:
        where.append(access)
        params += more
    names = sorted({str(k) for k in keys})
    where.append(f"e.key IN ({', '.join(['%s'] * len(names))}) AND u.version_id = %s")
    params += [*names, scope.version.pk]
    sql = (
        "SELECT e.key, e.period_start, e.period_end, u.path, e.value "  # noqa: S608
        "FROM figures_enteredtotal e JOIN units_unit u ON u.id = e.unit_id "
        f"WHERE {' AND '.join(where)} ORDER BY u.path, e.period_start, e.key"
    )
    return sql, params


def entered_prepare(request, keys) -> None:
    request.batch.add(*_entered_sql(request, keys))


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


def entered_apply(request, values: dict) -> None:
    """Put entered totals where they stand.

    An entered total is the figure of its unit's whole subtree, and stands only
    where no record gave a value (records and an entered total are never added
    together). At the scope's unit it is the total (own office and children
    unknown); at a child, or deeper, it fills that child's cell.
    """
    if not values:
        return
    scope = request.scope
    rows = [
        (key, _day(start), _day(end), path, value)
        for key, start, end, path, value in request.batch.fetch(*_entered_sql(request, values))
    ]
    if not rows:
        return
    by_str = {str(k): fv for k, fv in values.items()}
    deeper: dict[tuple, int] = {}
    for key, start, end, path, value in rows:
        fv = by_str[key]
        for pidx, p in enumerate(request.periods):
            if (p.start, p.end) != (start, end):
                continue
            if scope.unit is not None and path == scope.unit.path:
                if fv.totals.get(pidx) or any(fv.cells.get((pidx, b)) for b in scope.bucket_keys):
                    continue
                fv.totals[pidx] = value
                fv.own[pidx] = None
                fv.children[pidx] = None
                fv.entered[pidx] = True
            else:
                bucket = scope.bucket_of_path(path)
                if bucket is not None and bucket != SELF:
                    deeper[(key, pidx, bucket)] = deeper.get((key, pidx, bucket), 0) + value
    for (key, pidx, bucket), value in deeper.items():
        fv = by_str[key]
        if not fv.cells.get((pidx, bucket)):
            fv.cells[(pidx, bucket)] = value
            fv.entered[pidx] = True
