"""Fingerprints that say whether a restored database equals the original.

A check is a function `(using: str) -> dict[str, int | str]` that reads the
database under the alias `using` and answers named figures. `backup` records
every registered check's answer for the exact data it dumped; `restore` and
`verify_backup` compute them again on the restored copy and compare.

Core registers the generic one (rows in every table). An app registers its own
in its AppConfig.ready(), e.g. the funds app (funds/apps.py: `from . import
backup_checks` in ready(), and funds/backup_checks.py):

    from django.db.models import Count, F, Sum
    from mattran.core.backup_checks import register_check

    @register_check("ledger_totals_per_fund")
    def ledger_totals_per_fund(using):
        from mattran.funds.models import LedgerEntry
        rows = (LedgerEntry.objects.using(using).order_by().values("fund_id")
                .annotate(balance=Sum(F("amount") * F("sign")), entries=Count("id")))
        out = {}
        for r in rows:
            out[f"{r['fund_id']}:balance"] = r["balance"]
            out[f"{r['fund_id']}:entries"] = r["entries"]
        return out

Values must be exact: ints or strings (a Decimal that is a whole number, as
PostgreSQL returns for SUM, is stored as an int).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections

Check = Callable[[str], dict[str, int | str]]
CHECKS: dict[str, Check] = {}


def register_check(name: str) -> Callable[[Check], Check]:
    def decorator(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return decorator


@register_check("row_counts")
def row_counts(using: str) -> dict[str, int | str]:
    """Rows in every table of the database (Django's, every app's, the task queue's)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    counts: dict[str, int | str] = {}
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected name
            counts[table] = cursor.fetchone()[0]
    return counts


def _plain(value: object) -> int | str | None:
    """JSON-safe and exact: PostgreSQL's SUM of a bigint is a Decimal."""
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return str(value)


def fingerprint(using: str = "default") -> dict[str, dict[str, int | str | None]]:
    return {
        name: {str(key): _plain(value) for key, value in check(using).items()}
        for name, check in sorted(CHECKS.items())
    }


@dataclass(frozen=True)
class Difference:
    check: str
    key: str
    expected: int | str | None
    actual: int | str | None

    def __str__(self) -> str:
        return (
            f"{self.check} / {self.key}: bản sao lưu {self.expected}, sau khôi phục {self.actual}"
        )


def compare(expected: dict, actual: dict) -> list[Difference]:
    """Every figure that differs, including checks or keys present on one side only."""
    differences = []
    for check in sorted(set(expected) | set(actual)):
        left, right = expected.get(check, {}), actual.get(check, {})
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                differences.append(Difference(check, key, left.get(key), right.get(key)))
    return differences
