"""The measure registry: named figures a key task or an emulation criterion refers to.

A measure is a key, a Vietnamese label, the unit it is counted in, where its
figures come from (the funds ledger, activity records, emulation data, or
figures entered by hand) and a function

    compute(units, period) -> {unit_id: value}

that gives, for each unit, the figure over the unit's whole subtree (the ward
and its residential areas) within the period. It must run ONE grouped query
over all the units together, never a query per unit: `grouped_by_unit` turns
the units' path ranges into one CASE expression and groups on it. The units
must be disjoint subtrees (peers such as the wards of a district, or a single
unit). Units without data are absent from the result; `compute` fills in 0
(or None for a ratio with nothing to divide by).

Values are whole numbers (đồng, houses, models) or, for ratios, an exact
Decimal percentage (rounded only for display).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from mattran.core.periods import Period
from mattran.core.vietnamese import format_money, format_number
from mattran.units.models import Level, Unit


class MeasureKind:
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"


class MeasureSource:
    LEDGER = "ledger"
    RECORDS = "records"
    EMULATION = "emulation"
    MANUAL = "manual"


SOURCE_LABELS = {
    MeasureSource.LEDGER: "Sổ quỹ",
    MeasureSource.RECORDS: "Hồ sơ hoạt động",
    MeasureSource.EMULATION: "Dữ liệu thi đua, kế hoạch",
    MeasureSource.MANUAL: "Số liệu nhập tay",
}

Value_ = int | Decimal
Compute = Callable[[Sequence[Unit], Period], dict[int, Value_]]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit_label: str
    kind: str
    source: str
    compute_fn: Compute = field(repr=False, compare=False)
    description: str = ""

    @property
    def is_manual(self) -> bool:
        return self.source == MeasureSource.MANUAL

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    def compute(self, units: Iterable[Unit], period: Period) -> dict[int, Value_ | None]:
        """Values for every unit (missing → 0, or None for a ratio)."""
        units = list(units)
        if not units:
            return {}
        raw = self.compute_fn(units, period)
        empty = None if self.kind == MeasureKind.PERCENT else 0
        return {u.pk: raw.get(u.pk, empty) for u in units}

    def format(self, value: Value_ | None) -> str:
        if value is None:
            return "—"
        if self.kind == MeasureKind.MONEY:
            return format_money(int(value))
        if self.kind == MeasureKind.PERCENT:
            return format_percent_value(Decimal(value))
        return f"{format_number(int(value))} {self.unit_label}".strip()

    def format_plain(self, value: Value_ | None) -> str:
        """Without the unit label (for table cells under a labelled header)."""
        if value is None:
            return "—"
        if self.kind == MeasureKind.PERCENT:
            return format_percent_value(Decimal(value))
        return format_number(int(value))


def format_percent_value(value: Decimal, digits: int = 1) -> str:
    from decimal import ROUND_HALF_UP

    from babel.numbers import format_decimal

    q = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format_decimal(q, format="#,##0." + "0" * digits, locale="vi") + "%"


_REGISTRY: dict[str, Measure] = {}
# Providers add measures defined as data (e.g. one per activity type an administrator
# adds without code); each call may read the database.
_PROVIDERS: list[Callable[[], Iterable[Measure]]] = []


def register(measure: Measure) -> Measure:
    """Add a measure; registering the same key twice replaces it (module reloads)."""
    _REGISTRY[measure.key] = measure
    return measure


def measure(
    key: str, label: str, *, unit_label: str, kind: str, source: str, description: str = ""
) -> Callable[[Compute], Compute]:
    """Decorator: register `fn` as the compute function of a measure."""

    def wrap(fn: Compute) -> Compute:
        register(Measure(key, label, unit_label, kind, source, fn, description))
        return fn

    return wrap


def register_provider(fn: Callable[[], Iterable[Measure]]) -> Callable[[], Iterable[Measure]]:
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def get(key: str) -> Measure | None:
    if key in _REGISTRY:
        return _REGISTRY[key]
    for provider in _PROVIDERS:
        for m in provider():
            if m.key == key:
                return m
    return None


def all_measures() -> list[Measure]:
    found = dict(_REGISTRY)
    for provider in _PROVIDERS:
        for m in provider():
            found.setdefault(m.key, m)
    return sorted(found.values(), key=lambda m: (m.source, m.label))


def choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.label} ({m.source_label.lower()})") for m in all_measures()]


# ---------------------------------------------------------------------------- helpers


def peer_expression(units: Sequence[Unit], prefix: str = "unit__") -> tuple[Q, Case]:
    """(filter, CASE) mapping a row to the unit whose subtree holds it, as one expression."""
    ranges = [(u.pk, Unit.subtree_q(u.path, prefix)) for u in units]
    where = reduce(or_, (q for _, q in ranges))
    case = Case(
        *(When(q, then=Value(pk)) for pk, q in ranges),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    return where, case


def grouped_by_unit(
    queryset: QuerySet, units: Sequence[Unit], aggregate, *, prefix: str = "unit__"
) -> dict[int, Value_]:
    """{unit_id: aggregate} over each unit's subtree, in ONE grouped query."""
    where, case = peer_expression(units, prefix)
    rows = (
        queryset.filter(where)
        .annotate(_peer=case)
        .values("_peer")
        .annotate(_v=aggregate)
        .values_list("_peer", "_v")
        .order_by()
    )
    return {peer: value for peer, value in rows if peer is not None and value is not None}


