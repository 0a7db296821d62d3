"""The door through which the layers below `access` ask who may do what.

Layers point down (core <- units <- access <- ...), yet the unit tree's own pages
and services must answer "may this user see or change this unit?". The answer lives
in access (grants on subtrees, `access.policy.AccessPolicy`); access installs it
here when Django starts (access/apps.py), so units asks core and never imports
access. Everything above access may keep importing `mattran.access.policy`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Perm:
    VIEW = "view"
    EDIT = "edit"  # record activities, enter figures, manage residential areas
    APPROVE = "approve"  # approve, return and reopen period reports
    ADMINISTER = "administer"  # units, member organisations, committees, grants
    REPORT_MEMBER_ORG = "report_member_org"  # record activities of one member org


_installed: dict[str, Callable[..., Any]] = {}


def install(*, policy_for: Callable[[Any], Any], require_any_perm: Callable[..., None]) -> None:
    _installed["policy_for"] = policy_for
    _installed["require_any_perm"] = require_any_perm


def _get(name: str) -> Callable[..., Any]:
    try:
        return _installed[name]
    except KeyError:  # pragma: no cover - a settings mistake, not a user error
        raise RuntimeError("mattran.access is not installed (INSTALLED_APPS)") from None


def policy_for(user):
    """The user's access policy (`access.policy.AccessPolicy`)."""
    return _get("policy_for")(user)


def require_perm(actor, perm: str, unit, what: str = "thực hiện việc này") -> None:
    """Refuse (UserFacingError) unless `actor` may `perm` on `unit`; actor=None is the system."""
    _get("require_any_perm")(actor, (perm,), unit, what)
