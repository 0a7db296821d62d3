"""The checks the reports app applies to activity writes: a period locked by an
approved report, and the validation rules (resolved ≤ received, …).

Imports point down (activities <- figures <- reports), so activities cannot import
reports; reports installs its implementations here when Django starts
(reports/apps.py) and activities' services and importers call these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_installed: dict[str, Callable[..., Any]] = {}


def install(**implementations: Callable[..., Any]) -> None:
    _installed.update(implementations)


def _call(name: str, **kwargs):
    try:
        implementation = _installed[name]
    except KeyError:  # pragma: no cover - a settings mistake, not a user error
        raise RuntimeError("mattran.reports is not installed (INSTALLED_APPS)") from None
    return implementation(**kwargs)


def ensure_unlocked(*, unit, start, end=None) -> None:
    """UserFacingError if an approved report locks the unit's data for these days."""
    _call("ensure_unlocked", unit=unit, start=start, end=end)


def ensure_unlocked_days(*, unit, days) -> None:
    """`ensure_unlocked` for many days of one unit (a bulk upload), in one query."""
    _call("ensure_unlocked_days", unit=unit, days=days)


def approved_over(*, unit, start, end) -> list:
    """The approved submissions over [start, end] whose reports show the unit's records."""
    return _call("approved_over", unit=unit, start=start, end=end)


def lock_message(submission, *, unit=None) -> str:
    return _call("lock_message", submission=submission, unit=unit)


def rules_active() -> list:
    return _call("rules_active")


def activity_errors(**kwargs) -> dict[str, list[str]]:
    return _call("activity_errors", **kwargs)


def aggregate_errors(**kwargs) -> dict[str, list[str]]:
    return _call("aggregate_errors", **kwargs)