def manual_measure(
    key: str, label: str, *, unit_label: str, kind: str = MeasureKind.COUNT, description: str = ""
) -> Measure:
    """A measure whose figures are entered by hand (`MeasureEntry`), summed over the period."""

    def compute(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
        from .models import MeasureEntry

        qs = MeasureEntry.objects.filter(measure_key=key, on__range=(period.start, period.end))
        return grouped_by_unit(qs, units, Sum("value"))

    return register(
        Measure(key, label, unit_label, kind, MeasureSource.MANUAL, compute, description)
    )


# ------------------------------------------------------------- measures on our own data


@measure(
    "thi_dua.ban_cong_tac_tot",
    "Tỷ lệ Ban công tác Mặt trận hoàn thành tốt, xuất sắc nhiệm vụ",
    unit_label="%",
    kind=MeasureKind.PERCENT,
    source=MeasureSource.EMULATION,
    description=(
        "Số khu dân cư có Ban công tác Mặt trận được cấp trên xếp loại hoàn thành tốt "
        "hoặc xuất sắc trong năm, trên tổng số khu dân cư của đơn vị."
    ),
)
def boards_rated_good(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
    from .models import Rating

    year = period.end.year
    where, case = peer_expression(units, prefix="")
    rows = (
        Unit.objects.filter(where, level=Level.RESIDENTIAL_AREA)
        .annotate(_peer=case)
        .values("_peer")
        .annotate(
            total=Count("id", distinct=True),
            good=Count(
                "ratings",
                filter=Q(ratings__year=year, ratings__rating__in=[Rating.EXCELLENT, Rating.GOOD]),
            ),
        )
        .values_list("_peer", "total", "good")
        .order_by()
    )
    return {
        peer: Decimal(good) * 100 / Decimal(total)
        for peer, total, good in rows
        if peer is not None and total
    }


@measure(
    "ke_hoach.chuong_trinh_phoi_hop",
    "Chương trình phối hợp đã ký với tổ chức thành viên",
    unit_label="chương trình",
    kind=MeasureKind.COUNT,
    source=MeasureSource.EMULATION,
    description="Số chương trình phối hợp đã ký kết trong kỳ (theo ngày ký).",
)
def programs_signed(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
    from .models import CoordinationProgram, ProgramStatus

    qs = CoordinationProgram.objects.filter(
        status=ProgramStatus.SIGNED, signed_on__range=(period.start, period.end)
    )
    return grouped_by_unit(qs, units, Count("id"))


# ------------------------------------------------------------- the funds ledger
#
# Backed by `mattran.funds` (append-only ledger). Reversals are netted against
# the entry they reverse: a reversal row carries the opposite sign, and the
# quantity of the reversed disbursement.


def _fund_receipts(fund_kind: str) -> Compute:
    def compute(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
        from mattran.funds.models import EntryKind, LedgerEntry

        qs = LedgerEntry.objects.filter(
            Q(kind=EntryKind.RECEIPT)
            | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.RECEIPT),
            fund__kind=fund_kind,
            booked_on__range=(period.start, period.end),
        )
        return grouped_by_unit(qs, units, Sum(F("sign") * F("amount")), prefix="fund__unit__")

    return compute


def _disbursed_quantity(purposes: Sequence[str]) -> Compute:
    def compute(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
        from mattran.funds.models import EntryKind, LedgerEntry

        qs = LedgerEntry.objects.filter(
            Q(kind=EntryKind.DISBURSEMENT, purpose__in=purposes)
            | Q(kind=EntryKind.REVERSAL, reverses__purpose__in=purposes),
            booked_on__range=(period.start, period.end),
        )
        # A disbursement without a quantity counts as one (one house, one gift).
        quantity = Case(
            When(kind=EntryKind.DISBURSEMENT, then=Coalesce("quantity", Value(1))),
            default=-Coalesce("reverses__quantity", Value(1)),
            output_field=BigIntegerField(),
        )
        return grouped_by_unit(qs, units, Sum(quantity), prefix="fund__unit__")

    return compute


register(
    Measure(
        "quy.vi_nguoi_ngheo.van_dong",
        "Vận động Quỹ “Vì người nghèo”",
        "đồng",
        MeasureKind.MONEY,
        MeasureSource.LEDGER,
        _fund_receipts("poor"),
        "Tổng các khoản thu (trừ bút toán đảo) vào các quỹ “Vì người nghèo” của đơn vị và "
        "các đơn vị trực thuộc trong kỳ, theo ngày ghi sổ.",
    )
)
register(
    Measure(
        "quy.bien_dao.van_dong",
        "Vận động Quỹ “Vì biển, đảo Việt Nam”",
        "đồng",
        MeasureKind.MONEY,
        MeasureSource.LEDGER,
        _fund_receipts("sea_islands"),
        "Tổng các khoản thu (trừ bút toán đảo) vào các quỹ “Vì biển, đảo Việt Nam” của đơn vị "
        "và các đơn vị trực thuộc trong kỳ, theo ngày ghi sổ.",
    )
)
register(
    Measure(
        "quy.nha.xay_sua",
        "Nhà Đại đoàn kết, nhà Nhân ái xây mới, sửa chữa",
        "nhà",
        MeasureKind.COUNT,
        MeasureSource.LEDGER,
        _disbursed_quantity(["house_build", "house_repair"]),
        "Số nhà ghi trên các khoản chi xây, sửa nhà (mục đích “Xây nhà Đại đoàn kết” hoặc "
        "“Sửa chữa nhà Nhân ái / Đại đoàn kết”) từ mọi quỹ của đơn vị và các đơn vị trực "
        "thuộc trong kỳ; khoản chi không ghi số lượng tính là 1 nhà.",
    )
)
register(
    Measure(
        "quy.suat_qua",
        "Suất quà tặng từ các quỹ",
        "suất",
        MeasureKind.COUNT,
        MeasureSource.LEDGER,
        _disbursed_quantity(["gifts"]),
        "Số suất quà ghi trên các khoản chi tặng quà từ mọi quỹ trong kỳ.",
    )
)


# -------------------------------------------------------------- activity records
#
# Backed by `mattran.activities`: records carry a copy of their unit's path
# (`unit_path`), so the subtree ranges apply to it directly (prefix "unit_").


def _activity_count(code: str) -> Compute:
    def compute(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
        from mattran.activities.models import ActivityRecord

        qs = ActivityRecord.objects.filter(type__code=code, date__range=(period.start, period.end))
        return grouped_by_unit(qs, units, Count("id"), prefix="unit_")

    return compute


def _activity_attendance(code: str) -> Compute:
    def compute(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
        from mattran.activities.models import ActivityRecord

        qs = ActivityRecord.objects.filter(type__code=code, date__range=(period.start, period.end))
        return grouped_by_unit(qs, units, Sum("attendance"), prefix="unit_")

    return compute


@register_provider
def activity_measures() -> list[Measure]:
    """One count per activity type of the catalogue (and attendance where it is recorded)."""
    from mattran.activities.models import ActivityType

    out = []
    for code, name, uses_attendance in ActivityType.objects.filter(active=True).values_list(
        "code", "name", "uses_attendance"
    ):
        out.append(
            Measure(
                f"hoat_dong.{code}",
                f"Số hoạt động: {name}",
                "cuộc",
                MeasureKind.COUNT,
                MeasureSource.RECORDS,
                _activity_count(code),
                f"Số hồ sơ hoạt động loại “{name}” của đơn vị và các đơn vị trực thuộc trong kỳ.",
            )
        )
        if uses_attendance:
            out.append(
                Measure(
                    f"hoat_dong.{code}.luot",
                    f"Lượt người tham dự: {name}",
                    "lượt người",
                    MeasureKind.COUNT,
                    MeasureSource.RECORDS,
                    _activity_attendance(code),
                    f"Tổng số người tham dự các hoạt động loại “{name}” trong kỳ.",
                )
            )
    return out


def _mediation(resolved_only: bool) -> Compute:
    def compute(units: Sequence[Unit], period: Period) -> dict[int, Value_]:
        from mattran.activities.models import MediationCase, MediationOutcome

        if resolved_only:
            qs = MediationCase.objects.filter(
                outcome=MediationOutcome.RESOLVED, closed_on__range=(period.start, period.end)
            )
        else:  # received in the period, or carried into it still open
            qs = MediationCase.objects.filter(
                Q(received_on__gte=period.start)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gte=period.start),
                received_on__lte=period.end,
            )
        return grouped_by_unit(qs, units, Count("id"), prefix="unit_")

    return compute


register(
    Measure(
        "hoa_giai.tiep_nhan",
        "Vụ việc hòa giải tiếp nhận",
        "vụ việc",
        MeasureKind.COUNT,
        MeasureSource.RECORDS,
        _mediation(resolved_only=False),
        "Vụ việc tiếp nhận trong kỳ, cộng vụ việc kỳ trước chuyển sang chưa kết thúc "
        "(cách tính của báo cáo kỳ).",
    )
)
register(
    Measure(
        "hoa_giai.thanh",
        "Vụ việc hòa giải thành",
        "vụ việc",
        MeasureKind.COUNT,
        MeasureSource.RECORDS,
        _mediation(resolved_only=True),
        "Vụ việc kết thúc trong kỳ với kết quả hòa giải thành.",
    )
)


# --------------------------------------------------------- figures entered by hand
#
# Honest fallbacks for figures no other module records: the district or the
# ward enters them with a date and a description; each entry is audited.

MANUAL_MODELS = manual_measure(
    "nhap.mo_hinh_dien_hinh",
    "Mô hình điển hình tiêu biểu, tổ tự quản xây dựng mới",
    unit_label="mô hình",
    description=(
        "Mô hình điển hình tiêu biểu và tổ tự quản thực hiện 5 nội dung của Cuộc vận động "
        "“Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”, do đơn vị nhập."
    ),
)
