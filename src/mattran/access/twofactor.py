"""Two-factor authentication (TOTP, django-otp) for approvers and administrators.

Who must use it: superusers and anyone holding a grant that may approve
(the approver and administrator roles). Enforcement is on when the setting
MATTRAN_REQUIRE_2FA is on (default: on in production, off in development so
the demo accounts log in with a password only).
"""

from __future__ import annotations

import io
import math
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mattran.core.audit import audit_record

from .policy import Perm, policy_for

DEVICE_NAME = "Ứng dụng xác thực"


def user_requires_two_factor(user) -> bool:
    """Superusers and holders of an approver or administrator grant."""
    if not getattr(user, "is_authenticated", False):
        return False
    policy = policy_for(user)
    return policy.is_superuser or policy.has_any(Perm.APPROVE)


def user_has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_pending_device(user) -> TOTPDevice:
    """The user's not-yet-confirmed device (created on first use): its secret is
    shown as a QR code until the user proves the app has it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code, made on the server (no network)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=2,
    )
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Drop the XML declaration: the SVG is embedded in an HTML page.
    return svg[svg.index("<svg") :]


def totp_wait_seconds(device: TOTPDevice) -> int:
    """Seconds before django-otp accepts another try (each failure doubles the wait)."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or not details.get("locked_until"):
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    """Confirm a pending device with a code from the app; the session counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if device.confirmed or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One active device per user: enrolling again replaces the old one.
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    audit_record(
        actor=request.user,
        action="user.two_factor_enrol",
        obj=request.user,
        after={"device": device.pk, "name": device.name},
    )
    otp_login(request, device)
    return True


def totp_confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_verify(*, request, token: str) -> bool:
    """Check a code against the user's confirmed device; on success mark the session verified.

    django-otp refuses a code already used and slows down repeated failures
    (each failure doubles the wait)."""
    for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
        if device.verify_token(token.strip()):
            otp_login(request, device)
            return True
    return False
