"""Public figures and rows cached by the ledger's version (core/versions.py).

The public pages show the funds' ledger to everyone alike, so one computed answer
serves every visitor until the ledger changes: a service that books an entry, an
annotation or a transfer bumps the ledger's version when it commits, and the next
lookup computes afresh. A booked donation shows at once. Only computed rows and
figures are cached, never a whole page (each page carries its request's CSP nonce,
and a signed-in visitor's menu and CSRF token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from mattran.core import versions
from mattran.core.db_routers import cache_fill_reads

log = logging.getLogger(__name__)
T = TypeVar("T")

# A bound for writes that reach the ledger without a service (and so without a
# version bump); a service's write changes the key at once.
CACHE_SECONDS = 600


def ledger_cached(kind: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()` cached under the ledger's current version, read before the data
    (what is stored is at least that new); a miss reads a replica only when it has
    replayed every commit of the primary by then (`cache_fill_reads`)."""
    if not versions.enabled():
        return compute()
    try:
        key = versions.cache_key(f"portal:{kind}", parts, versions.read([versions.LEDGER]))
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage costs speed, never the page
        log.warning("public cache unavailable", exc_info=True)
        return compute()
    if found is None:
        with cache_fill_reads():
            found = compute()
        try:
            cache.set(key, found, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("public cache not stored", exc_info=True)
    return found
