from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import QuerySet

from mattran.core.vietnamese import fold
from mattran.units.models import Lineage, MemberOrganisation, StructureVersion, Unit
from mattran.units.selectors import unit_get_visible  # noqa: F401 - used by the apps above

from .models import Grant
from .policy import Perm, policy_for


def grant_list_manageable(*, user) -> QuerySet[Grant]:
    """Grants on units the user administers."""
    return (
        Grant.objects.filter(policy_for(user).unit_q(Perm.ADMINISTER, prefix="unit__"))
        .select_related("user", "unit", "unit__version", "member_organisation")
        .order_by("unit__path", "user__username", "role")
    )


@dataclass(frozen=True)
class GrantCarryOver:
    """Where one grant of the old structure goes in the new one."""

    grant: Grant
    new_units: tuple[Unit, ...] = ()
    # Old units outside the grant's subtree that were merged into `new_units`: the
    # new grant covers territory (and future records) the old one did not.
    widened: tuple[Unit, ...] = ()
    member_organisation: MemberOrganisation | None = None
    problem: str = ""  # why it cannot be carried over ("" when it can)
    existing: tuple[Unit, ...] = ()  # new units where the same grant already exists


def grant_carry_over_plan(
    *, source: StructureVersion, target: StructureVersion
) -> list[GrantCarryOver]:
    """Plan to give every grant on a unit of `source` to the units of `target`
    that succeeded it (units.Lineage, followed through intermediate versions).

    A grant on a ward goes to the ward(s) it became. A grant on a unit without
    lineage of its own (a district abolished in 2025, a province) goes to the
    successors of the wards below it, and when those make up every child of a
    new parent, to that parent instead (Hà Nội 2023 → Hà Nội 2025, but Quận
    Đống Đa → the new wards that took its wards). Queries: a handful, whatever
    the number of grants.
    """
    grants = list(
        Grant.objects.filter(unit__version=source)
        .select_related("user", "unit", "member_organisation")
        .order_by("unit__path", "user__username", "role")
    )
    if not grants:
        return []
    forward: dict[int, list[int]] = defaultdict(list)
    backward: dict[int, list[int]] = defaultdict(list)
    for from_id, to_id in Lineage.objects.values_list("from_unit_id", "to_unit_id"):
        forward[from_id].append(to_id)
        backward[to_id].append(from_id)
    linked = set(forward) | set(backward)
    version_of = dict(Unit.objects.filter(pk__in=linked).values_list("pk", "version_id"))
    source_paths = dict(
        Unit.objects.filter(pk__in=linked, version=source).values_list("pk", "path")
    )
    target_parent = dict(Unit.objects.filter(version=target).values_list("pk", "parent_id"))
    children: dict[int, set[int]] = defaultdict(set)
    for pk, parent_id in target_parent.items():
        if parent_id is not None:
            children[parent_id].add(pk)

    def walk(start: set[int], edges: dict[int, list[int]], version_id: int) -> set[int]:
        found, seen, todo = set(), set(start), list(start)
        while todo:
            pk = todo.pop()
            if version_of.get(pk) == version_id and pk not in start:
                found.add(pk)
                continue
            for nxt in edges.get(pk, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return found

    def lift(units: set[int]) -> set[int]:
        while True:
            parents = {target_parent[u] for u in units if target_parent.get(u) is not None}
            full = {p for p in parents if children[p] and children[p] <= units}
            if not full:
                return units
            units = (units - {c for p in full for c in children[p]}) | full

    existing = set(
        Grant.objects.filter(unit__version=target).values_list(
            "user_id", "unit_id", "role", "member_organisation_id"
        )
    )
    plans: list[tuple[Grant, set[int], set[int]]] = []
    for grant in grants:
        old = {pk for pk, path in source_paths.items() if path.startswith(grant.unit.path)}
        reached = walk(old, forward, target.pk)
        new = lift(reached)
        merged_in = walk(reached, backward, source.pk) - old
        plans.append((grant, new, merged_in))
    units = Unit.objects.in_bulk({pk for _, new, merged in plans for pk in new | merged})
    orgs_by_unit: dict[int, list[MemberOrganisation]] = defaultdict(list)
    for org in MemberOrganisation.objects.filter(unit__in=list(units)):
        orgs_by_unit[org.unit_id].append(org)

    def by_path(pks: set[int]) -> tuple[Unit, ...]:
        return tuple(sorted((units[pk] for pk in pks), key=lambda u: u.path))

    result = []
    for grant, new, merged_in in plans:
        item = GrantCarryOver(grant=grant, new_units=by_path(new), widened=by_path(merged_in))
        if not new:
            item = replace(item, problem=f"Không có đơn vị kế thừa trong phiên bản {target}.")
        elif grant.member_organisation_id is not None:
            # A member organisation belongs to one unit: carried only to a single
            # successor that has an organisation of the same name.
            name = fold(grant.member_organisation.name)
            same = [
                org
                for pk in new
                for org in orgs_by_unit.get(pk, ())
                if len(new) == 1 and fold(org.name) == name
            ]
            if len(same) == 1:
                item = replace(item, member_organisation=same[0])
            else:
                item = replace(
                    item,
                    problem=(
                        f"Tổ chức thành viên “{grant.member_organisation.name}” không có "
                        f"ở đúng một đơn vị kế thừa: cần cấp lại quyền bằng tay."
                    ),
                )
        if not item.problem:
            org_id = item.member_organisation.pk if item.member_organisation else None
            item = replace(
                item,
                existing=tuple(
                    u
                    for u in item.new_units
                    if (grant.user_id, u.pk, grant.role, org_id) in existing
                ),
            )
        result.append(item)
    return result


def users_manageable(*, user):
    """Users an office administrator manages: accounts of units they administer,
    and users holding grants there (active and deactivated, newest first)."""
    from django.contrib.auth import get_user_model

    policy = policy_for(user)
    q = policy.unit_q(Perm.ADMINISTER, prefix="account__unit__") | policy.unit_q(
        Perm.ADMINISTER, prefix="grants__unit__"
    )
    ids = get_user_model().objects.filter(q).values("pk")
    return (
        get_user_model()
        .objects.filter(pk__in=ids)
        .select_related("account", "account__unit")
        .prefetch_related("grants__unit")
        .order_by("-is_active", "-date_joined", "username")
    )
