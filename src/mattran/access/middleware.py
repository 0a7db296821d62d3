"""Send users who must use two-factor authentication to enrol or verify first."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from .twofactor import user_has_totp, user_requires_two_factor

# Views a user may reach between password and second factor: none of them changes
# the account (a password alone must not replace the password or the device).
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "health",
        "two_factor:verify",
        "two_factor:enrol",
    }
)


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: when MATTRAN_REQUIRE_2FA is on, an
    approver or administrator whose session is not verified reaches nothing but
    the enrolment or verification page (and logout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MATTRAN_REQUIRE_2FA:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_URL_NAMES:
            return None
        if not user_requires_two_factor(user):
            return None
        name = "two_factor:verify" if user_has_totp(user) else "two_factor:enrol"
        target = reverse(name)
        if request.method == "GET" and not request.htmx:
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)


MUST_CHANGE_SESSION_KEY = "mattran_must_change_password"
# A temporary password may be replaced; by then TwoFactorMiddleware (before this one)
# has asked for the second factor where it is required.
PASSWORD_CHANGE_URL_NAMES = EXEMPT_URL_NAMES | {"password_change", "password_change_done"}


def flag_temporary_password(sender, request, user, **kwargs) -> None:
    """On sign-in (user_logged_in): note in the session that the password is a
    temporary one, so the middleware below costs no query on other requests."""
    from .models import Account

    if Account.objects.filter(user=user, must_change_password=True).exists():
        request.session[MUST_CHANGE_SESSION_KEY] = True


class PasswordChangeRequiredMiddleware:
    """A user signed in with a temporary password reaches nothing but the
    password change page (and logout) until they set their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.session.get(MUST_CHANGE_SESSION_KEY) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PASSWORD_CHANGE_URL_NAMES:
            return None
        target = reverse("password_change")
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
