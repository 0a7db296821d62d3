# ruff: noqa: S608 - every statement here is built from this module's constants, no input
"""Summary tables of the records source, kept in step by the database itself.

Four tables hold the record sums the engine's grouped queries need, per
unit *and every ancestor* of the record's unit (read off its materialised
path "/12/345/6789/"), so a report reads rows of its scope's unit and
children instead of scanning records:

- `figures_activitysummary`: (unit, own, month, type) -> count, attendance,
  records without attendance, records without subject;
- `figures_activityquartersummary`: the same per quarter (its first day), read
  when every period of a report is whole quarters (9 months, half-year, year):
  a third of the rows of the monthly table at the commune level and above;
- `figures_mediationsummary`: (unit, own, month) -> cases received, closed,
  closed as resolved, closed as failed (a case counts in the month it was
  received and in the month it was closed; "open at a date" is received
  minus closed up to it);
- `figures_aggregatesummary`: (unit, own, element, period start, period end)
  -> value, number of entries.

`own` is true on the row of the record's own unit and false on its
ancestors' rows, so a unit's whole subtree is the sum of both and its own
office is the `own` row alone.

Why triggers and not the service layer. Records are written by the services,
but also by `bulk_create` (Excel bulk entry, the demo), `QuerySet.update` /
`delete`, the admin and raw SQL loads; a hook in the services would be
skipped silently by every one of those. A trigger runs in the writing
statement's transaction whatever wrote the row, so a summary can never lag
or miss a write, and a rolled-back write rolls its summary back with it.
The same definitions (`_expanded`) generate the SQLite row triggers, the
PostgreSQL statement triggers (transition tables: one grouped upsert per
statement, so a 500-row `bulk_create` costs one upsert, not 500) and the
recomputation used by `summaries_rebuild` and `summaries_verify`.

Lineage across structure versions and the user's access are *not* in the
tables: both are applied when reading (`records.rollup_summary`), so a new
lineage row or grant needs no rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction

# --------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Table:
    name: str  # summary table
    source: str  # record table
    keys: tuple[str, ...]  # summary key columns after (unit_id, own)
    values: tuple[str, ...]  # summary value columns (summed)
    # per event kind, over a record relation "r" with a sign column "s": the
    # expressions of the keys then the values (already signed), and a condition
    events: tuple[tuple[tuple[str, ...], str], ...]
    watched: tuple[str, ...]  # record columns whose change changes the summary
    # condition on a summary row meaning "nothing left" (below zero only when the table
    # was emptied under its records, e.g. by a flush that empties it first: the row a
    # deletion then makes is swept at once rather than left negative)
    empty: str


def _month(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) AS date)"
    return f"date({expr}, 'start of month')"


def _quarter(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('quarter', {expr}) AS date)"
    return (
        f"date({expr}, 'start of month', '-' || "
        f"((CAST(strftime('%m', {expr}) AS integer) - 1) % 3) || ' months')"
    )


def _flag(cond: str) -> str:
    return f"CASE WHEN {cond} THEN r.s ELSE 0 END"


def _activities(name: str, grain: str, start) -> Table:
    """Activity records per `grain` (the column holding the first day of the month or
    quarter the record's date is in, `start(date)`) and type."""
    return Table(
        name=name,
        source="activities_activityrecord",
        keys=(grain, "type_id"),
        values=("n", "attendance", "no_attendance", "no_subject"),
        events=(
            (
                (
                    start("r.date"),
                    "r.type_id",
                    "r.s",
                    "r.s * COALESCE(r.attendance, 0)",
                    _flag("r.attendance IS NULL"),
                    _flag("r.subject = ''"),
                ),
                "",
            ),
        ),
        watched=("unit_path", "date", "type_id", "attendance", "subject"),
        empty="n <= 0",
    )


def _tables() -> list[Table]:
    return [
        _activities("figures_activitysummary", "month", _month),
        _activities("figures_activityquartersummary", "quarter", _quarter),
        Table(
            name="figures_mediationsummary",
            source="activities_mediationcase",
            keys=("month",),
            values=("received", "closed", "resolved", "failed"),
            events=(
                ((_month("r.received_on"), "r.s", "0", "0", "0"), ""),
                (
                    (
                        _month("r.closed_on"),
                        "0",
                        "r.s",
                        _flag("r.outcome = 'resolved'"),
                        _flag("r.outcome = 'failed'"),
                    ),
                    "r.closed_on IS NOT NULL",
                ),
            ),
            watched=("unit_path", "received_on", "closed_on", "outcome"),
            empty="received <= 0 AND closed <= 0",
        ),
        Table(
            name="figures_aggregatesummary",
            source="activities_aggregateentry",
            keys=("element_id", "period_start", "period_end"),
            values=("value", "n"),
            events=(
                (
                    ("r.element_id", "r.period_start", "r.period_end", "r.s * r.value", "r.s"),
                    "",
                ),
            ),
            watched=("unit_path", "element_id", "period_start", "period_end", "value"),
            empty="n <= 0",
        ),
    ]


def tables() -> list[Table]:
    return _tables()


def _expanded(t: Table, rel: str) -> str:
    """Events of the records in `rel` (with sign column s), one row per ancestor unit,
    grouped: unit_id, own, keys…, values…"""
    names = [*(f"k{i}" for i in range(len(t.keys))), *t.values]
    selects = []
    for exprs, cond in t.events:
        cols = ", ".join(f"{x} AS {n}" for x, n in zip(exprs, names, strict=True))
        where = f" WHERE {cond}" if cond else ""
        selects.append(f"SELECT r.unit_path AS unit_path, {cols} FROM {rel} r{where}")
    union = " UNION ALL ".join(selects)
    keys = ", ".join(f"e.k{i}" for i in range(len(t.keys)))
    sums = ", ".join(f"SUM(e.{v})" for v in t.values)
    nonzero = " OR ".join(f"SUM(e.{v}) <> 0" for v in t.values)
    if connection.vendor == "postgresql":
        expand = (
            "CROSS JOIN LATERAL (SELECT string_to_array(btrim(e.unit_path, '/'), '/') AS segs) p "
            "CROSS JOIN LATERAL unnest(p.segs) WITH ORDINALITY AS a(seg, ord)"
        )
        unit, own = "CAST(a.seg AS bigint)", "(a.ord = cardinality(p.segs))"
    else:
        array = "'[' || replace(trim(e.unit_path, '/'), '/', ',') || ']'"
        expand = f", json_each({array}) a"
        unit, own = "a.value", f"(a.key = json_array_length({array}) - 1)"
    return (
        f"SELECT {unit} AS unit_id, {own} AS own, {keys}, {sums} "
        f"FROM ({union}) e {expand} "
        f"WHERE e.unit_path <> '/' GROUP BY 1, 2, {keys_pos(t)} HAVING {nonzero}"
    )


def keys_pos(t: Table) -> str:
    return ", ".join(str(3 + i) for i in range(len(t.keys)))


def _columns(t: Table) -> list[str]:
    return ["unit_id", "own", *t.keys, *t.values]


def _upsert(t: Table, rel: str) -> str:
    cols = ", ".join(_columns(t))
    conflict = ", ".join(["unit_id", "own", *t.keys])
    sets = ", ".join(f"{v} = {t.name}.{v} + excluded.{v}" for v in t.values)
    return (
        f"INSERT INTO {t.name} ({cols}) SELECT * FROM ({_expanded(t, rel)}) d WHERE true "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )


def _sweep(t: Table, path_expr_rel: str) -> str:
    """Delete rows left with nothing, among the units of the paths in `path_expr_rel`."""
    if connection.vendor == "postgresql":
        units = (
            "SELECT DISTINCT CAST(unnest(string_to_array(btrim(r.unit_path, '/'), '/')) AS bigint) "
            f"FROM {path_expr_rel} r WHERE r.unit_path <> '/'"
        )
    else:
        units = (
            "SELECT a.value FROM json_each('[' || replace(trim("
            f"{path_expr_rel}, '/'), '/', ',') || ']') a"
        )
    return f"DELETE FROM {t.name} WHERE {t.empty} AND unit_id IN ({units})"


def _record_cols(t: Table) -> list[str]:
    cols = {"unit_path"}
    for c in t.watched:
        cols.add(c)
    if t.name == "figures_mediationsummary":
        cols |= {"received_on", "closed_on", "outcome"}
    return sorted(cols)


# ------------------------------------------------------------------ triggers


def triggers_sql(names: list[str] | None = None) -> list[str]:
    """CREATE statements of the triggers for the connection's vendor (every table's, or
    those of the tables named)."""
    out: list[str] = []
    for t in _tables():
        if names is not None and t.name not in names:
            continue
        short = t.name.removeprefix("figures_")
        cols = _record_cols(t)
        if connection.vendor == "postgresql":
            sel = ", ".join(f"r.{c}" for c in cols)
            rels = {
                "ins": f"(SELECT {sel}, 1 AS s FROM new_rows r)",
                "del": f"(SELECT {sel}, -1 AS s FROM old_rows r)",
                "upd": f"(SELECT {sel}, 1 AS s FROM new_rows r UNION ALL "
                f"SELECT {sel}, -1 AS s FROM old_rows r)",
            }
            refs = {
                "ins": "REFERENCING NEW TABLE AS new_rows",
                "del": "REFERENCING OLD TABLE AS old_rows",
                "upd": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }
            events = {"ins": "INSERT", "del": "DELETE", "upd": "UPDATE"}
            for op, rel in rels.items():
                body = _upsert(t, rel) + ";"
                if op != "ins":
                    body += " " + _sweep(t, "old_rows") + ";"
                fn = f"{short}_{op}"
                out.append(
                    f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN {body} RETURN NULL; END $$"
                )
                out.append(f"DROP TRIGGER IF EXISTS {fn} ON {t.source}")
                out.append(
                    f"CREATE TRIGGER {fn} AFTER {events[op]} ON {t.source} {refs[op]} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()"
                )
            fn = f"{short}_trunc"
            out.append(
                f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN DELETE FROM {t.name}; RETURN NULL; END $$"
            )
            out.append(f"DROP TRIGGER IF EXISTS {fn} ON {t.source}")
            out.append(
                f"CREATE TRIGGER {fn} AFTER TRUNCATE ON {t.source} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()"
            )
        else:

            def row(prefix: str, sign: int, cols=cols) -> str:
                sel = ", ".join(f"{prefix}.{c} AS {c}" for c in cols)
                return f"(SELECT {sel}, {sign} AS s)"

            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in t.watched)
            specs = {
                "ins": ("INSERT", "", [_upsert(t, row("NEW", 1))]),
                "del": (
                    "DELETE",
                    "",
                    [_upsert(t, row("OLD", -1)), _sweep(t, "OLD.unit_path")],
                ),
                "upd": (
                    "UPDATE",
                    f"WHEN {changed}",
                    [
                        _upsert(t, row("OLD", -1)),
                        _upsert(t, row("NEW", 1)),
                        _sweep(t, "OLD.unit_path"),
                    ],
                ),
            }
            for op, (event, when, stmts) in specs.items():
                name = f"{short}_{op}"
                out.append(f"DROP TRIGGER IF EXISTS {name}")
                body = " ".join(s + ";" for s in stmts)
                out.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {t.source} FOR EACH ROW {when} "
                    f"BEGIN {body} END"
                )
    return out


