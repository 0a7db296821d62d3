"""The audit trail: every service writes one event in the same transaction as its change."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from . import versions
from .models import AuditEvent


def _json_safe(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, FieldFile):  # an empty one raises on .url
        return value.name or None
    return value


def snapshot(obj: models.Model | None, fields: list[str] | None = None) -> dict | None:
    """A JSON-safe dict of a model instance's field values, for before/after."""
    if obj is None:
        return None
    data = model_to_dict(obj, fields=fields)
    for field in obj._meta.concrete_fields:
        if (fields is None or field.name in fields) and field.name not in data:
            data[field.name] = getattr(obj, field.attname)
    return _json_safe(data)


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    unit=None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Write one audit event. Must run inside the service's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    object_type = obj._meta.label_lower if obj is not None else ""
    # Caches of figures keyed by the data's version miss from the commit on.
    versions.bump(versions.names_for_audit(unit=unit, object_type=object_type))
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        unit=unit,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=_json_safe(before),
        after=_json_safe(after),
        note=note,
    )


def audit_record_many(
    *, actor, action: str, objs: list[models.Model], unit_of, after_of=snapshot, note: str = ""
) -> None:
    """One audit event per object, in one INSERT per batch: the bulk form of
    `audit_record` for imports. `unit_of(obj)` gives each one's unit, `after_of(obj)`
    its "after" (default: `snapshot`, which reads many-to-many fields: one query each)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside transaction.atomic()")
    who = actor if getattr(actor, "is_authenticated", False) else None
    units = [unit_of(obj) for obj in objs]
    names: set[str] = set()
    for obj, unit in zip(objs, units, strict=True):
        names.update(versions.names_for_audit(unit=unit, object_type=obj._meta.label_lower))
    versions.bump(names)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=who,
                action=action,
                unit=unit,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                after=_json_safe(after_of(obj)),
                note=note,
            )
            for obj, unit in zip(objs, units, strict=True)
        ],
        batch_size=500,
    )
