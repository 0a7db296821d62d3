"""The funds ledger's sources: money mobilised and spent, transfers, balances.

Entries are grouped in SQL by the path and version of their fund's unit, the
fund kind, the entry kind and purpose (a reversal by those of the entry it
reverses) and the period; Python puts each group in its bucket, through
lineage for funds of another structure version. One query per source
whatever the number of units, entries or keys asked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import (
    Case,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.urls import reverse

from mattran.funds.models import (
    AnnotationKind,
    EntryKind,
    LedgerEntry,
    TransferStatus,
)

from .records import months_only, quarters_only, raw_only, summary_atoms, unit_filters
from .scope import OTHER, SELF, access_paths, access_sql, attribute, paths_sql, scope_paths

MEASURES = ("amount", "quantity", "entries")


def _bucket(request, path: str, version_id: int) -> str | None:
    scope = request.scope
    if version_id == scope.version.pk:
        return scope.bucket_of_path(path)
    lmap = request.lmap
    att = attribute(scope, lmap, path) if lmap else None
    return att.bucket if att is not None else None


def _scope_q(request, prefix: str) -> Q:
    scope = request.scope
    same = Q(**{f"{prefix}version": scope.version}) & scope.subtree_q(prefix)
    if request.lmap:
        return same | ~Q(**{f"{prefix}version": scope.version})
    return same


def _period_case(field_name: str, periods) -> Case:
    return Case(
        *[
            When(**{f"{field_name}__range": (p.start, p.end)}, then=Value(i))
            for i, p in enumerate(periods)
        ],
        output_field=IntegerField(),
    )


def _scope_where(request) -> tuple[list[str], list]:
    """The units (`u`) of the request's scope, and under lineage every other structure
    version's too (lineage puts them in buckets: `_bucket`): SQL conditions and params."""
    scope = request.scope
    same, same_params = paths_sql("u.path", scope_paths(scope))
    if request.lmap:
        return (
            [f"((u.version_id = %s AND {same}) OR u.version_id <> %s)"],
            [scope.version.pk, *same_params, scope.version.pk],
        )
    return [f"u.version_id = %s AND {same}"], [scope.version.pk, *same_params]


def _entries_sql(request, fund_kinds: set[str]) -> tuple[str, list]:
    """The grouped entries of the scope and periods (see `compute_entries`), as plain SQL:
    the same statement the ORM made, without its compile on every report."""
    periods = request.periods
    where, params = _scope_where(request)
    visible = access_paths(request.user)
    if visible is not None:
        sql, more = paths_sql("u.path", visible)
        where.append(sql)
        params += more
    if fund_kinds:
        where.append(f"f.kind IN ({', '.join(['%s'] * len(fund_kinds))})")
        params += sorted(fund_kinds)
    days = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
    where.append("(" + " OR ".join("e.booked_on BETWEEN %s AND %s" for _ in days) + ")")
    params += [d for pair in days for d in pair]
    where.append("e.kind IN (%s, %s, %s)")
    params += [EntryKind.RECEIPT, EntryKind.DISBURSEMENT, EntryKind.REVERSAL]
    pidx = " ".join(f"WHEN e.booked_on BETWEEN %s AND %s THEN {i}" for i in range(len(days)))

    def classified(entry: str) -> str:  # the newest "classify" annotation's purpose
        return (
            "(SELECT a.purpose FROM funds_ledgerannotation a "  # noqa: S608 - constants only
            f"WHERE a.entry_id = {entry} AND a.kind = %s ORDER BY a.id DESC LIMIT 1)"
        )

    sql = (
        f"SELECT CASE {pidx} END, u.path, u.version_id, f.kind, e.kind, "  # noqa: S608
        f"COALESCE({classified('e.id')}, e.purpose), r.kind, "
        f"COALESCE({classified('e.reverses_id')}, r.purpose), "
        "SUM(e.amount), SUM(COALESCE(e.quantity, 1)), SUM(COALESCE(r.quantity, 1)), "
        "COUNT(e.id) "
        "FROM funds_ledgerentry e JOIN funds_fund f ON f.id = e.fund_id "
        "JOIN units_unit u ON u.id = f.unit_id "
        "LEFT JOIN funds_ledgerentry r ON r.id = e.reverses_id "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
    select_params = [
        *(d for pair in days for d in pair),
        AnnotationKind.CLASSIFY,
        AnnotationKind.CLASSIFY,
    ]
    return sql, [*select_params, *params]


def _fund_kinds(keys) -> set[str]:
    """The fund kinds `keys` ask, or every kind (empty) when a key names none."""
    kinds = {k.get_all("fund") for k in keys}
    return {f for ks in kinds for f in ks} if all(kinds) else set()


# --------------------------------------------------------------------- summary
# `figures_ledgersummary` (summaries.py: kept in step by triggers in the writing
# transaction) holds the entries per unit and ancestor, month, fund kind, entry kind and
# effective purpose, reversals and "classify" annotations applied. A report over whole
# months reads the rows of its scope's children (and own office), with lineage and access
# applied as the records source does (`records.summary_atoms`): one index range per unit,
# whatever the number of entries. Any other period reads the entries (`_entries_sql`).


def _summary_units(request) -> tuple[list, tuple[str, list, str, list] | None]:
    """The atoms (unit rows with bucket and sign) a scope reads and the SQL choosing
    their rows (`records.unit_filters`); None when the scope reads no unit."""
    atoms = [
        a for a in summary_atoms(request.user, request.scope, request.lmap) if a.bucket is not None
    ]
    if not atoms:
        return atoms, None
    ids = sorted({a.unit_id for a in atoms})
    own_ids = sorted({a.unit_id for a in atoms if a.own})
    return atoms, unit_filters(ids, own_ids)


def _kinds_sql(column: str, kinds) -> tuple[str, list]:
    kinds = sorted(kinds)
    if not kinds:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(kinds))})", kinds


