"""Writes of the figures layer: entered totals (a unit's figures of a past period, issue 11.7)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from mattran.access.policy import Perm, require_perm
from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.units.models import Unit

from .models import EnteredTotal
from .registry import key_validate


@transaction.atomic
def entered_totals_set(
    *, actor, unit: Unit, period: Period, values: Mapping[str, int | None], note: str = ""
) -> int:
    """Set the entered totals of `unit` for `period`, key by key (None removes one).

    Everything is checked before anything is written; each change is audited.
    Returns the number of totals created, changed or removed.
    """
    require_perm(actor, Perm.EDIT, unit, "nhập số liệu tổng của kỳ trước")
    cleaned: dict[str, int | None] = {}
    for text, value in values.items():
        try:
            key = str(key_validate(text))
        except ValidationError as exc:
            raise UserFacingError(f"Mã số liệu “{text}”: {' '.join(exc.messages)}") from None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise UserFacingError(f"{key}: giá trị phải là số nguyên.")
        if value is not None and value < 0:
            raise UserFacingError(f"{key}: giá trị không được âm.")
        cleaned[key] = value
    existing = {
        e.key: e
        for e in EnteredTotal.objects.select_for_update().filter(
            unit=unit, period_start=period.start, period_end=period.end, key__in=list(cleaned)
        )
    }
    changed = 0
    for key, value in cleaned.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                audit_record(
                    actor=actor,
                    action="entered_total.delete",
                    obj=row,
                    unit=unit,
                    before=snapshot(row),
                )
                row.delete()
                changed += 1
            continue
        if row is not None and row.value == value:
            continue
        before = snapshot(row) if row is not None else None
        row = row or EnteredTotal(
            unit=unit,
            key=key,
            period_code=period.code,
            period_start=period.start,
            period_end=period.end,
        )
        row.value = value
        row.note = note.strip()[:300]
        row.entered_by = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        audit_record(
            actor=actor,
            action="entered_total.set",
            obj=row,
            unit=unit,
            before=before,
            after=snapshot(row),
        )
        changed += 1
    return changed


def entered_totals_of(*, unit: Unit, period: Period) -> dict[str, int]:
    return dict(
        EnteredTotal.objects.filter(
            unit=unit, period_start=period.start, period_end=period.end
        ).values_list("key", "value")
    )
