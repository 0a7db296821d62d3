"""Rate limits of the API.

The public lookup shares the portal's per-IP budget (django-ratelimit, group
"portal"). Authenticated calls have a budget per user (all of a user's tokens
together), settings.MATTRAN_API_RATE, e.g. "600/minute"; empty turns it off.
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def _rate(group, request) -> str:
    return settings.MATTRAN_PUBLIC_RATE


class PortalRateThrottle(BaseThrottle):
    """Requests to the public API and the public pages count against one limit per client IP."""

    def allow_request(self, request, view) -> bool:
        return not is_ratelimited(
            request._request, group="portal", key="ip", rate=_rate, increment=True
        )


class TokenRateThrottle(SimpleRateThrottle):
    """Per-user budget for token-authenticated calls (the default for every API view)."""

    scope = "api"

    def get_rate(self) -> str | None:
        return getattr(settings, "MATTRAN_API_RATE", "") or None

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()  # read per request: settings can change at run time
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous calls are refused (401) or counted by the portal's limit
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def _log_rate(group, request) -> str:
    return settings.MATTRAN_LEDGER_LOG_RATE


class LedgerLogRateThrottle(BaseThrottle):
    """The public ledger log's endpoints: their own per-IP budget (a verifier reads every leaf)."""

    def allow_request(self, request, view) -> bool:
        return not is_ratelimited(
            request._request, group="ledgerlog", key="ip", rate=_log_rate, increment=True
        )
