"""Reads of the hierarchy, always starting from what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from mattran.access.policy import Perm, policy_for
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.vietnamese import fold

from .models import ROLE_ORDER, Lineage, MemberOrganisation, Position, StructureVersion, Term, Unit


def version_list_visible(*, user) -> list[StructureVersion]:
    policy = policy_for(user)
    ids = policy.units().values("version_id")
    return list(StructureVersion.objects.filter(pk__in=ids))


def unit_children_visible(*, user, unit: Unit) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(policy_for(user).unit_q(Perm.VIEW), parent=unit)
        .annotate(child_count=Count("children"))
        .order_by("level", "name")
    )


def unit_roots_visible(*, user, version: StructureVersion | None) -> QuerySet[Unit]:
    return (
        policy_for(user)
        .top_units(version=version)
        .annotate(child_count=Count("children"))
        .order_by("version", "path")
    )


def unit_search_visible(*, user, query: str, version: StructureVersion | None, limit: int = 50):
    key = fold(query)
    qs = Unit.objects.filter(policy_for(user).unit_q(Perm.VIEW), search_key__contains=key)
    if version is not None:
        qs = qs.filter(version=version)
    return qs.select_related("parent", "version").order_by("level", "name")[:limit]


def unit_ancestors_visible(*, user, unit: Unit) -> list[Unit]:
    """Ancestors of `unit` that the user may see, from the root down."""
    ids = unit.ancestor_ids
    units = Unit.objects.filter(policy_for(user).unit_q(Perm.VIEW), pk__in=ids)
    return sorted(units, key=lambda u: len(u.path))


def unit_subtree_count(*, unit: Unit) -> dict[int, int]:
    """Number of units per level in `unit`'s subtree (one grouped query)."""
    rows = (
        Unit.objects.filter(Unit.subtree_q(unit.path))
        .exclude(pk=unit.pk)
        .values("level")
        .annotate(n=Count("id"))
    )
    return {r["level"]: r["n"] for r in rows}


def term_default(*, unit: Unit, today: dt.date | None = None) -> Term | None:
    """The latest term with positions at this unit, else the term covering today."""
    term = Term.objects.filter(positions__unit=unit).order_by("-start_year").first()
    if term:
        return term
    year = (today or dt.date.today()).year  # noqa: DTZ011
    return (
        Term.objects.filter(start_year__lte=year, end_year__gte=year)
        .order_by("-start_year")
        .first()
    )


def committee_for(*, unit: Unit, term: Term | None) -> list[Position]:
    if term is None:
        return []
    positions = list(Position.objects.filter(unit=unit, term=term).select_related("person"))
    positions.sort(key=lambda p: (ROLE_ORDER[p.role], p.person.full_name))
    return positions


def member_organisations_of(*, unit: Unit) -> QuerySet[MemberOrganisation]:
    return (
        MemberOrganisation.objects.filter(unit=unit)
        .select_related("head")
        .order_by("order", "name")
    )


def lineage_of(*, user, unit: Unit) -> dict[str, list[tuple[Lineage, Unit, bool]]]:
    """Predecessors and successors of `unit`: (link, other unit, visible to user).

    Unit names and codes are the public national list, so every link is
    shown; only units the user may see are linked.
    """
    policy = policy_for(user)
    before = (
        Lineage.objects.filter(to_unit=unit)
        .select_related("from_unit", "from_unit__version", "from_unit__parent")
        .order_by("from_unit__name")
    )
    after = (
        Lineage.objects.filter(from_unit=unit)
        .select_related("to_unit", "to_unit__version")
        .order_by("to_unit__name")
    )
    return {
        "predecessors": [(lk, lk.from_unit, policy.can(Perm.VIEW, lk.from_unit)) for lk in before],
        "successors": [(lk, lk.to_unit, policy.can(Perm.VIEW, lk.to_unit)) for lk in after],
    }


def audit_events_for_subtree(
    *,
    user,
    unit: Unit,
    action: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events of `unit`'s subtree, newest first; `unit` must be visible to `user`."""
    policy = policy_for(user)
    qs = AuditEvent.objects.filter(
        Unit.subtree_q(unit.path, prefix="unit__"), policy.unit_q(Perm.VIEW, prefix="unit__")
    ).select_related("actor", "unit")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(Q(actor__username__icontains=actor) | Q(actor__last_name__icontains=actor))
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def versions_by_code(*codes: str) -> list[StructureVersion]:
    """The structure versions with these codes, in the order given; a Vietnamese
    error naming the first code that does not exist."""
    found = {v.code: v for v in StructureVersion.objects.filter(code__in=codes)}
    for code in codes:
        if code not in found:
            raise UserFacingError(f"Không có phiên bản địa giới '{code}'.")
    return [found[code] for code in codes]
