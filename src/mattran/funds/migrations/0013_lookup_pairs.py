"""PostgreSQL: posting lists of adjacent word pairs, beside the words' (same table).

A donor's full name is often made of common words whose combination is rare
("Phạm Thị Hà Hương": "pham" and "huong" are each on hundreds of thousands of
receipts at 20 million lines). Every day of two common words had to be read and
every receipt having both checked (0.1–1.3 s). Now each pair of adjacent words of
the search key (both words letters only: masked numbers are never in the key, and
reference or trace numbers would only add rows) is a term of its own, `~` + the two
words ("~pham thi", "~thi ha", "~ha huong"): `~` sorts after every letter and digit,
so no word's prefix range ever reaches a pair. The lookup reads a query's words as
a phrase first (portal.selectors): the rarest pair lists give a few candidates, the
phrase is checked on each.

The same statement-level triggers write them (the import's COPY/INSERT, a receipt
entered by hand, a reversal, an annotation naming a donor); the existing receipts'
pairs are built here a day at a time (`BUILD_SQL`, also run by
benchmarks/scale_data.py). SQLite: nothing (the lookup runs LIKE there).
"""

from django.db import migrations

WORDS_AND_PAIRS = [
    # adjacent pairs of letter-only words, distinct, as "~first second"
    """
    CREATE OR REPLACE FUNCTION funds_lookup_pairs(key text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT DISTINCT left('~' || a || ' ' || b, 100)
        FROM (
            SELECT w AS a, lead(w) OVER (ORDER BY i) AS b
            FROM unnest(string_to_array(btrim(key), ' ')) WITH ORDINALITY AS t (w, i)
        ) p
        WHERE b IS NOT NULL AND a <> '' AND b <> '' AND a !~ '[^a-z]' AND b !~ '[^a-z]'
    $$
    """,
    # every term of a key: its words (3+ characters) and its pairs
    """
    CREATE OR REPLACE FUNCTION funds_lookup_terms(key text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT funds_lookup_words(key) UNION ALL SELECT funds_lookup_pairs(key)
    $$
    """,
]

TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION funds_ledger_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
        SELECT w, r.booked_on, count(*), array_agg(r.id ORDER BY r.id DESC)
        FROM new_rows r, funds_lookup_terms(r.search_key) AS w
        WHERE r.kind = 'receipt'
        GROUP BY w, r.booked_on;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION funds_annotation_lookup_terms() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO funds_lookupterm (term, booked_on, n, entry_ids)
        SELECT w, e.booked_on, count(DISTINCT e.id), array_agg(DISTINCT e.id ORDER BY e.id DESC)
        FROM new_rows a
        JOIN funds_ledgerentry e ON e.id = a.entry_id AND e.kind = 'receipt',
        funds_lookup_terms(a.name_key) AS w
        WHERE a.kind = 'identify'
        GROUP BY w, e.booked_on;
        RETURN NULL;
    END;
    $$
    """,
]

# the existing receipts' pairs, a day at a time (as migration 0011's words)
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
                ) x, funds_lookup_pairs(x.k) AS w
            ) t
            GROUP BY w;
        END LOOP;
    END;
    $$
    """

PG_FORWARD = [*WORDS_AND_PAIRS, *TRIGGERS, BUILD_SQL, "ANALYZE funds_lookupterm"]

PG_BACKWARD = [
    # the triggers of migration 0011 (words only), the pairs' rows deleted
    *(sql.replace("funds_lookup_terms(", "funds_lookup_words(") for sql in TRIGGERS),
    """DELETE FROM funds_lookupterm WHERE term COLLATE "C" >= '~'""",
    "DROP FUNCTION IF EXISTS funds_lookup_terms(text)",
    "DROP FUNCTION IF EXISTS funds_lookup_pairs(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0012_lookup_postings_clustered")]

    operations = [migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD))]
