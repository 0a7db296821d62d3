"""Word-pair search terms for the donation lookup on PostgreSQL (replaces the trigram index).

The lookup finds receipts whose search key holds the typed words at word
starts, in order (" nguyen van an" also finds "Nguyễn Văn Anh"). A trigram
index answers that by intersecting the posting lists of some fifteen very
common trigrams, which takes hundreds of milliseconds over millions of rows.
Here each entry gets `search_terms`, a tsvector of its adjacent word pairs
("nguyen_van", "van_an", ...) and its last word; a lookup asks the GIN index
for the typed pairs (the last one as a prefix: 'van_an':*), which leaves
only the matching rows to read; the LIKE on the search key then keeps the
exact semantics. One word typed is a prefix of a pair or of the last word.

The column is PostgreSQL-only search machinery, like the index it replaces
(not a model field; SQLite searches the key with LIKE): the statement import
writes it with COPY (mattran.funds.importing.search_terms, same result), and
a BEFORE INSERT trigger computes it for rows inserted without it (every other
writer). Existing rows are filled here, with the append-only trigger off for
that one statement (only this derived column changes).
"""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE funds_ledgerentry ADD COLUMN search_terms tsvector",
    """
    CREATE FUNCTION funds_search_terms(search_key text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN cardinality(words) = 0 THEN ''::tsvector ELSE array_to_tsvector(
            ARRAY(
                SELECT words[i] || '_' || words[i + 1]
                FROM generate_series(1, cardinality(words) - 1) AS i
            ) || words[cardinality(words)]
        ) END
        FROM (SELECT array_remove(string_to_array(btrim(search_key), ' '), '') AS words) AS key
    $$
    """,
    """
    CREATE FUNCTION funds_ledger_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_terms := funds_search_terms(NEW.search_key);
        RETURN NEW;
    END;
    $$
    """,
    """
    CREATE TRIGGER funds_ledger_search_terms BEFORE INSERT ON funds_ledgerentry
    FOR EACH ROW WHEN (NEW.search_terms IS NULL) EXECUTE FUNCTION funds_ledger_search_terms()
    """,
    "ALTER TABLE funds_ledgerentry DISABLE TRIGGER funds_ledger_append_only",
    "UPDATE funds_ledgerentry SET search_terms = funds_search_terms(search_key)",
    "ALTER TABLE funds_ledgerentry ENABLE TRIGGER funds_ledger_append_only",
    "CREATE INDEX funds_ledger_search_terms ON funds_ledgerentry USING gin (search_terms)",
    "DROP INDEX IF EXISTS funds_ledger_search_trgm",
]
PG_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS funds_ledger_search_trgm ON funds_ledgerentry "
    "USING gin (search_key gin_trgm_ops)",
    "DROP INDEX IF EXISTS funds_ledger_search_terms",
    "DROP TRIGGER IF EXISTS funds_ledger_search_terms ON funds_ledgerentry",
    "DROP FUNCTION IF EXISTS funds_ledger_search_terms()",
    "DROP FUNCTION IF EXISTS funds_search_terms(text)",
    "ALTER TABLE funds_ledgerentry DROP COLUMN IF EXISTS search_terms",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0003_statement_line_day_index")]

    operations = [migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD))]
