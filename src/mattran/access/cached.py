"""Caches of what a user may see, keyed by their grants and the data's version.

`grants_fingerprint(user)`: two users share a cached entry only when their grants
(unit path, role, member organisation) and their superuser and active flags are
equal, so one user never reads what was computed under another user's access.
`user_data_cached` keeps `compute()` under that fingerprint and the data versions
it read (core/versions.py): a write bumps a version after it commits, so the next
request computes afresh and a new record shows at once.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

from mattran.core import versions
from mattran.core.db_routers import cache_fill_reads

from .policy import policy_for

log = logging.getLogger(__name__)

# A bound for a write that reaches the database without a service (and so without
# a version bump); a service's write changes the key at once.
TTL = 600


def grants_fingerprint(user) -> str:
    """What decides which records a user sees: their grants (unit path, role, member
    organisation) and their superuser and active flags. None is the system (no access
    filter), an anonymous visitor has no grants."""
    if user is None:
        return "system"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    policy = policy_for(user)
    grants = sorted((g.path, str(g.role), g.member_organisation_id or 0) for g in policy.grants)
    text = repr((policy.is_superuser, bool(user.is_active), grants))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage costs speed, never the page
        log.warning("data cache unavailable", exc_info=True)
        return None


def cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, TTL)
    except Exception:  # noqa: BLE001
        log.warning("data cache not stored", exc_info=True)


def user_data_cached(kind: str, parts: tuple, *, user, names: list[str], compute):
    """`compute()` (something built from what `user` may see, e.g. an export's bytes
    or a page's rows) cached under the user's grants fingerprint and the data versions
    of `names`, read before the data; a miss reads a replica only when it is not
    behind (`cache_fill_reads`)."""
    if not versions.enabled():
        return compute()
    key = versions.cache_key(
        kind, parts, grants_fingerprint(user), tuple(names), versions.read(names)
    )
    found = cache_get(key)
    if found is None:
        with cache_fill_reads():
            found = compute()
        cache_set(key, found)
    return found
