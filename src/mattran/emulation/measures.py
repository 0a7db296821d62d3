"""What emulation pages show of a figure key: label, unit, format, and values per unit.

Key tasks and pledge criteria store figure keys of the figures layer
(`mattran.figures`); this module defines no figure. It names the keys the
planning and pledge forms offer, formats values, and asks the figures
engine for every key of a page at once over a set of peer units (each over
its whole subtree), with the user's access and lineage applied there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from django.core.exceptions import ValidationError

from mattran.core.periods import Period
from mattran.core.vietnamese import format_money, format_number
from mattran.figures import registry
from mattran.figures.engine import figures_compute
from mattran.figures.keys import FigureKey
from mattran.figures.scope import scope_peers
from mattran.figures.values import Rate
from mattran.units.models import Unit

from .figure_families import MANUAL_ITEMS


class MeasureKind:
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"


SOURCE_LABELS = {
    "funds": "Sổ quỹ",
    "activities": "Hồ sơ hoạt động",
    "mediation": "Hồ sơ hoạt động",
    "aggregates": "Số liệu nhập tổng hợp",
    "emulation.entries": "Số liệu nhập tay",
    "emulation": "Dữ liệu thi đua, kế hoạch",
    "commendations": "Dữ liệu thi đua, kế hoạch",
    "conferences": "Dữ liệu thi đua, kế hoạch",
    "units": "Danh mục đơn vị",
}

# Keys the forms offer first, with the labels offices use.
OFFERED: list[tuple[str, str, str]] = [
    ("funds.mobilised(fund=poor)", "Vận động Quỹ “Vì người nghèo”", "đồng"),
    ("funds.mobilised(fund=sea_islands)", "Vận động Quỹ “Vì biển, đảo Việt Nam”", "đồng"),
    (
        "funds.spent(measure=quantity,purpose=house_build|house_repair)",
        "Nhà Đại đoàn kết, nhà Nhân ái xây mới, sửa chữa",
        "nhà",
    ),
    ("funds.spent(measure=quantity,purpose=gifts)", "Suất quà tặng từ các quỹ", "suất"),
    ("funds.spent(measure=quantity,purpose=medical)", "Hộ được hỗ trợ khám chữa bệnh", "hộ"),
    ("mediation.received", "Vụ việc hòa giải tiếp nhận", "vụ việc"),
    ("mediation.resolved", "Vụ việc hòa giải thành", "vụ việc"),
    ("mediation.rate", "Tỷ lệ hòa giải thành", "%"),
    (
        "emulation.ratings(level=residential_area,measure=rate,rating=excellent|good)",
        "Tỷ lệ Ban công tác Mặt trận hoàn thành tốt, xuất sắc nhiệm vụ",
        "%",
    ),
    (
        "emulation.programs_signed",
        "Chương trình phối hợp đã ký với tổ chức thành viên",
        "chương trình",
    ),
    ("commendations.count(recipient=collective)", "Tập thể được khen thưởng", "tập thể"),
    ("commendations.count(recipient=individual)", "Cá nhân được khen thưởng", "cá nhân"),
    ("conferences.count", "Hội nghị, đại hội đã tổ chức", "hội nghị"),
    ("units.residential_areas", "Số khu dân cư", "khu dân cư"),
] + [(f"emulation.entries(item={k})", label, unit) for k, (label, unit) in MANUAL_ITEMS.items()]

# The keys of the measure registry this module replaced (migrated in 0004).
OLD_KEYS = {
    "quy.vi_nguoi_ngheo.van_dong": "funds.mobilised(fund=poor)",
    "quy.bien_dao.van_dong": "funds.mobilised(fund=sea_islands)",
    "quy.nha.xay_sua": "funds.spent(measure=quantity,purpose=house_build|house_repair)",
    "quy.suat_qua": "funds.spent(measure=quantity,purpose=gifts)",
    "hoa_giai.tiep_nhan": "mediation.received",
    "hoa_giai.thanh": "mediation.resolved",
    "thi_dua.ban_cong_tac_tot": (
        "emulation.ratings(level=residential_area,measure=rate,rating=excellent|good)"
    ),
    "ke_hoach.chuong_trinh_phoi_hop": "emulation.programs_signed",
    "nhap.mo_hinh_dien_hinh": "emulation.entries(item=mo_hinh_dien_hinh)",
}


def old_key_convert(key: str) -> str:
    """An old measure key in its figure-key form ("hoat_dong.X[.luot]" per activity type)."""
    if key in OLD_KEYS:
        return OLD_KEYS[key]
    if key.startswith("hoat_dong."):
        code = key.removeprefix("hoat_dong.")
        if code.endswith(".luot"):
            return f"activities.attendance(types={code.removesuffix('.luot')})"
        return f"activities.count(types={code})"
    return key


Value_ = int | Decimal


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit_label: str
    kind: str
    source: str

    @property
    def is_manual(self) -> bool:
        return self.key.startswith("emulation.entries(")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, SOURCE_LABELS.get(self.source.split(".")[0], ""))

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

    def compute(self, units: Iterable[Unit], period: Period, *, user=None) -> dict:
        return values_for([self.key], list(units), period, user=user)[self.key]


def format_percent_value(value: Decimal, digits: int = 1) -> str:
    q = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format_decimal(q, format="#,##0." + "0" * digits, locale="vi") + "%"


def _describe(key: FigureKey) -> Measure:
    family = registry.key_family(key)
    text = str(key)
    offered = next((o for o in OFFERED if o[0] == text), None)
    kind = {"money": MeasureKind.MONEY, "percent": MeasureKind.PERCENT}.get(
        family.value_format, MeasureKind.COUNT
    )
    if key.get("measure") == "rate":
        kind = MeasureKind.PERCENT
    elif key.get("measure") in ("quantity", "entries"):
        kind = MeasureKind.COUNT
    if offered:
        label, unit_label = offered[1], offered[2] or family.unit_label
    else:
        label, unit_label = _label(family, key), family.unit_label
    if kind == MeasureKind.PERCENT:
        unit_label = "%"
    elif kind == MeasureKind.COUNT and unit_label == "đồng":
        unit_label = ""
    return Measure(text, label, unit_label, kind, family.source)


def _label(family, key: FigureKey) -> str:
    parts = []
    for name, values in key.params:
        param = family.param(name)
        choices = param.choices() if param and param.choices else {}
        parts.append(", ".join(choices.get(v, v) for v in values))
    return f"{family.label}: {'; '.join(parts)}" if parts else family.label


def get(key: str) -> Measure | None:
    """The measure view of a valid figure key; None for an unknown or malformed key."""
    if not key:
        return None
    try:
        return _describe(registry.key_validate(old_key_convert(key)))
    except ValidationError:
        return None


def validate(key: str) -> str:
    """The canonical key, or ValidationError naming the fault and the valid families."""
    return str(registry.key_validate(old_key_convert(key)))


def all_measures() -> list[Measure]:
    """What the forms offer: the common keys, then a count (and attendance) per activity type."""
    from mattran.activities.models import ActivityType

    out = [m for m in (get(k) for k, _, _ in OFFERED) if m is not None]
    for code, name, uses_attendance in ActivityType.objects.filter(active=True).values_list(
        "code", "name", "uses_attendance"
    ):
        out.append(
            Measure(
                f"activities.count(types={code})",
                f"Số hoạt động: {name}",
                "cuộc",
                MeasureKind.COUNT,
                "activities",
            )
        )
        if uses_attendance:
            out.append(
                Measure(
                    f"activities.attendance(types={code})",
                    f"Lượt người tham dự: {name}",
                    "lượt người",
                    MeasureKind.COUNT,
                    "activities",
                )
            )
    return out


def choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.label} ({m.source_label.lower()})") for m in all_measures()]


def _plain(value) -> Value_ | None:
    if isinstance(value, Rate):
        return Decimal(value.numerator) * 100 / Decimal(value.denominator) if value else None
    return value


def values_for(
    keys: Sequence[str], units: Sequence[Unit], period: Period, *, user=None
) -> dict[str, dict[int, Value_ | None]]:
    """{key: {unit id: value over the unit's subtree}} for peer units, in one engine call
    (one grouped query per source). A ratio with nothing to divide by is None."""
    canonical = {}  # stored keys may still be old measure keys
    for k in dict.fromkeys(keys):
        try:  # allowed values were checked where the key was entered
            canonical[k] = str(registry.key_validate(old_key_convert(k), check_values=False))
        except ValidationError:
            continue
    wanted = list(canonical)
    keys = sorted(set(canonical.values()))
    if not keys or not units:
        return {k: {} for k in wanted}
    by_version: dict[int, list[Unit]] = {}
    for u in units:
        by_version.setdefault(u.version_id, []).append(u)
    out: dict[str, dict[int, Value_ | None]] = {k: {} for k in keys}
    for peers in by_version.values():
        fs = figures_compute(user=user, scope=scope_peers(peers), periods=[period], keys=keys)
        for k in keys:
            fv = fs[k]
            for u in peers:
                out[k][u.pk] = _plain(fv.cell(0, str(u.pk)))
    return {k: out[c] for k, c in canonical.items()}
