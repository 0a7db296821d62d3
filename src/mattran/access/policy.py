"""The one place that answers "who may see/do what".

A grant gives a role on a unit and its whole subtree. `AccessPolicy` loads a
user's grants once (one query) and then answers every question in memory or
as one Q object on unit paths, so list queries stay one indexed query.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from mattran.core.errors import UserFacingError
from mattran.core.permissions import Perm
from mattran.units.models import Unit

from .models import Grant, Role

__all__ = ["Perm", "AccessPolicy", "policy_for", "require_perm", "require_any_perm"]

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Perm.VIEW, Perm.EDIT, Perm.APPROVE, Perm.ADMINISTER}),
    Role.APPROVER: frozenset({Perm.VIEW, Perm.APPROVE}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.EDIT}),
    Role.VIEWER: frozenset({Perm.VIEW}),
    Role.MEMBER_ORG_REPORTER: frozenset({Perm.VIEW, Perm.REPORT_MEMBER_ORG}),
}


@dataclass(frozen=True)
class GrantView:
    path: str
    role: str
    unit_id: int
    member_organisation_id: int | None


class AccessPolicy:
    def __init__(self, user):
        self.user = user
        self.is_superuser = bool(getattr(user, "is_superuser", False)) and user.is_active
        if getattr(user, "is_authenticated", False) and user.is_active:
            self.grants = [
                GrantView(path, role, unit_id, mo_id)
                for path, role, unit_id, mo_id in Grant.objects.filter(user=user).values_list(
                    "unit__path", "role", "unit_id", "member_organisation_id"
                )
            ]
        else:
            self.grants = []

    def has_any(self, perm: str) -> bool:
        """Whether the user may `perm` anywhere."""
        return self.is_superuser or bool(self._paths(perm))

    def paths(self, perm: str) -> list[str]:
        """The subtree paths on which the user has `perm` (none nested in another);
        for a superuser, only those of their grants (check `is_superuser`)."""
        return self._paths(perm)

    def _paths(self, perm: str) -> list[str]:
        paths = sorted({g.path for g in self.grants if perm in ROLE_PERMS[g.role]})
        # Drop paths covered by an ancestor path: fewer OR branches.
        kept: list[str] = []
        for p in paths:
            if not kept or not p.startswith(kept[-1]):
                kept.append(p)
        return kept

    def unit_q(self, perm: str = Perm.VIEW, prefix: str = "") -> Q:
        """Q selecting units (or rows via `prefix`, e.g. "unit__") the user may `perm`."""
        if self.is_superuser:
            return Q()
        paths = self._paths(perm)
        if not paths:
            return Q(pk__in=[])
        return reduce(or_, (Unit.subtree_q(p, prefix) for p in paths))

    def units(self, perm: str = Perm.VIEW):
        return Unit.objects.filter(self.unit_q(perm))

    def can(self, perm: str, unit: Unit) -> bool:
        if self.is_superuser:
            return True
        return any(unit.path.startswith(p) for p in self._paths(perm))

    def member_organisation_ids(self, unit: Unit) -> set[int]:
        """Member organisations this user reports for, on grants covering `unit`."""
        return {
            g.member_organisation_id
            for g in self.grants
            if g.role == Role.MEMBER_ORG_REPORTER and unit.path.startswith(g.path)
        }

    def top_units(self, perm: str = Perm.VIEW, version=None):
        """The highest units the user may see (roots of their visible forest)."""
        if self.is_superuser:
            qs = Unit.objects.filter(parent__isnull=True)
        else:
            paths = self._paths(perm)
            qs = Unit.objects.filter(path__in=paths)
        if version is not None:
            qs = qs.filter(version=version)
        return qs.select_related("version")


def policy_for(user) -> AccessPolicy:
    """The user's policy, cached on the user object for the request."""
    cached = getattr(user, "_mattran_policy", None)
    if cached is None:
        cached = AccessPolicy(user)
        with contextlib.suppress(AttributeError):
            user._mattran_policy = cached
    return cached


def forget_policy(user) -> None:
    if hasattr(user, "_mattran_policy"):
        del user._mattran_policy


def require_perm(actor, perm: str, unit: Unit, what: str = "thực hiện việc này") -> None:
    """Refuse (UserFacingError) unless `actor` may `perm` on `unit`.

    actor=None is the system itself (console commands, the demo loader, jobs
    started by a user who was checked when the job was queued)."""
    require_any_perm(actor, (perm,), unit, what)


def require_any_perm(actor, perms, unit: Unit, what: str = "thực hiện việc này") -> None:
    if actor is None:
        return
    policy = policy_for(actor)
    if not any(policy.can(p, unit) for p in perms):
        raise UserFacingError(f"Bạn không có quyền {what} tại {unit.name}.")
