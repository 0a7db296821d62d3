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


# ------------------------------------------------ what a moment did not see

# SQLite: the highest event id. PostgreSQL: the snapshot's horizon, its transactions
# in flight, and the marking transaction's own id with its last event (or None, 0).
AuditMark = int | tuple[int, tuple[int, ...], int | None, int]


def audit_mark() -> AuditMark:
    """Where the audit trail stands at this moment, for `audit_since`.

    PostgreSQL: the current snapshot's transaction horizon (`pg_current_snapshot`:
    transactions from its xmax on had not completed, and those in flight). An
    event's id is taken when it is inserted, not when it commits, so a highest id
    would not do: a writer in flight may hold an id below one that another writer
    has committed since, and commit later. The marking transaction's own id is not
    in its snapshot's list (and may be at or above xmax): its own events are told
    apart by id instead, those up to the last one it had written are seen. SQLite:
    the highest event id, because there one write transaction runs at a time
    (BEGIN IMMEDIATE, settings.py) and an event that commits later than another was
    also inserted after it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_snapshot_xmax(s)::text::bigint,"
                " ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x),"
                " own.xact,"
                " (SELECT max(id) FROM core_auditevent WHERE xact = own.xact)"
                " FROM pg_current_snapshot() AS s,"
                " (SELECT pg_current_xact_id_if_assigned()::text::bigint AS xact) AS own"
            )
            xmax, in_flight, own, own_last = cursor.fetchone()
        return (xmax, tuple(sorted(in_flight)), own, own_last or 0)
    return AuditEvent.objects.aggregate(m=models.Max("id"))["m"] or 0


def audit_since(mark: AuditMark) -> models.QuerySet[AuditEvent]:
    """The events the moment of `mark` did not see: committed after it (or not yet).
    PostgreSQL: written by a transaction that was in flight or had not completed
    (`AuditEvent.xact`, one index), or by the marking transaction after the mark.
    SQLite: an id above the mark."""
    if isinstance(mark, tuple):
        xmax, in_flight, own, own_last = mark
        unseen = models.Q(xact__gte=xmax)
        if in_flight:
            unseen |= models.Q(xact__in=in_flight)
        if own is not None:
            unseen = (unseen & ~models.Q(xact=own)) | models.Q(xact=own, pk__gt=own_last)
        return AuditEvent.objects.filter(unseen)
    return AuditEvent.objects.filter(pk__gt=mark)
