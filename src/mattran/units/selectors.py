"""Reads of the hierarchy, always starting from what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.permissions import Perm, policy_for
from mattran.core.vietnamese import fold, format_date

from .models import ROLE_ORDER, Lineage, MemberOrganisation, Position, StructureVersion, Term, Unit


def unit_get_visible(*, user, pk: int, perm: str = Perm.VIEW) -> Unit:
    """The unit if `user` may `perm` it; 404 otherwise (never reveal that it exists)."""
    # The unit by its key, then the grants' subtree check in memory (`can`: the same
    # path ranges as `unit_q`): a plainer query than the paths' OR in SQL (issue 16).
    unit = Unit.objects.select_related("version", "parent").filter(pk=pk).first()
    if unit is None or not policy_for(user).can(perm, unit):
        raise Http404("Không tìm thấy đơn vị")
    return unit


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
    actions: list[str] | tuple[str, ...] = (),
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events of `unit`'s subtree, newest first; `unit` must be visible to `user`."""
    policy = policy_for(user)
    qs = AuditEvent.objects.filter(
        Unit.subtree_q(unit.path, prefix="unit__"), policy.unit_q(Perm.VIEW, prefix="unit__")
    ).select_related("actor", "unit")
    if actions:
        qs = qs.filter(action__in=list(actions))
    if actor:
        qs = qs.filter(
            Q(actor__username__icontains=actor)
            | Q(actor__last_name__icontains=actor)
            | Q(actor__first_name__icontains=actor)
        )
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


# ----------------------------------------------------- versions by date, lineage


def version_valid_on(day: dt.date) -> StructureVersion | None:
    """The structure version in force on `day` (the latest to start, if several)."""
    return (
        StructureVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def version_covers(version: StructureVersion, start: dt.date, end: dt.date | None = None) -> bool:
    end = end or start
    return version.valid_from <= start and (version.valid_to is None or end <= version.valid_to)


def _lineage_rows(unit_ids: list[int], subtree_path: str | None):
    """Lineage rows touching these units (and, if given, any unit of that subtree):
    (from id, from path, from version, to id, to path, to version)."""
    q = Q(from_unit_id__in=unit_ids) | Q(to_unit_id__in=unit_ids)
    if subtree_path is not None:
        q |= Q(from_unit__path__gte=subtree_path, from_unit__path__lt=subtree_path[:-1] + "0")
        q |= Q(to_unit__path__gte=subtree_path, to_unit__path__lt=subtree_path[:-1] + "0")
    return Lineage.objects.filter(q).values_list(
        "from_unit_id",
        "from_unit__path",
        "from_unit__version_id",
        "to_unit_id",
        "to_unit__path",
        "to_unit__version_id",
    )


def lineage_footprint_ids(*, unit: Unit) -> set[int]:
    """Ids of the units of other structure versions whose reports `unit`'s records
    reach through lineage (counted, or noted as a split unit), with their ancestors.

    A report asked under another version carries a record to the units its own
    unit (or the nearest ancestor with lineage, or, for an office without
    lineage of its own, its subtree) became (`reports.rollup`). The union of
    those, with each one's ancestors, is every other-version unit whose
    approved report can show the record: one query.
    """
    own = [*unit.ancestor_ids, unit.pk]
    found: set[int] = set()
    for _f, f_path, f_ver, _t, t_path, t_ver in _lineage_rows(own, unit.path):
        other_path = t_path if f_ver == unit.version_id else f_path
        if f_ver == unit.version_id and t_ver == unit.version_id:
            continue
        found.update(int(p) for p in other_path.strip("/").split("/") if p.isdigit())
    return found


def unit_counterparts(*, unit: Unit, version: StructureVersion) -> list[Unit]:
    """The units of `version` that `unit` became or came from (nearest lineage up
    the tree; else its subtree's), for messages that name the right unit."""
    own = [*unit.ancestor_ids, unit.pk]
    depth_of = {uid: i for i, uid in enumerate(own)}
    best: dict[int, set[int]] = {}
    subtree: set[int] = set()
    for f_id, _fp, f_ver, t_id, _tp, t_ver in _lineage_rows(own, unit.path):
        if f_ver == unit.version_id and t_ver == version.pk:
            mine, other = f_id, t_id
        elif t_ver == unit.version_id and f_ver == version.pk:
            mine, other = t_id, f_id
        else:
            continue
        if mine in depth_of:
            best.setdefault(depth_of[mine], set()).add(other)
        else:
            subtree.add(other)
    ids = best[max(best)] if best else subtree
    return list(Unit.objects.filter(pk__in=ids).select_related("parent").order_by("name", "pk"))


def unit_date_error(*, unit: Unit, start: dt.date, end: dt.date | None = None) -> str | None:
    """A Vietnamese message if [start, end] is outside `unit`'s structure version.

    The message names the version in force on that date and the unit of that
    version the record belongs to (through lineage), so the user knows where
    to record it instead.
    """
    version = unit.version
    if version_covers(version, start, end):
        return None
    end = end or start
    day = start if start < version.valid_from else end
    validity = f"từ {format_date(version.valid_from)}" + (
        f" đến {format_date(version.valid_to)}" if version.valid_to else ""
    )
    message = (
        f"Ngày {format_date(day)} nằm ngoài thời gian hiệu lực của {unit.name} "
        f"({version.name}: {validity})."
    )
    right = version_valid_on(day)
    if right is None:
        return message + " Chưa có phiên bản địa giới nào có hiệu lực vào ngày này."
    others = unit_counterparts(unit=unit, version=right)
    if not others:
        return message + f" Vào ngày này áp dụng {right.name}; hãy ghi cho đơn vị của phiên bản đó."
    names = " hoặc ".join(
        f"{u.name}{f' ({u.parent.name})' if u.parent else ''}" for u in others[:5]
    )
    more = f" (và {len(others) - 5} đơn vị khác)" if len(others) > 5 else ""
    return message + f" Vào ngày này áp dụng {right.name}: hãy ghi cho {names}{more}."


def ensure_date_in_version(*, unit: Unit, start: dt.date, end: dt.date | None = None) -> None:
    if message := unit_date_error(unit=unit, start=start, end=end):
        raise UserFacingError(message)
