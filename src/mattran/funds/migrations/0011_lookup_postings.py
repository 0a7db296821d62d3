"""PostgreSQL: the lookup's terms as posting lists, one row per (term, day, ledger write).

Before: one row per (term, receipt): ~8 rows and ~120 bytes of table and
index per receipt (about 16 GB at 20 million lines, and 8 index insertions per
imported line). Now one row per term and day of each insert statement holds
the ids of that day's receipts having the term, newest first
(`entry_ids bigint[]`) and their number (`n`). A bulk import writes one row
per (term, day) it touches; a receipt entered by hand, one row per term.
The lookup walks a term's rows newest day first (index (term COLLATE "C",
booked_on DESC) INCLUDE (n)), unnests each day's ids in order and stops at a
page; `n` lets it pick the rarest word of a query from the first index
entries of each word (portal.selectors._driver_word).

The rows are rebuilt here from the ledger (search_key) and the identifying
annotations (name_key), one day at a time. SQLite keeps its (empty) table;
the lookup there runs LIKE on search_key.
"""

from django.db import migrations

# the existing receipts, a day at a time (each day's rows fit in memory); also run by
# benchmarks/scale_data.py after a set-based fill
BUILD_SQL = """
    DO $$
    DECLARE d_day date;
    BEGIN
        FOR d_day IN
            WITH RECURSIVE days (d) AS (
                SELECT min(booked_on) FROM funds_ledgerentry
                UNION ALL
                SELECT (SELECT min(booked_on) FROM funds_ledgerentry WHERE booked_on > days.d)
                FROM days WHERE days.d IS NOT NULL
            )
            SELECT d FROM days WHERE d IS NOT NULL
        LOOP
            INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
            SELECT w, d_day, count(*), array_agg(id ORDER BY id DESC)
            FROM (
                SELECT DISTINCT x.id, w
                FROM (
                    SELECT e.id, e.search_key AS k FROM funds_ledgerentry e
                    WHERE e.booked_on = d_day AND e.kind = 'receipt'
                    UNION ALL
                    SELECT e.id, a.name_key FROM funds_ledgerannotation a
                    JOIN funds_ledgerentry e ON e.id = a.entry_id
                    WHERE e.booked_on = d_day AND e.kind = 'receipt' AND a.kind = 'identify'
                ) x, funds_lookup_words(x.k) AS w
            ) t
            GROUP BY w;
        END LOOP;
    END;
    $$
    """

PG_FORWARD = [
    "DROP TRIGGER IF EXISTS funds_ledger_lookup_terms ON funds_ledgerentry",
    "DROP TRIGGER IF EXISTS funds_annotation_lookup_terms ON funds_ledgerannotation",
    "DROP TABLE funds_lookupterm",
    """
    CREATE TABLE funds_lookupterm (
        id bigserial PRIMARY KEY,
        term varchar(100) NOT NULL,
        booked_on date NOT NULL,
        n integer NOT NULL,
        entry_ids bigint[] NOT NULL
    )
    """,
    # ANALYZE samples rows: statistics of the id arrays are never used and costly
    "ALTER TABLE funds_lookupterm ALTER COLUMN entry_ids SET STATISTICS 0",
    """
    CREATE OR REPLACE FUNCTION funds_ledger_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
        SELECT w, r.booked_on, count(*), array_agg(r.id ORDER BY r.id DESC)
        FROM new_rows r, funds_lookup_words(r.search_key) AS w
        WHERE r.kind = 'receipt'
        GROUP BY w, r.booked_on;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER funds_ledger_lookup_terms AFTER INSERT ON funds_ledgerentry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funds_ledger_lookup_terms()
    """,
    # a donor named later is found by that name too (an id listed twice under a
    # term is harmless: the lookup returns each entry once)
    """
    CREATE OR REPLACE FUNCTION funds_annotation_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
        SELECT w, e.booked_on, count(DISTINCT e.id), array_agg(DISTINCT e.id ORDER BY e.id DESC)
        FROM new_rows a
        JOIN funds_ledgerentry e ON e.id = a.entry_id AND e.kind = 'receipt',
        funds_lookup_words(a.name_key) AS w
        WHERE a.kind = 'identify'
        GROUP BY w, e.booked_on;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER funds_annotation_lookup_terms AFTER INSERT ON funds_ledgerannotation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funds_annotation_lookup_terms()
    """,
    BUILD_SQL,
    'CREATE INDEX funds_lookup_term_newest ON funds_lookupterm '
    '(term COLLATE "C", booked_on DESC) INCLUDE (n)',
    "ANALYZE funds_lookupterm",
]

PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS funds_ledger_lookup_terms ON funds_ledgerentry",
    "DROP TRIGGER IF EXISTS funds_annotation_lookup_terms ON funds_ledgerannotation",
    "DROP TABLE funds_lookupterm",
    """
    CREATE TABLE funds_lookupterm (
        id bigserial PRIMARY KEY, term varchar(100) NOT NULL, booked_on date NOT NULL,
        entry_id bigint NOT NULL
    )
    """,
    """
    CREATE OR REPLACE FUNCTION funds_ledger_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, entry_id)
        SELECT w, n.booked_on, n.id
        FROM new_rows n, funds_lookup_words(n.search_key) AS w
        WHERE n.kind = 'receipt';
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER funds_ledger_lookup_terms AFTER INSERT ON funds_ledgerentry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funds_ledger_lookup_terms()
    """,
    """
    CREATE OR REPLACE FUNCTION funds_annotation_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, entry_id)
        SELECT DISTINCT w, e.booked_on, e.id
        FROM new_rows n
        JOIN funds_ledgerentry e ON e.id = n.entry_id AND e.kind = 'receipt',
        funds_lookup_words(n.name_key) AS w
        WHERE n.kind = 'identify';
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER funds_annotation_lookup_terms AFTER INSERT ON funds_ledgerannotation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funds_annotation_lookup_terms()
    """,
    """
    INSERT INTO funds_lookupterm (term, booked_on, entry_id)
    SELECT DISTINCT w, e.booked_on, e.id FROM (
        SELECT e.id, e.search_key AS k FROM funds_ledgerentry e WHERE e.kind = 'receipt'
        UNION ALL
        SELECT a.entry_id, a.name_key FROM funds_ledgerannotation a WHERE a.kind = 'identify'
    ) x JOIN funds_ledgerentry e ON e.id = x.id, funds_lookup_words(x.k) AS w
    """,
    'CREATE INDEX funds_lookup_term_newest ON funds_lookupterm '
    '(term COLLATE "C", booked_on DESC, entry_id DESC)',
    "ALTER TABLE funds_lookupterm ALTER COLUMN term SET STATISTICS 1000",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0010_transfer_purpose_cancel_return")]

    operations = [
        # The table's shape differs per database from here on (PostgreSQL: posting
        # lists; SQLite: the old, empty table): Django no longer manages it.
        migrations.AlterModelOptions(name="lookupterm", options={"managed": False}),
        migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD)),
    ]
