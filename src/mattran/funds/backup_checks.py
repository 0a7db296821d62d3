"""Backup fingerprint of the ledger: per fund and entry kind, the number of entries and their sum.

Registered with core.backup_checks so `verify_backup` and `restore` prove a
restored database holds the same money, to the đồng, as the original.
"""

from __future__ import annotations

from django.db.models import Count, Sum

from mattran.core.backup_checks import register_check


@register_check("ledger_totals_per_fund")
def ledger_totals_per_fund(using: str) -> dict[str, int | str]:
    from .models import LedgerEntry

    rows = (
        LedgerEntry.objects.using(using)
        .order_by()
        .values("fund_id", "kind")
        .annotate(total=Sum("amount"), entries=Count("id"))
    )
    out: dict[str, int | str] = {}
    for r in rows:
        out[f"{r['fund_id']}:{r['kind']}:sum"] = int(r["total"])
        out[f"{r['fund_id']}:{r['kind']}:entries"] = r["entries"]
    return out