# One scan of the summary (not a UNION ALL per period: PostgreSQL would run the
# branches in parallel workers, whose start costs more than a commune's whole read).


def _entries_summary(request, fund_kinds: set[str]) -> tuple[list, tuple[str, list] | None]:
    """Rows (pidx, unit_id, own, fund kind, kind, purpose, amount, quantity, entries,
    lines) of the scope's units in the periods (whole months)."""
    atoms, units = _summary_units(request)
    if units is None:
        return atoms, None
    unit_in, unit_params, own, own_params = units
    days = [d for p in request.periods for d in (p.start.isoformat(), p.end.isoformat())]
    n = len(request.periods)
    # a month of two overlapping periods counts in the first, as `_entries_sql`'s CASE
    pidx = " ".join(f"WHEN month BETWEEN %s AND %s THEN {i}" for i in range(n))
    inside = " OR ".join(["month BETWEEN %s AND %s"] * n)
    fkinds, fparams = _kinds_sql("fund_kind", fund_kinds)
    # whole quarters (9 months, half-year, year): the quarterly table, a third of the rows
    table, grain = "figures_ledgersummary", "month"
    if quarters_only(request.periods):
        table, grain = "figures_ledgerquartersummary", "quarter"
    pidx, inside = pidx.replace("month", grain), inside.replace("month", grain)
    sql = (
        f"SELECT CASE {pidx} END, unit_id, {own}, fund_kind, kind, purpose, "  # noqa: S608
        "CAST(SUM(amount) AS BIGINT), CAST(SUM(quantity) AS BIGINT), "
        "CAST(SUM(entries) AS BIGINT), CAST(SUM(lines) AS BIGINT) "
        f"FROM {table} WHERE {unit_in} AND ({inside}) "
        f"AND kind IN (%s, %s){fkinds} GROUP BY 1, unit_id, 3, fund_kind, kind, purpose"
    )
    params = [*days, *own_params, *unit_params, *days]
    return atoms, (sql, [*params, EntryKind.RECEIPT, EntryKind.DISBURSEMENT, *fparams])


