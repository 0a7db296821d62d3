"""The one write of the reader: confirmed figures become entered totals.

When the figures layer's entered totals (issue 11 item 7) are installed, a
confirmed figure whose indicator has a figure key is written through
`figures.services.entered_totals_set`. Otherwise (and for the keys the
catalogue does not have yet) it is written as an aggregate entry of the
activities app (`activities.services.aggregate_entries_save`: unit × period ×
value, locks, rules and audit included): a key that already is an aggregate
element (đơn thư, ý kiến cử tri) goes to that element, any other key to an
inactive element "lich_su_<key>" made for history, so it never shows on the
monthly entry form.
"""

from __future__ import annotations

from django.db import transaction

from mattran.access.policy import Perm, require_perm
from mattran.activities.models import DataElement, PeriodType
from mattran.activities.services import aggregate_entries_save
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.units.models import Unit

from . import keys

HISTORY_PREFIX = "lich_su_"


def _element_for(key: str) -> DataElement:
    # an indicator entered as an aggregate reads the element of its own code
    existing = DataElement.objects.filter(code=key).first()
    if existing is not None:
        return existing
    name, label = keys.all_keys()[key]
    element, _ = DataElement.objects.get_or_create(
        code=(HISTORY_PREFIX + key)[:40],
        defaults={
            "name": f"{name} (tổng số từ báo cáo cũ)",
            "unit_label": label,
            "period_type": PeriodType.YEAR,
            "active": False,
            "description": "Tổng số nhập từ báo cáo cũ (trang Đọc báo cáo), đã có người xác nhận.",
        },
    )
    return element


@transaction.atomic
def history_confirm(
    *,
    actor,
    unit: Unit,
    period: Period,
    entries: list[tuple[str, int]],
    source: str = "",
) -> int:
    """Write the figures a person accepted as entered totals of `unit` for `period`;
    returns how many were written."""
    require_perm(actor, Perm.EDIT, unit, "ghi số liệu lịch sử")
    if not entries:
        raise UserFacingError("Chưa chấp nhận số liệu nào nên chưa ghi gì.")
    known = keys.all_keys()
    errors: list[str] = []
    seen: set[str] = set()
    for key, value in entries:
        if key not in known:
            errors.append(f"Chỉ tiêu “{key}” không có trong danh mục.")
        elif key in seen:
            errors.append(f"Chỉ tiêu “{keys.key_name(key)}” được chọn hai lần; hãy giữ một số.")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append(f"Giá trị của “{keys.key_name(key)}” phải là số nguyên không âm.")
        seen.add(key)
    if errors:
        raise UserFacingError(" ".join(errors))
    rest = list(entries)
    written = 0
    if keys.figures_layer_ready():
        from mattran.figures.services import entered_totals_set

        by_figure = {keys.figure_key(k): v for k, v in entries if keys.figure_key(k)}
        rest = [(k, v) for k, v in entries if not keys.figure_key(k)]
        if by_figure:
            entered_totals_set(
                actor=actor, unit=unit, period=period, values=by_figure,
                note=f"Từ báo cáo cũ “{source}”",
            )  # fmt: skip
            written += len(by_figure)
    if rest:
        values = {_element_for(key): value for key, value in rest}
        written += len(
            aggregate_entries_save(
                actor=actor,
                unit=unit,
                period_start=period.start,
                period_end=period.end,
                values=values,
            )
        )
    audit_record(
        actor=actor,
        action="reading.confirm",
        unit=unit,
        after={"period": period.code, "source": source, "entries": dict(entries)},
        note=f"Ghi {len(entries)} tổng số từ báo cáo cũ “{source}” cho {period.label}",
    )
    return written
