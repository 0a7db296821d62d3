"""Entered totals in a computation: one query for every key and period asked."""

from __future__ import annotations

from django.db.models import Q

from .scope import SELF


def entered_apply(request, values: dict) -> None:
    """Put entered totals where they stand.

    An entered total is the figure of its unit's whole subtree, and stands only
    where no record gave a value (records and an entered total are never added
    together). At the scope's unit it is the total (own office and children
    unknown); at a child, or deeper, it fills that child's cell.
    """
    from .models import EnteredTotal

    if not values:
        return
    scope = request.scope
    period_q = Q(pk__in=[])
    for p in request.periods:
        period_q |= Q(period_start=p.start, period_end=p.end)
    rows = list(
        EnteredTotal.objects.filter(
            period_q,
            scope.subtree_q("unit__"),
            request.access("unit__"),
            key__in=[str(k) for k in values],
            unit__version=scope.version,
        ).values_list("key", "period_start", "period_end", "unit__path", "value")
    )
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