def _balance_summary(request, kinds: set[str]) -> tuple[list, tuple[str, list] | None]:
    """Rows (upto, unit_id, own, fund kind, net, lines) of the scope's units up to the
    last period's end; upto: the first period, by end, whose end the month precedes."""
    atoms, units = _summary_units(request)
    if units is None:
        return atoms, None
    unit_in, unit_params, own, own_params = units
    ends = sorted(enumerate(request.periods), key=lambda x: x[1].end)
    upto = " ".join(f"WHEN month <= %s THEN {i}" for i, _ in ends)
    fkinds, fparams = _kinds_sql("fund_kind", kinds)
    sql = (
        f"SELECT CASE {upto} END, unit_id, {own}, fund_kind, "  # noqa: S608 - constants
        "CAST(SUM(net) AS BIGINT), CAST(SUM(lines) AS BIGINT) "
        f"FROM figures_ledgersummary WHERE {unit_in} AND month <= %s{fkinds} "
        "GROUP BY 1, unit_id, 3, fund_kind"
    )
    params = [*(p.end.isoformat() for _, p in ends), *own_params, *unit_params]
    return atoms, (sql, [*params, ends[-1][1].end.isoformat(), *fparams])


def _summed(atoms, rows, width: int) -> dict[tuple, list[int]]:
    """Summary rows (pidx, unit_id, own, *key, *values) put in their atoms' buckets:
    (pidx, bucket, *key) -> values; the last value counts the lines (cells without one
    are left out, as the raw statement has no group for them). Values are integers
    (CAST in the SQL)."""
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_unit[row[1]].append(row)
    cut = -width
    sums: dict[tuple, list[int]] = {}
    for atom in atoms:
        unit_rows = by_unit.get(atom.unit_id)
        if not unit_rows:
            continue
        bucket, sign, own_only = atom.bucket, atom.sign, atom.own
        for row in unit_rows:
            if own_only and not row[2]:
                continue
            key = (row[0], bucket) + row[3:cut]
            cell = sums.get(key)
            if cell is None:
                sums[key] = [sign * v for v in row[cut:]] if sign != 1 else list(row[cut:])
            else:
                for j, v in enumerate(row[cut:]):
                    cell[j] += sign * v
    return {k: v for k, v in sums.items() if v[-1] > 0}


def _whole_months(request) -> bool:
    return not raw_only() and months_only(request.periods)


def _month_ends(request) -> bool:
    day = dt.timedelta(days=1)
    return not raw_only() and all((p.end + day).day == 1 for p in request.periods)


def prepare_entries(request, keys) -> None:
    if _whole_months(request):
        statement = _entries_summary(request, _fund_kinds(keys))[1]
        if statement is not None:
            request.batch.add(*statement)
    else:
        request.batch.add(*_entries_sql(request, _fund_kinds(keys)))
    request.batch.add(*_funds_open_sql(request))


def _entries_rows(request, fund_kinds: set[str]) -> list[tuple]:
    return [
        (*row[:8], int(row[8] or 0), int(row[9] or 0), int(row[10] or 0), int(row[11]))
        for row in request.batch.fetch(*_entries_sql(request, fund_kinds))
    ]


def _entries_sums(request, fund_kinds: set[str]) -> dict[tuple, list[int]]:
    """(pidx, bucket, fund kind, entry kind, purpose) -> [amount, quantity, entries, …] of
    the scope's entries in the periods: from the ledger summary over whole months, else
    from the entries (the raw statement)."""
    if _whole_months(request):
        atoms, statement = _entries_summary(request, fund_kinds)
        if statement is None:
            return {}
        # [amount, quantity, entries, lines]: the first three are the measures
        return _summed(atoms, request.batch.fetch(*statement), 4)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = _entries_rows(request, fund_kinds)
    for pidx, path, version_id, fkind, kind, purpose, rkind, rpurpose, amount, qty, rqty, n in rows:
        bucket = _bucket(request, path, version_id)
        if bucket is None or pidx is None:
            continue
        if kind == EntryKind.REVERSAL:
            kind, purpose, sign, qty = rkind, rpurpose, -1, rqty
        else:
            sign = 1
        cell = sums[(pidx, bucket, fkind, kind, purpose)]
        cell[0] += sign * (amount or 0)
        cell[1] += sign * (qty or 0)
        cell[2] += sign * n
    return sums


