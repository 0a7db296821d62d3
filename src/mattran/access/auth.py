"""Login throttling (django-axes) and the client address behind a proxy."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


class WebLoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins made through a web request.

    Logins without a request (the test client's `login()`, a shell) are not
    throttled instead of failing: throttling defends the login page, and those
    callers never reach it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind MATTRAN_TRUSTED_PROXIES
    proxies, the address the outermost trusted proxy saw in X-Forwarded-For."""
    hops = settings.MATTRAN_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_ip(request) -> str:
    """The address django-ratelimit counts public requests by (RATELIMIT_IP_META_KEY):
    the real client behind the trusted proxies, not the proxy, whose address every
    visitor would otherwise share."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a bucket for "no address"


def lockout_response(request, original_response=None, credentials=None):
    """The page shown while a login is locked out (HTTP 429), in Vietnamese."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes},
        status=429,
    )
