"""The public lookup shares the portal's per-IP budget (django-ratelimit, group "portal")."""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from rest_framework.throttling import BaseThrottle


def _rate(group, request) -> str:
    return settings.MATTRAN_PUBLIC_RATE


class PortalRateThrottle(BaseThrottle):
    """Requests to the public API and the public pages count against one limit per client IP."""

    def allow_request(self, request, view) -> bool:
        return not is_ratelimited(
            request._request, group="portal", key="ip", rate=_rate, increment=True
        )