def compute_entries(request, keys) -> dict:
    """funds.mobilised and funds.spent: one grouped query over the ledger summary (or,
    for a period not made of whole months, the ledger)."""
    from .values import FigureValues

    fund_kinds = _fund_kinds(keys)
    # (entry kind, fund kind, purpose) -> [((pidx, bucket), values)]: a key reads only
    # its groups (a province report asks ~20 keys of ~3,000 cells)
    groups: dict[tuple, list] = defaultdict(list)
    for (pidx, bucket, fkind, ekind, purpose), values in _entries_sums(request, fund_kinds).items():
        groups[(ekind, fkind, purpose)].append(((pidx, bucket), values))
    opened = _funds_open(request, fund_kinds, during=True)
    made: dict = {}
    url = reverse("funds:list")
    out = {}
    for key in keys:
        fv = FigureValues(key=key, detail_url=url)
        funds = set(key.get_all("fund"))
        if key.family == "funds.mobilised":
            kind, purposes, col = EntryKind.RECEIPT, set(), 0
        else:
            kind, purposes = EntryKind.DISBURSEMENT, set(key.get_all("purpose"))
            col = MEASURES.index(key.get("measure", "amount"))
        cells = fv.cells
        for (ekind, fkind, purpose), found in groups.items():
            if ekind != kind or (funds and fkind not in funds):
                continue
            if purposes and purpose not in purposes:
                continue
            for cell, values in found:
                cells[cell] = cells.get(cell, 0) + values[col]
        _fill_empty(fv, request, opened, funds, made)
        out[key] = fv
    return out


def _funds_open(request, kinds: set[str], *, during: bool) -> set[tuple[int, str, str]]:
    """(period index, bucket, fund kind) where a fund of one of `kinds` (every kind when
    empty) was open: opened by the period's end and (`during`, for money moved in the
    period) not closed before it began. One query over the scope's funds per
    computation, shared by the ledger's sources."""
    periods = request.periods
    rows = request.extras.get("funds_open")
    if rows is None:
        # (bucket, kind, opened on, closed on), each once: a nation's 6,676 funds are a
        # few dozen rows (every unit's path put in its bucket once)
        buckets: dict[tuple[str, int], str | None] = {}
        rows = request.extras["funds_open"] = set()
        for path, version_id, kind, opened_on, closed_on in request.batch.fetch(
            *_funds_open_sql(request)
        ):
            bucket = buckets.get((path, version_id), "")
            if bucket == "":
                bucket = buckets[(path, version_id)] = _bucket(request, path, version_id)
            if bucket is not None:
                rows.add((bucket, kind, opened_on, closed_on))
        rows = request.extras["funds_open"] = {
            (bucket, kind, _day(opened_on), _day(closed_on) if closed_on else None)
            for bucket, kind, opened_on, closed_on in rows
        }
    out: set[tuple[int, str, str]] = set()
    for bucket, kind, opened_on, closed_on in rows:
        if kinds and kind not in kinds:
            continue
        for pidx, p in enumerate(periods):
            if opened_on > p.end:
                continue
            if during and closed_on is not None and closed_on < p.start:
                continue
            out.add((pidx, bucket, kind))
    return out


def _funds_open_sql(request) -> tuple[str, list]:
    """The scope's funds (any other version's too under lineage) the user may see, opened
    by the last period's end: (unit path, version id, kind, opened on, closed on)."""
    where, params = _scope_where(request)
    access, more = access_sql(request.user, "u.path")
    if access:
        where.append(access)
        params += more
    where.append("f.opened_on <= %s")
    params.append(max(p.end for p in request.periods).isoformat())
    sql = (
        "SELECT u.path, u.version_id, f.kind, f.opened_on, f.closed_on "  # noqa: S608
        "FROM funds_fund f JOIN units_unit u ON u.id = f.unit_id "
        f"WHERE {' AND '.join(where)}"
    )
    return sql, params


def _fill_empty(
    fv, request, opened: set[tuple[int, str, str]], funds: set[str], made: dict
) -> None:
    """A bucket without entries is 0 where a fund of the key's kinds was open in the
    period (its ledger is the record: nothing was booked), and None (no data, shown
    "—") where there was none, e.g. the year before the fund was opened. The engine
    sums the totals."""
    # `made`: the empty cells of each set of fund kinds, made once per `opened` (a
    # province report asks ~20 ledger keys over ~100 buckets and two periods)
    empty = made.get(frozenset(funds))
    if empty is None:
        have = {(pidx, bucket) for pidx, bucket, kind in opened if not funds or kind in funds}
        empty = made[frozenset(funds)] = {
            (pidx, b): 0 if (pidx, b) in have else None
            for pidx in range(len(request.periods))
            for b in request.scope.bucket_keys
        }
    fv.cells = {**empty, **fv.cells}


