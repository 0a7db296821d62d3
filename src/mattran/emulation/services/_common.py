"""Helpers shared by the emulation services."""

from __future__ import annotations

from django.utils import timezone

from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import nfc
from mattran.units.models import Unit

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
