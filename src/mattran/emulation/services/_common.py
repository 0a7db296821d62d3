"""Helpers shared by the emulation services."""

from __future__ import annotations

from django.utils import timezone

from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.vietnamese import nfc
from mattran.units.models import Unit

from ..uploads import file_safe_snapshot as snapshot

# ----------------------------------------------------------------------------- helpers


def _text(value: str | None, label: str, *, required: bool = True) -> str:
    """NFC text keeping paragraph breaks (only whitespace inside a line collapses)."""
    lines = [nfc(line) for line in (value or "").replace("\r\n", "\n").split("\n")]
    text = "\n".join(line for line in lines if line).strip()
    if required and not text:
        raise UserFacingError(f"{label} không được để trống.")
    return text


def _now():
    return timezone.now()


def _in_subtree(root: Unit, unit: Unit) -> bool:
    return unit.path.startswith(root.path)


def _part_add(*, actor, action: str, parent, part):
    """Validate and save `part`, a row of `parent` (a conference's attendee or agenda
    item, a program's item or signatory), audited on the parent with its values."""
    full_clean_or_raise(part)
    part.save()
    audit_record(actor=actor, action=action, obj=parent, unit=parent.unit, after=snapshot(part))
    return part


def _part_delete(*, actor, action: str, parent, part) -> None:
    """Delete `part`, a row of `parent`, audited on the parent with its last values."""
    audit_record(actor=actor, action=action, obj=parent, unit=parent.unit, before=snapshot(part))
    part.delete()
