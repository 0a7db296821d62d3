"""Reads of activity records, mediation cases and aggregate entries, from what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mattran.access.policy import Perm, policy_for
from mattran.core.periods import Period
from mattran.core.vietnamese import fold
from mattran.units.models import MemberOrganisation, Unit

from .models import (
    ActivityRecord,
    ActivityType,
    AggregateEntry,
    DataElement,
    MediationCase,
    PeriodType,
    SupervisedUnit,
)


def _access(user) -> Q:
    return policy_for(user).unit_q(Perm.VIEW, prefix="unit_")


def notes_visible(*, user, unit: Unit, member_organisation_id: int | None) -> bool:
    """Whether `user` may read the free-text notes of a record of `unit`.

    Notes may hold names and family matters (mediation especially). A member-
    organisation reporter sees the records of its units, which feed the reports it
    contributes to, but the notes only of its own organisation's records; the Front's
    own staff (any other role on the unit) read them all."""
    from mattran.access.models import Role

    policy = policy_for(user)
    if policy.is_superuser:
        return True
    covering = [g for g in policy.grants if unit.path.startswith(g.path)]
    if any(g.role != Role.MEMBER_ORG_REPORTER for g in covering):
        return True
    return member_organisation_id is not None and any(
        g.member_organisation_id == member_organisation_id for g in covering
    )


def activity_list_visible(
    *,
    user,
    unit: Unit,
    type: ActivityType | None = None,
    period: Period | None = None,
    only_this_unit: bool = False,
    query: str = "",
) -> QuerySet[ActivityRecord]:
    """Records of `unit` (and its subtree unless `only_this_unit`) that `user` may see."""
    where = Q(unit_path=unit.path) if only_this_unit else Unit.subtree_q(unit.path, "unit_")
    qs = ActivityRecord.objects.filter(where, _access(user))
    if type is not None:
        qs = qs.filter(type=type)
    if period is not None:
        qs = qs.filter(date__range=(period.start, period.end))
    if query:
        qs = qs.filter(search_key__contains=fold(query))
    return qs.select_related("unit", "type", "member_organisation").order_by("-date", "-id")


def activity_get_visible(*, user, pk: int) -> ActivityRecord:
    record = (
        ActivityRecord.objects.filter(_access(user), pk=pk)
        .select_related("unit", "unit__version", "type", "member_organisation", "created_by")
        .first()
    )
    if record is None:
        raise Http404("Không tìm thấy hoạt động")
    return record


def activity_supervised_units(*, record: ActivityRecord) -> list[Unit]:
    rows = SupervisedUnit.objects.filter(record=record).select_related("unit")
    return [r.unit for r in rows.order_by("order", "id")]


def mediation_list_visible(
    *, user, unit: Unit, period: Period | None = None, outcome: str = ""
) -> QuerySet[MediationCase]:
    qs = MediationCase.objects.filter(Unit.subtree_q(unit.path, "unit_"), _access(user))
    if period is not None:
        qs = qs.filter(
            Q(received_on__lte=period.end)
            & (
                Q(received_on__gte=period.start)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gte=period.start)
            )
        )
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.select_related("unit").order_by("-received_on", "-id")


def mediation_get_visible(*, user, pk: int) -> MediationCase:
    case = MediationCase.objects.filter(_access(user), pk=pk).select_related("unit").first()
    if case is None:
        raise Http404("Không tìm thấy vụ việc")
    return case


def member_organisations_for(*, unit: Unit) -> QuerySet[MemberOrganisation]:
    """Member organisations that may co-organise an activity of `unit` (its own and above)."""
    return MemberOrganisation.objects.filter(unit_id__in=[*unit.ancestor_ids, unit.pk]).order_by(
        "unit__path", "order", "name"
    )


def data_elements_for(*, period_type: str) -> list[DataElement]:
    return list(DataElement.objects.filter(active=True, period_type=period_type))


def aggregate_values(*, unit: Unit, start: dt.date, end: dt.date) -> dict[int, AggregateEntry]:
    return {
        e.element_id: e
        for e in AggregateEntry.objects.filter(
            unit=unit, period_start=start, period_end=end
        ).select_related("updated_by")
    }


def aggregate_default_period(
    *, unit: Unit, period_type: str, today: dt.date | None = None
) -> Period:
    """The period an aggregate form opens on: the latest one with values for this unit,
    else the latest one that has ended (is due); never one in the future."""
    today = today or timezone.localdate()
    latest = (
        AggregateEntry.objects.filter(
            unit=unit, element__period_type=period_type, period_end__lte=today
        )
        .order_by("-period_end")
        .values_list("period_start", flat=True)
        .first()
    )
    if latest is not None:
        day = latest
    elif period_type == PeriodType.YEAR:
        day = dt.date(today.year - 1, 1, 1)
    elif period_type == PeriodType.QUARTER:
        first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        day = first - dt.timedelta(days=1)
    else:
        day = today.replace(day=1) - dt.timedelta(days=1)
    if period_type == PeriodType.YEAR:
        return Period.year(day.year)
    if period_type == PeriodType.QUARTER:
        return Period.quarter(day.year, (day.month - 1) // 3 + 1)
    return Period.month(day.year, day.month)


def period_of_type(period_type: str, code: str) -> Period:
    """The month/quarter/year period for an aggregate form (code like 2023-09, 2023-Q3, 2023)."""
    p = Period.parse(code)
    kind = {PeriodType.MONTH: "month", PeriodType.QUARTER: "quarter", PeriodType.YEAR: "year"}
    if p.kind != kind[period_type]:
        raise ValueError(code)
    return p