def _transfer_sql(request) -> tuple[str, list]:
    """(pidx, from path, to path, purpose, amount, first sent, first id) of the live
    transfers sent from the scope in the periods, neither a return nor returned by a
    live return: one plain SQL statement (no ORM compile on every report)."""
    scope, periods = request.scope, request.periods
    live = [TransferStatus.PENDING, TransferStatus.CONFIRMED]
    days = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
    flat = [d for pair in days for d in pair]
    inside, params = paths_sql("fu.path", scope_paths(scope))
    where = [inside]
    visible = access_paths(request.user)
    if visible is not None:
        sql, more = paths_sql("fu.path", visible)
        where.append(sql)
        params += more
    where.append("(" + " OR ".join("t.sent_on BETWEEN %s AND %s" for _ in days) + ")")
    params += flat
    # a NULL in NOT IN would drop every row: only the originals of live returns
    where.append(
        "t.status IN (%s, %s) AND t.returns_id IS NULL AND t.id NOT IN (SELECT r.returns_id "
        "FROM funds_transfer r WHERE r.status IN (%s, %s) AND r.returns_id IS NOT NULL)"
    )
    params += [*live, *live]
    pidx = " ".join(f"WHEN t.sent_on BETWEEN %s AND %s THEN {i}" for i in range(len(days)))
    sql = (
        f"SELECT CASE {pidx} END, fu.path, tu.path, t.purpose, "  # noqa: S608 - constants
        "SUM(t.amount), MIN(t.sent_on), MIN(t.id) FROM funds_transfer t "
        "JOIN funds_fund ff ON ff.id = t.from_fund_id JOIN units_unit fu ON fu.id = ff.unit_id "
        "JOIN funds_fund tf ON tf.id = t.to_fund_id JOIN units_unit tu ON tu.id = tf.unit_id "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3, 4"
    )
    return sql, [*flat, *params]


def prepare_transfers(request, keys) -> None:
    request.batch.add(*_transfer_sql(request))
    request.batch.add(*_funds_open_sql(request))


def _transfer_rows(request) -> list[tuple]:
    return [
        (pidx, from_path, to_path, purpose, int(amount), _day(first_on), first_id)
        for pidx, from_path, to_path, purpose, amount, first_on, first_id in request.batch.fetch(
            *_transfer_sql(request)
        )
    ]


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


def compute_transfers(request, keys) -> dict:
    """funds.transfers(direction=up|down): money sent out of the scope (up to a higher
    office or elsewhere) or from an office down to a fund of its own subtree, with the
    purposes said in the report ("ủng hộ Thành phố 200.000.000 đồng xây dựng nhà …":
    `Transfer.purpose`, in the order sent) as the figure's `names`.

    A return transfer (`Transfer.returns`) is not money sent: it corrects the transfer
    it returns, so neither the return nor a transfer returned (by a return not
    cancelled) counts, whatever the periods; cancelled transfers do not count either
    (as `funds.selectors.transfer_purposes`)."""
    from .values import FigureValues

    scope = request.scope
    rows = _transfer_rows(request)
    up: dict[tuple[int, str], int] = defaultdict(int)
    down: dict[tuple[int, str], int] = defaultdict(int)
    # direction -> pidx -> [(first sent, first id, purpose)]
    said: dict[str, dict[int, list[tuple]]] = {"up": defaultdict(list), "down": defaultdict(list)}
    for pidx, from_path, to_path, purpose, amount, first_on, first_id in rows:
        bucket = scope.bucket_of_path(from_path)
        if bucket is None or pidx is None:
            continue
        if scope.bucket_of_path(to_path) is None:
            up[(pidx, bucket)] += amount
            direction = "up"
        elif to_path.startswith(from_path) and to_path != from_path:
            down[(pidx, bucket)] += amount
            direction = "down"
        else:
            continue
        if purpose.strip():
            said[direction][pidx].append((first_on, first_id, purpose.strip()))
    opened = _funds_open(request, set(), during=True)
    made: dict = {}
    url = reverse("funds:transfers")
    out = {}
    for key in keys:
        direction = key.get("direction", "up")
        fv = FigureValues(key=key, detail_url=url)
        fv.cells.update(up if direction == "up" else down)
        for pidx, found in said[direction].items():
            names: list[str] = []
            for _, _, purpose in sorted(found):
                if purpose not in names:
                    names.append(purpose)
            fv.names[pidx] = names
        _fill_empty(fv, request, opened, set(), made)
        out[key] = fv
    return out


