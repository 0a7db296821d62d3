"""Figure families of the record apps below this layer: activities, mediation, aggregate
entries, the funds ledger, the unit tree. Registered once, at start-up.

Emulation (above this layer) registers its own families in
`mattran.emulation.figures`.
"""

from __future__ import annotations

from django.db.models import Count

from mattran.units.models import Level, Unit

from . import ledger, records
from .registry import Family, Param, family_register, source_register
from .scope import access_q
from .values import FigureValues


def _activity_types() -> dict[str, str]:
    from mattran.activities.models import ActivityType

    return dict(ActivityType.objects.order_by("order", "code").values_list("code", "name"))


def _data_elements() -> dict[str, str]:
    from mattran.activities.models import DataElement

    return dict(DataElement.objects.order_by("order", "code").values_list("code", "name"))


def _fund_kinds() -> dict[str, str]:
    from mattran.funds.models import FundKind

    return dict(FundKind.choices)


def _purposes() -> dict[str, str]:
    from mattran.funds.models import Purpose

    return dict(Purpose.choices)


TYPES = Param("types", "Loại hoạt động (một hoặc nhóm loại)", _activity_types, True, True)
FUND = Param("fund", "Loại quỹ", _fund_kinds, False, True)

# ------------------------------------------------------------------ records

source_register("records", records.compute, drill=records.drill, prepare=records.prepare)
for name, label, unit_label, additive in [
    ("count", "Số hoạt động", "cuộc", True),
    ("attendance", "Số lượt người tham dự", "lượt người", True),
    ("missing_attendance", "Số hoạt động chưa ghi số người tham dự", "cuộc", True),
    ("missing_subject", "Số hoạt động chưa ghi đề án / nội dung", "cuộc", True),
    ("supervised_units", "Số đơn vị được giám sát (không trùng)", "đơn vị", False),
]:
    family_register(
        Family(
            f"activities.{name}",
            label,
            "records",
            (TYPES,),
            unit_label=unit_label,
            additive=additive,
        )
    )
for name, label in [
    ("received", "Số vụ việc hòa giải tiếp nhận (kể cả kỳ trước chuyển sang)"),
    ("resolved", "Số vụ việc hòa giải thành"),
    ("failed", "Số vụ việc hòa giải không thành"),
    ("open", "Số vụ việc đang hòa giải cuối kỳ"),
]:
    family_register(Family(f"mediation.{name}", label, "records", unit_label="vụ việc"))
family_register(
    Family(
        "mediation.rate",
        "Tỷ lệ hòa giải thành (thành / tiếp nhận)",
        "records",
        unit_label="%",
        value_format="percent",
        additive=False,
    )
)
family_register(
    Family(
        "aggregates.value",
        "Số liệu nhập tổng hợp",
        "records",
        (Param("element", "Chỉ tiêu nhập", _data_elements, True),),
    )
)

# -------------------------------------------------------------------- funds

source_register("funds.entries", ledger.compute_entries, prepare=ledger.prepare_entries)
source_register("funds.transfers", ledger.compute_transfers, prepare=ledger.prepare_transfers)
source_register("funds.balance", ledger.compute_balance, prepare=ledger.prepare_balance)
family_register(
    Family(
        "funds.mobilised",
        "Số tiền vận động (thu vào quỹ, trừ bút toán đảo)",
        "funds.entries",
        (FUND,),
        unit_label="đồng",
        value_format="money",
    )
)
family_register(
    Family(
        "funds.spent",
        "Số đã chi theo mục đích (số tiền, số lượng, số khoản chi)",
        "funds.entries",
        (
            FUND,
            Param("purpose", "Mục đích chi", _purposes, False, True),
            Param(
                "measure",
                "Đo",
                lambda: {"amount": "số tiền", "quantity": "số lượng", "entries": "số khoản chi"},
                default="amount",
            ),
        ),
        unit_label="đồng",
        value_format="money",
    )
)
family_register(
    Family(
        "funds.transfers",
        "Điều chuyển quỹ: lên cấp trên (ra ngoài đơn vị) hoặc xuống cấp dưới",
        "funds.transfers",
        (
            Param(
                "direction",
                "Chiều",
                lambda: {"up": "lên cấp trên", "down": "xuống cấp dưới"},
                required=True,
            ),
        ),
        unit_label="đồng",
        value_format="money",
    )
)
family_register(
    Family(
        "funds.balance",
        "Số dư quỹ cuối kỳ",
        "funds.balance",
        (FUND,),
        unit_label="đồng",
        value_format="money",
    )
)


# -------------------------------------------------------------------- units


def _residential_areas(request, keys) -> dict:
    """units.residential_areas: residential areas of the scope (the structure, not a period)."""
    scope = request.scope
    rows = (
        Unit.objects.filter(
            scope.subtree_q(""), access_q(request.user, ""), level=Level.RESIDENTIAL_AREA
        )
        .annotate(bucket=scope.bucket_expr("path"))
        .values_list("bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict(rows)
    out = {}
    for key in keys:
        fv = FigureValues(key=key)
        for pidx in range(len(request.periods)):
            for b in scope.bucket_keys:
                fv.cells[(pidx, b)] = counts.get(b, 0)
        out[key] = fv
    return out


source_register("units", _residential_areas)
family_register(
    Family("units.residential_areas", "Số khu dân cư", "units", unit_label="khu dân cư")
)
