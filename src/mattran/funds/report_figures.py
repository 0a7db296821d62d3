"""The funds ledger's figures in period reports (reports' external figure providers).

Registered in `FundsConfig.ready()`. Each provider answers with two queries
(the ledger grouped by fund unit, and the lineage map when the report is asked
under another structure version), whatever the number of units: entries are
grouped by the path of their fund's unit and then put in the report's buckets
(the unit's own office, each child's subtree) by path prefix. Entries of funds
recorded under another structure version are carried over through lineage,
exactly as activity records are (`reports.rollup.attribute`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db.models import Q, Sum
from django.urls import reverse

from mattran.access.policy import Perm, policy_for
from mattran.core.periods import Period
from mattran.reports import providers
from mattran.reports.providers import ProvidedFigure
from mattran.reports.rollup import OTHER, SELF, Scope, attribute, lineage_map_build
from mattran.units.models import StructureVersion, Unit

from .models import EntryKind, FundKind, LedgerEntry, Purpose, Transfer, TransferStatus


def _scope(unit: Unit | None, children: Sequence[Unit], version: StructureVersion) -> Scope:
    roots = () if unit is not None else tuple(c.path for c in children)
    return Scope(version=version, unit=unit, children=tuple(children), root_paths=roots)


def _bucketed(*, rows, scope: Scope, version: StructureVersion, value: Callable) -> ProvidedFigure:
    """Sum `value(row)` per report bucket; rows carry `path` and `version_id`."""
    lmap = None
    total, by_unit = 0, defaultdict(int)
    own_key = scope.unit.pk if scope.unit is not None else None
    for row in rows:
        v = value(row)
        if not v:
            continue
        if row["version_id"] == version.pk:
            bucket = scope.bucket_of_path(row["path"])
        else:
            if lmap is None:
                lmap = lineage_map_build(version)
            att = attribute(scope, lmap, row["path"])
            bucket = att.bucket if att is not None else None
        if bucket is None:
            continue
        total += v
        if bucket == SELF and own_key is not None:
            by_unit[own_key] += v
        elif bucket not in (SELF, OTHER):
            by_unit[int(bucket)] += v
    return ProvidedFigure(total=total, by_unit=dict(by_unit), detail_url=reverse("funds:list"))


def _visible(user, prefix: str) -> Q:
    return policy_for(user).unit_q(Perm.VIEW, prefix=prefix) if user is not None else Q()


def _ledger_rows(*, user, scope: Scope, fund_kind: str, period: Period):
    """Receipts, disbursements and their reversals, grouped by fund unit."""
    same_version = Q(fund__unit__version=scope.version) & scope.subtree_q("fund__unit__")
    return (
        LedgerEntry.objects.filter(
            same_version | ~Q(fund__unit__version=scope.version),
            _visible(user, "fund__unit__"),
            fund__kind=fund_kind,
            booked_on__gte=period.start,
            booked_on__lte=period.end,
            kind__in=[EntryKind.RECEIPT, EntryKind.DISBURSEMENT, EntryKind.REVERSAL],
        )
        .values(
            "fund__unit__path",
            "fund__unit__version_id",
            "kind",
            "purpose",
            "reverses__kind",
            "reverses__purpose",
        )
        .annotate(amount=Sum("amount"), qty=Sum("quantity"), rqty=Sum("reverses__quantity"))
        .order_by()
    )


def _normalise(row: dict) -> dict:
    """A reversal counts as the negative of the entry it reverses."""
    reversal = row["kind"] == EntryKind.REVERSAL
    return {
        "path": row["fund__unit__path"],
        "version_id": row["fund__unit__version_id"],
        "kind": row["reverses__kind"] if reversal else row["kind"],
        "purpose": row["reverses__purpose"] if reversal else row["purpose"],
        "amount": -row["amount"] if reversal else row["amount"],
        "qty": -(row["rqty"] or 0) if reversal else (row["qty"] or 0),
    }


def ledger_provider(fund_kind: str, kind: str, *, purpose: str = "", quantity: bool = False):
    def provide(*, user, unit, children, version, period) -> ProvidedFigure:
        scope = _scope(unit, children, version)
        rows = [
            _normalise(r)
            for r in _ledger_rows(user=user, scope=scope, fund_kind=fund_kind, period=period)
        ]

        def value(row) -> int:
            if row["kind"] != kind or (purpose and row["purpose"] != purpose):
                return 0
            return row["qty"] if quantity else row["amount"]

        return _bucketed(rows=rows, scope=scope, version=version, value=value)

    return provide


def transfers_out_provider(*, user, unit, children, version, period) -> ProvidedFigure:
    """Money sent from the subtree's funds to funds outside it (e.g. a district to the city)."""
    scope = _scope(unit, children, version)
    rows = (
        Transfer.objects.filter(
            scope.subtree_q("from_fund__unit__"),
            _visible(user, "from_fund__unit__"),
            sent_on__gte=period.start,
            sent_on__lte=period.end,
            status__in=[TransferStatus.PENDING, TransferStatus.CONFIRMED],
        )
        .exclude(scope.subtree_q("to_fund__unit__"))
        .values("from_fund__unit__path", "from_fund__unit__version_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    normalised = [
        {
            "path": r["from_fund__unit__path"],
            "version_id": r["from_fund__unit__version_id"],
            "amount": r["amount"],
        }
        for r in rows
    ]
    return _bucketed(rows=normalised, scope=scope, version=version, value=lambda r: r["amount"])


def register_report_figures() -> None:
    reg = providers.register
    reg(
        "funds.vi_bien_dao.mobilised",
        ledger_provider(FundKind.SEA_ISLANDS, EntryKind.RECEIPT),
        label="Quỹ “Vì biển, đảo Việt Nam” – số vận động",
    )
    reg(
        "funds.vi_nguoi_ngheo.disbursed",
        ledger_provider(FundKind.POOR, EntryKind.DISBURSEMENT),
        label="Quỹ “Vì người nghèo” – số đã chi",
    )
    reg(
        "funds.vi_nguoi_ngheo.gifts",
        ledger_provider(
            FundKind.POOR, EntryKind.DISBURSEMENT, purpose=Purpose.GIFTS, quantity=True
        ),
        label="Quỹ “Vì người nghèo” – số suất quà",
    )
    reg(
        "funds.vi_nguoi_ngheo.houses_repaired",
        ledger_provider(
            FundKind.POOR, EntryKind.DISBURSEMENT, purpose=Purpose.HOUSE_REPAIR, quantity=True
        ),
        label="Quỹ “Vì người nghèo” – số nhà sửa chữa",
    )
    reg(
        "funds.transfers_to_parent",
        transfers_out_provider,
        label="Ủng hộ, điều chuyển lên cấp trên",
    )
