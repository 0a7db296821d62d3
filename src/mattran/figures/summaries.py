# ruff: noqa: S608 - every statement here is built from this module's constants, no input
"""Summary tables of the records source, kept in step by the database itself.

Six tables hold the sums the engine's grouped queries need, per
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
  -> value, number of entries;
- `figures_ledgersummary` and `figures_ledgerquartersummary`: the funds ledger,
  (unit, own, month or quarter, fund kind, entry kind, effective purpose) ->
  amount, quantity, entries (reversals negated), lines, net (for balances).

The ledger is not one row per event like the records: an entry's unit is its
fund's, a reversal counts under the kind, purpose and quantity of the entry it
reverses (negated), and a "classify" annotation written later moves an entry
and its reversal to another purpose. Its tables are kept from `Feed`s: each
write that changes them (an entry, a classify annotation, a fund given to
another unit or kind) gives the relation of its events, so the same upsert,
sweep, rebuild and verify serve it. Chosen over a summary of plain entries plus
a raw correction for reversals and classified entries at read time: an import
classifies or reverses any number of lines, and the read would grow with them;
here a read costs the same whatever was written, and the write that moves money
pays for it in its own transaction.

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

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

# --------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Feed:
    """A write to `source` that changes a summary whose rows are not one source row each
    (the funds ledger: an entry's unit is its fund's, a reversal counts under the entry it
    reverses, an annotation moves entries to another purpose). `rel(new, old)` is the
    relation "r" of the summary's events for the rows written, given the relations of the
    rows as written (`new`) and as they were (`old`): on PostgreSQL the statement's
    transition tables, on SQLite the one row (`columns`)."""

    source: str
    event: str  # INSERT or UPDATE
    columns: tuple[str, ...]  # source columns `rel` reads (SQLite: NEW./OLD. of the row)
    rel: Callable[[str, str], str]
    when: str = ""  # SQLite: the row trigger's condition
    lock: Callable[[str], str] | None = None  # PostgreSQL: run first, over `new`
    sweep: bool = False  # rows left with nothing are deleted (an event may move rows)


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
    # derived sources (the ledger): the writes that change the summary, the relation of
    # every event (rebuild, verify) and the tables whose writers wait during a rebuild;
    # without feeds, one row of `source` is one event (its columns `watched`)
    feeds: tuple[Feed, ...] = ()
    everything: Callable[[], str] | None = None
    locks: tuple[str, ...] = ()


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


# ------------------------------------------------------------ funds ledger

_ENTRY_COLS = ("id", "fund_id", "kind", "sign", "amount", "booked_on", "purpose", "quantity")
_ENTRY_COLS += ("reverses_id",)


def _classified(base: str, default: str, hidden: str | None) -> str:
    """The effective purpose of entry `base`: its newest "classify" annotation's, else
    `default` (its own). `hidden`: annotations (a relation with an id column) a row with
    h = 1 must not see (the state before they were written)."""
    hide = f" AND NOT (e.h = 1 AND a.id IN (SELECT z.id FROM {hidden} z))" if hidden else ""
    return (
        "COALESCE((SELECT a.purpose FROM funds_ledgerannotation a "
        f"WHERE a.entry_id = {base} AND a.kind = 'classify'{hide} "
        f"ORDER BY a.id DESC LIMIT 1), {default})"
    )


def _ledger_rel(
    entries: str,
    *,
    start=_month,
    funds: str = "funds_fund",
    hidden: str | None = None,
    fresh: bool = False,
) -> str:
    """The summary's events of the ledger entries in `entries` (a relation of entry
    columns and a sign column s; h too with `hidden`), grouped before the path is expanded
    (a statement import books thousands of lines into a few funds): unit_path, month,
    fund_kind, kind, purpose, s, amount, quantity, entries, lines, net.

    An entry counts under its fund's unit and kind, its own kind and effective purpose
    (`_classified`); a reversal under those of the entry it reverses, amount, quantity
    and count negated, as the raw statement (`figures.ledger._entries_sql`) counts it.
    `fresh`: the entries were just inserted, so no annotation names them yet. Each
    reversal reads the entry it reverses through a LATERAL probe of its key (never a scan
    of the ledger, whatever the planner guesses of a transition table). `start(date)`:
    the first day of the month (or quarter) an entry counts in."""
    month = start("e.booked_on")
    head = f"SELECT u.path AS unit_path, {month} AS month, f.kind AS fund_kind"
    joins = f"JOIN {funds} f ON f.id = e.fund_id JOIN units_unit u ON u.id = f.unit_id"
    own = "e.purpose" if fresh else _classified("e.id", "e.purpose", hidden)
    plain = (
        f"{head}, e.kind AS kind, {own} AS purpose, e.amount AS amount, "
        "COALESCE(e.quantity, 1) AS quantity, 1 AS n, e.sign * e.amount AS net, e.s AS s "
        f"FROM {entries} e {joins} WHERE e.kind <> 'reversal'"
    )
    reversal = (
        f"{head}, r.kind, {_classified('r.id', 'r.purpose', hidden)}, -e.amount, "
        "-COALESCE(r.quantity, 1), -1, e.sign * e.amount, e.s "
        f"FROM {entries} e {joins} CROSS JOIN LATERAL (SELECT r.id, r.kind, r.purpose, "
        "r.quantity FROM funds_ledgerentry r WHERE r.id = e.reverses_id) r "
        "WHERE e.kind = 'reversal'"
    )
    if connection.vendor != "postgresql":  # no LATERAL: a join on the key
        reversal = reversal.replace(
            "CROSS JOIN LATERAL (SELECT r.id, r.kind, r.purpose, r.quantity FROM "
            "funds_ledgerentry r WHERE r.id = e.reverses_id) r",
            "JOIN funds_ledgerentry r ON r.id = e.reverses_id",
        )
    return (
        "(SELECT unit_path, month, fund_kind, kind, purpose, s, SUM(amount) AS amount, "
        "SUM(quantity) AS quantity, SUM(n) AS entries, COUNT(*) AS lines, SUM(net) AS net "
        f"FROM ({plain} UNION ALL {reversal}) g "
        "GROUP BY unit_path, month, fund_kind, kind, purpose, s)"
    )


def _entries_of(new: str, s: int, h: int) -> str:
    """The entries whose effective purpose the classify annotations `new` change: the
    entries they name and the reversals of those (at most one each)."""
    named = f"(SELECT DISTINCT n.entry_id FROM {new} n WHERE n.kind = 'classify')"
    return (
        f"(SELECT x.*, {s} AS s, {h} AS h FROM funds_ledgerentry x WHERE x.id IN {named} "
        f"UNION ALL SELECT x.*, {s}, {h} FROM funds_ledgerentry x "
        f"WHERE x.reverses_id IS NOT NULL AND x.reverses_id IN {named})"
    )


def _ledger(name: str, grain: str, start) -> Table:
    """Ledger entries per `grain` (the first day of the month or quarter of booking, as
    `start(date)` gives it), fund kind, entry kind and effective purpose."""

    def inserted(new: str, old: str) -> str:
        return _ledger_rel(f"(SELECT x.*, 1 AS s FROM {new} x)", start=start, fresh=True)

    def classified(new: str, old: str) -> str:
        # the entries as they counted before the annotations (−1) and after them (+1)
        before = _ledger_rel(_entries_of(new, -1, 1), start=start, hidden=new)
        after = _ledger_rel(_entries_of(new, 1, 0), start=start, hidden=new)
        return f"(SELECT * FROM {before} b UNION ALL SELECT * FROM {after} a)"

    def moved(new: str, old: str) -> str:
        # a fund given to another unit or kind: its entries leave the old one
        if connection.vendor == "postgresql":
            changed = (
                f"(SELECT o.id FROM {old} o JOIN {new} n ON n.id = o.id "
                "WHERE o.unit_id <> n.unit_id OR o.kind <> n.kind)"
            )
        else:
            changed = f"(SELECT o.id FROM {old} o)"  # the row trigger's WHEN tells

        def side(funds: str, s: int) -> str:
            return _ledger_rel(
                f"(SELECT x.*, {s} AS s FROM funds_ledgerentry x WHERE x.fund_id IN {changed})",
                start=start,
                funds=funds,
            )

        return f"(SELECT * FROM {side(old, -1)} b UNION ALL SELECT * FROM {side(new, 1)} a)"

    def lock_reversed(new: str) -> str:
        # a reversal and a classify annotation of the entry it reverses, written at the
        # same time, wait for each other: each then sees the other's rows (lock modes:
        # SHARE here, NO KEY UPDATE below; neither waits on a foreign key's KEY SHARE)
        return (
            f"PERFORM 1 FROM (SELECT n.reverses_id FROM {new} n WHERE n.kind = 'reversal') n "
            "CROSS JOIN LATERAL (SELECT r.id FROM funds_ledgerentry r "
            "WHERE r.id = n.reverses_id FOR SHARE) r"
        )

    def lock_classified(new: str) -> str:
        return (
            "PERFORM 1 FROM funds_ledgerentry x WHERE x.id IN "
            f"(SELECT n.entry_id FROM {new} n WHERE n.kind = 'classify') "
            "ORDER BY x.id FOR NO KEY UPDATE"
        )

    return Table(
        name=name,
        source="funds_ledgerentry",
        keys=(grain, "fund_kind", "kind", "purpose"),
        values=("amount", "quantity", "entries", "lines", "net"),
        events=(
            (
                (
                    "r.month",
                    "r.fund_kind",
                    "r.kind",
                    "r.purpose",
                    "r.s * r.amount",
                    "r.s * r.quantity",
                    "r.s * r.entries",
                    "r.s * r.lines",
                    "r.s * r.net",
                ),
                "",
            ),
        ),
        watched=(),
        empty="lines <= 0",
        feeds=(
            Feed("funds_ledgerentry", "INSERT", _ENTRY_COLS, inserted, lock=lock_reversed),
            Feed(
                "funds_ledgerannotation",
                "INSERT",
                ("id", "entry_id", "kind"),
                classified,
                when="WHEN NEW.kind = 'classify'",
                lock=lock_classified,
                sweep=True,
            ),
            Feed(
                "funds_fund",
                "UPDATE",
                ("id", "unit_id", "kind"),
                moved,
                when="WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.kind IS NOT NEW.kind",
                sweep=True,
            ),
        ),
        everything=lambda: _ledger_rel(
            "(SELECT x.*, 1 AS s FROM funds_ledgerentry x)", start=start
        ),
        locks=("funds_fund", "funds_ledgerentry", "funds_ledgerannotation"),
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
        _ledger("figures_ledgersummary", "month", _month),
        _ledger("figures_ledgerquartersummary", "quarter", _quarter),
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
        if t.feeds:
            out += _feed_triggers(t, short)
            continue
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
                    body += " " + _sweep_rel(t, "old_rows") + ";"
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
            out += _truncate_trigger(t, short)
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
                    [
                        _upsert(t, row("OLD", -1)),
                        _sweep_rel(t, "(SELECT OLD.unit_path AS unit_path)"),
                    ],
                ),
                "upd": (
                    "UPDATE",
                    f"WHEN {changed}",
                    [
                        _upsert(t, row("OLD", -1)),
                        _upsert(t, row("NEW", 1)),
                        _sweep_rel(t, "(SELECT OLD.unit_path AS unit_path)"),
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


def _sweep_rel(t: Table, rel: str) -> str:
    """Delete rows left with nothing, among the units of the paths of relation `rel`."""
    if connection.vendor == "postgresql":
        units = (
            "SELECT DISTINCT CAST(unnest(string_to_array(btrim(r.unit_path, '/'), '/')) AS bigint) "
            f"FROM {rel} r WHERE r.unit_path <> '/'"
        )
    else:
        units = (
            f"SELECT a.value FROM {rel} r, json_each('[' || replace(trim("
            "r.unit_path, '/'), '/', ',') || ']') a"
        )
    return f"DELETE FROM {t.name} WHERE {t.empty} AND unit_id IN ({units})"


def _feed_name(short: str, feed: Feed) -> str:
    return f"{short}_{feed.source.split('_', 1)[1]}_{feed.event[:3].lower()}"


def _feed_triggers(t: Table, short: str) -> list[str]:
    """The triggers of a summary kept from `feeds` (`Feed`): PostgreSQL statement triggers
    over the transition tables (one grouped upsert per statement), SQLite row triggers."""
    out: list[str] = []
    for feed in t.feeds:
        name = _feed_name(short, feed)
        if connection.vendor == "postgresql":
            rel = feed.rel("new_rows", "old_rows")
            body = (f"{feed.lock('new_rows')}; " if feed.lock else "") + _upsert(t, rel) + ";"
            if feed.sweep:
                body += " " + _sweep_rel(t, rel) + ";"
            refs = "REFERENCING NEW TABLE AS new_rows"
            if feed.event == "UPDATE":
                refs = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            out.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$"
            )
            out.append(f"DROP TRIGGER IF EXISTS {name} ON {feed.source}")
            out.append(
                f"CREATE TRIGGER {name} AFTER {feed.event} ON {feed.source} {refs} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        else:

            def row(prefix: str, feed=feed) -> str:
                return "(SELECT " + ", ".join(f"{prefix}.{c} AS {c}" for c in feed.columns) + ")"

            rel = feed.rel(row("NEW"), row("OLD"))
            stmts = [_upsert(t, rel)] + ([_sweep_rel(t, rel)] if feed.sweep else [])
            body = " ".join(x + ";" for x in stmts)
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(
                f"CREATE TRIGGER {name} AFTER {feed.event} ON {feed.source} FOR EACH ROW "
                f"{feed.when} BEGIN {body} END"
            )
    if connection.vendor == "postgresql":
        out += _truncate_trigger(t, short)
    return out


def _truncate_trigger(t: Table, short: str) -> list[str]:
    """PostgreSQL: a TRUNCATE of the table's source empties the summary."""
    fn = f"{short}_trunc"
    return [
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN DELETE FROM {t.name}; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {fn} ON {t.source}",
        f"CREATE TRIGGER {fn} AFTER TRUNCATE ON {t.source} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()",
    ]


def triggers_drop_sql(names: list[str] | None = None) -> list[str]:
    out = []
    for t in _tables():
        if names is not None and t.name not in names:
            continue
        short = t.name.removeprefix("figures_")
        for feed in t.feeds:
            name = _feed_name(short, feed)
            if connection.vendor == "postgresql":
                out.append(f"DROP TRIGGER IF EXISTS {name} ON {feed.source}")
                out.append(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                out.append(f"DROP TRIGGER IF EXISTS {name}")
        if t.feeds:
            if connection.vendor == "postgresql":
                out.append(f"DROP TRIGGER IF EXISTS {short}_trunc ON {t.source}")
                out.append(f"DROP FUNCTION IF EXISTS {short}_trunc()")
            continue
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
    if t.everything is not None:
        return t.everything()
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
            for table in t.locks or (t.source,):
                cur.execute(f"LOCK TABLE {table} IN SHARE MODE")


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
    "figures_ledgersummary": "Tổng hợp sổ quỹ",
    "figures_ledgerquartersummary": "Tổng hợp sổ quỹ theo quý",
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