def triggers_drop_sql(names: list[str] | None = None) -> list[str]:
    out = []
    for t in _tables():
        if names is not None and t.name not in names:
            continue
        short = t.name.removeprefix("figures_")
        for op in ("ins", "del", "upd", "trunc"):
            if connection.vendor == "postgresql":
                out.append(f"DROP TRIGGER IF EXISTS {short}_{op} ON {t.source}")
                out.append(f"DROP FUNCTION IF EXISTS {short}_{op}()")
            elif op != "trunc":
                out.append(f"DROP TRIGGER IF EXISTS {short}_{op}")
    return out


def triggers_install(names: list[str] | None = None) -> None:
    with connection.cursor() as cur:
        for sql in triggers_sql(names):
            cur.execute(sql)


def triggers_remove(names: list[str] | None = None) -> None:
    with connection.cursor() as cur:
        for sql in triggers_drop_sql(names):
            cur.execute(sql)


# ------------------------------------------------------------ rebuild, verify


def _all_records(t: Table) -> str:
    cols = ", ".join(f"r.{c}" for c in _record_cols(t))
    return f"(SELECT {cols}, 1 AS s FROM {t.source} r)"


def _big_scan() -> None:
    """One grouped scan of every record: memory for the hash aggregate, no JIT."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'; SET LOCAL jit = off")


def _lock(t: Table) -> None:
    """Writers of the records wait while the summary is recomputed (PostgreSQL;
    SQLite has one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {t.source} IN SHARE MODE")


@dataclass
class TableCheck:
    table: str
    label: str
    stored: int  # rows with something in them
    expected: int
    missing: int  # rows the records give and the summary lacks or has wrong
    extra: int  # rows of the summary the records do not give
    samples: list[tuple] = field(default_factory=list)  # (kind, *columns)
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra


LABELS = {
    "figures_activitysummary": "Tổng hợp hoạt động",
    "figures_activityquartersummary": "Tổng hợp hoạt động theo quý",
    "figures_mediationsummary": "Tổng hợp hòa giải",
    "figures_aggregatesummary": "Tổng hợp số liệu nhập",
}


def summaries_verify() -> list[TableCheck]:
    """Compare each summary table with a recomputation from the records (read only)."""
    checks = []
    with transaction.atomic(), connection.cursor() as cur:
        _big_scan()
        for t in _tables():
            _lock(t)
            cols = ", ".join(_columns(t))
            nonzero = " OR ".join(f"{v} <> 0" for v in t.values)
            stored_q = f"SELECT {cols} FROM {t.name} WHERE {nonzero}"
            expected_q = f"SELECT * FROM ({_expanded(t, _all_records(t))}) x"
            cur.execute(f"SELECT count(*) FROM ({stored_q}) s")
            stored = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM ({expected_q}) s")
            expected = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM ({expected_q} EXCEPT {stored_q}) d")
            missing = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM ({stored_q} EXCEPT {expected_q}) d")
            extra = cur.fetchone()[0]
            samples = []
            if missing or extra:
                cur.execute(f"SELECT * FROM ({expected_q} EXCEPT {stored_q}) d ORDER BY 1 LIMIT 5")
                samples = [("cần có", r[0], bool(r[1]), *r[2:]) for r in cur.fetchall()]
                cur.execute(f"SELECT * FROM ({stored_q} EXCEPT {expected_q}) d ORDER BY 1 LIMIT 5")
                samples += [("đang có", r[0], bool(r[1]), *r[2:]) for r in cur.fetchall()]
            checks.append(
                TableCheck(
                    t.name, LABELS[t.name], stored, expected, missing, extra, samples, _columns(t)
                )
            )
    return checks


def summaries_rebuild(names: list[str] | None = None) -> dict[str, int]:
    """Recompute every summary table (or those named) from the records, in one
    transaction; rows per table."""
    counts = {}
    with transaction.atomic(), connection.cursor() as cur:
        _big_scan()
        for t in _tables():
            if names is not None and t.name not in names:
                continue
            _lock(t)
            cur.execute(f"DELETE FROM {t.name}")
            cols = ", ".join(_columns(t))
            # in key order: a unit's rows end up together on disk, so a report reads few pages
            cur.execute(
                f"INSERT INTO {t.name} ({cols}) SELECT * FROM ({_expanded(t, _all_records(t))}) x "
                f"ORDER BY 1, 2, {keys_pos(t)}"
            )
            cur.execute(f"SELECT count(*) FROM {t.name}")
            counts[t.name] = cur.fetchone()[0]
    return counts
