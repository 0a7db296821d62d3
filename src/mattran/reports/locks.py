"""Approved periods lock the data behind them.

A record of unit U dated D is locked when U or one of its ancestors has an
approved submission whose period contains D: once a ward's 9-month report is
approved, its records of January–September cannot change until the approver
reopens the period with a reason.

Structure versions: a report asked under another version carries records over
through lineage (`reports.rollup`), so an approved report of a unit of another
version locks the record too when the record reaches it (counted, or noted as
a split unit's): the units of `units.selectors.lineage_footprint_ids`.

Approval and edits in parallel: an edit checks the lock and then writes in one
transaction, and the approval stores the figures it approved. Without more,
on PostgreSQL (READ COMMITTED) an edit could check "not locked", the approval
commit, and the edit commit after it: data changed under an approved report
that its stored figures do not show. So the check takes a *shared* advisory
lock on the unit and each ancestor (edits never wait for each other), and an
approval takes the *exclusive* one on the approved unit (`lock_for_approval`)
before it computes the figures: an edit in flight finishes first and is in the
approved figures; an edit that starts later waits, then sees the approval and
is refused. On SQLite every write transaction is BEGIN IMMEDIATE (one writer
at a time), which gives the same order without advisory locks.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.units.models import Unit
from mattran.units.selectors import lineage_footprint_ids

from .models import Submission, SubmissionStatus

# High bits of the advisory lock keys taken here ("MT"), unit ids in the low 40 bits.
_ADVISORY_NAMESPACE = 0x4D54 << 40


def _advisory_key(unit_id: int) -> int:
    return _ADVISORY_NAMESPACE | (unit_id & ((1 << 40) - 1))


def _advisory_locks(unit_ids: list[int], *, shared: bool) -> None:
    """Transaction-scoped advisory locks on units (PostgreSQL; no-op elsewhere)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    keys = sorted({_advisory_key(u) for u in unit_ids})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(k) FROM unnest(%s::bigint[]) AS k",  # noqa: S608 - fixed names
            [keys],
        )


def lock_for_approval(unit: Unit) -> None:
    """Wait for edits of `unit`'s subtree in flight; keep new ones out until commit."""
    _advisory_locks([unit.pk], shared=False)


def wait_for_edits(unit: Unit) -> None:
    """`lock_for_approval` for a moment: call it in a transaction of its own, which
    ends at once. Returns when every edit of `unit`'s subtree that had passed its
    lock check has committed (the approval takes its figures after it)."""
    _advisory_locks([unit.pk], shared=False)


def lock_unit_ids(unit: Unit) -> list[int]:
    """Units whose approved reports show `unit`'s records: itself, its ancestors,
    and the units of other versions its records are carried to (with theirs)."""
    return sorted({*unit.ancestor_ids, unit.pk, *lineage_footprint_ids(unit=unit)})


def lock_find(
    *,
    unit: Unit,
    start: dt.date,
    end: dt.date | None = None,
    unit_ids: list[int] | None = None,
) -> Submission | None:
    """The approved submission covering any day of [start, end] whose report shows
    `unit`'s records: of `unit`, an ancestor, or a unit of another structure
    version the records are carried to through lineage."""
    end = end or start
    return (
        Submission.objects.filter(
            unit_id__in=unit_ids if unit_ids is not None else lock_unit_ids(unit),
            status=SubmissionStatus.APPROVED,
            period_start__lte=end,
            period_end__gte=start,
        )
        .select_related("unit", "unit__version")
        .order_by("period_start")
        .first()
    )


def lock_message(submission: Submission, *, unit: Unit | None = None) -> str:
    """The refusal; names the version when the report is of another one than `unit`."""
    try:
        label = Period.parse(submission.period_code).label
    except UserFacingError:
        label = submission.period_code
    version = ""
    if unit is not None and submission.unit.version_id != unit.version_id:
        version = f" ({submission.unit.version.name})"
    return (
        f"Số liệu {label} của {submission.unit.name}{version} đã được phê duyệt và khóa, "
        "không sửa được. "
        "Muốn sửa, đề nghị người phê duyệt mở khóa kỳ báo cáo (ghi rõ lý do)."
    )


def ensure_unlocked(*, unit: Unit, start: dt.date, end: dt.date | None = None) -> None:
    """Raise a Vietnamese UserFacingError if the unit's data for these days is locked.

    Call it inside the transaction that then writes: the shared locks taken
    here keep an approval of the unit or an ancestor out until it commits.
    """
    unit_ids = lock_unit_ids(unit)
    _advisory_locks(unit_ids, shared=True)
    submission = lock_find(unit=unit, start=start, end=end, unit_ids=unit_ids)
    if submission is not None:
        raise UserFacingError(lock_message(submission, unit=unit))


def approved_over(*, unit: Unit, start: dt.date, end: dt.date) -> list[Submission]:
    """Every approved submission over [start, end] whose report shows `unit`'s records."""
    return list(
        Submission.objects.filter(
            unit_id__in=lock_unit_ids(unit),
            status=SubmissionStatus.APPROVED,
            period_start__lte=end,
            period_end__gte=start,
        )
        .select_related("unit", "unit__version")
        .order_by("period_start")
    )


def ensure_unlocked_days(*, unit: Unit, days: list[dt.date]) -> None:
    """`ensure_unlocked` for many days of one unit (a bulk upload): one query for the
    approved submissions over the whole range, then each day checked against them."""
    if not days:
        return
    _advisory_locks(lock_unit_ids(unit), shared=True)
    subs = approved_over(unit=unit, start=min(days), end=max(days))
    for day in sorted(set(days)):
        for sub in subs:
            if sub.period_start <= day <= sub.period_end:
                raise UserFacingError(lock_message(sub, unit=unit))