def _balance_kinds(keys) -> set[str]:
    return {f for k in keys for f in k.get_all("fund")}


def prepare_balance(request, keys) -> None:
    if _month_ends(request):
        statement = _balance_summary(request, _balance_kinds(keys))[1]
        if statement is not None:
            request.batch.add(*statement)
    request.batch.add(*_funds_open_sql(request))


def _balance_cells(request, keys) -> dict[tuple[int, str, str], int] | None:
    """(pidx, bucket, fund kind) -> balance at the period's end, from the ledger summary
    (every period ends on a month's last day), else None."""
    if not _month_ends(request):
        return None
    atoms, statement = _balance_summary(request, _balance_kinds(keys))
    if statement is None:
        return {}
    # the months before an earlier-ending period's end also precede this one's
    order = [i for i, _ in sorted(enumerate(request.periods), key=lambda x: x[1].end)]
    rows = [
        (pidx, *row[1:])
        for row in request.batch.fetch(*statement)
        for pidx in order[order.index(row[0]) :]
    ]
    summed = _summed(atoms, rows, 2)
    return {k: v[0] for k, v in summed.items()}


def compute_balance(request, keys) -> dict:
    """funds.balance(fund=…): the sum of every entry booked up to each period's end."""
    from .values import FigureValues

    periods = request.periods
    kinds = _balance_kinds(keys)
    cells = _balance_cells(request, keys)
    if cells is not None:
        opened = _funds_open(request, kinds, during=False)
        made: dict = {}
        url = reverse("funds:list")
        out = {}
        for key in keys:
            funds = set(key.get_all("fund"))
            fv = FigureValues(key=key, detail_url=url)
            for (pidx, bucket, fkind), net in cells.items():
                if not funds or fkind in funds:
                    fv.cells[(pidx, bucket)] = fv.cells.get((pidx, bucket), 0) + net
            _fill_empty(fv, request, opened, funds, made)
            out[key] = fv
        return out
    whens = [
        When(booked_on__lte=p.end, then=Value(i))
        for i, p in sorted(enumerate(periods), key=lambda x: x[1].end)
    ]
    latest = max(p.end for p in periods)
    rows = (
        LedgerEntry.objects.filter(
            _scope_q(request, "fund__unit__"),
            request.access("fund__unit__"),
            Q(fund__kind__in=kinds) if kinds else Q(),
            booked_on__lte=latest,
        )
        .annotate(upto=Case(*whens, output_field=IntegerField()))
        .values_list("upto", "fund__unit__path", "fund__unit__version_id", "fund__kind")
        .annotate(inflow=Sum("amount", filter=Q(sign=1)), outflow=Sum("amount", filter=Q(sign=-1)))
        .order_by()
    )
    # (first period index whose end the entries precede, bucket, fund kind) -> net
    nets: dict[tuple[int, str, str], int] = defaultdict(int)
    for upto, path, version_id, fkind, inflow, outflow in rows:
        bucket = _bucket(request, path, version_id)
        if bucket is None:
            continue
        nets[(upto, bucket, fkind)] += (inflow or 0) - (outflow or 0)
    order = [i for i, _ in sorted(enumerate(periods), key=lambda x: x[1].end)]
    opened = _funds_open(request, kinds, during=False)
    made: dict = {}
    url = reverse("funds:list")
    out = {}
    for key in keys:
        funds = set(key.get_all("fund"))
        fv = FigureValues(key=key, detail_url=url)
        for pidx in range(len(periods)):
            # entries grouped under an earlier-ending period also precede this one
            rank = order.index(pidx)
            earlier = set(order[: rank + 1])
            for (upto, bucket, fkind), net in nets.items():
                if upto in earlier and (not funds or fkind in funds):
                    fv.cells[(pidx, bucket)] = fv.cells.get((pidx, bucket), 0) + net
        _fill_empty(fv, request, opened, funds, made)
        out[key] = fv
    return out


__all__ = [
    "OTHER",
    "SELF",
    "compute_balance",
    "compute_entries",
    "compute_transfers",
    "prepare_balance",
    "prepare_entries",
    "prepare_transfers",
]
