"""TOTP two-factor authentication for superusers, approvers and administrators,
enforced when MATTRAN_REQUIRE_2FA is on (off in the development default)."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mattran.access.models import Role
from mattran.core.models import AuditEvent
from tests.factories import UserFactory, grant


def code_for(secret_text: str, *, later_steps: int = 0) -> str:
    """The code an authenticator app shows for the secret printed on the page."""
    totp = TOTP(b32decode(secret_text.replace(" ", "")), step=30, digits=6)
    totp.time = time.time() + 30 * later_steps
    return f"{totp.token():06d}"


def secret_on(response) -> str:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


@pytest.fixture
def approver(tree):
    user = UserFactory(username="pheduyet")
    grant(user, tree["district_a"], Role.APPROVER)
    return user


@pytest.fixture
def require_2fa(settings):
    settings.MATTRAN_REQUIRE_2FA = True


def test_off_by_default_in_development(client, approver, settings):
    assert settings.MATTRAN_REQUIRE_2FA is False
    client.force_login(approver)
    assert client.get("/don-vi/").status_code == 200


def test_approver_enrols_then_reaches_pages(client, approver, require_2fa):
    client.force_login(approver)
    response = client.get("/don-vi/?q=A")
    assert response.status_code == 302
    assert response["Location"] == "/xac-thuc-hai-buoc/dang-ky/?next=%2Fdon-vi%2F%3Fq%3DA"

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert '<svg width="' in body and "<path" in body  # the QR code, drawn on the server
    secret = secret_on(page)

    wrong = client.post("/xac-thuc-hai-buoc/dang-ky/", {"token": "000000", "next": "/don-vi/"})
    assert wrong.status_code == 200
    assert "Mã không đúng" in wrong.content.decode()
    assert client.get("/don-vi/").status_code == 302
    # Right after a wrong code django-otp asks to wait (1 s, doubling with each failure).
    again = client.post("/xac-thuc-hai-buoc/dang-ky/", {"token": code_for(secret)})
    assert "Hãy đợi 1 giây" in again.content.decode()
    time.sleep(1.1)

    done = client.post(
        "/xac-thuc-hai-buoc/dang-ky/", {"token": code_for(secret), "next": "/don-vi/?q=A"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/don-vi/?q=A"
    assert client.get("/don-vi/").status_code == 200
    device = TOTPDevice.objects.get(user=approver)
    assert device.confirmed
    assert AuditEvent.objects.filter(action="user.two_factor_enrol", actor=approver).count() == 1

    # Next login: the password is not enough, the code is asked for.
    client.logout()
    client.force_login(approver)
    response = client.get("/don-vi/")
    assert response["Location"] == "/xac-thuc-hai-buoc/?next=%2Fdon-vi%2F"
    # The code already used at enrolment is refused (no replay).
    replay = client.post("/xac-thuc-hai-buoc/", {"token": code_for(secret)})
    assert "Mã không đúng, đã dùng hoặc đã hết hạn" in replay.content.decode()
    time.sleep(1.1)  # django-otp's wait after a failure
    ok = client.post(
        "/xac-thuc-hai-buoc/", {"token": code_for(secret, later_steps=1), "next": "/don-vi/"}
    )
    assert ok["Location"] == "/don-vi/"
    assert client.get("/don-vi/").status_code == 200


def test_a_password_alone_cannot_replace_the_device(client, approver, require_2fa):
    TOTPDevice.objects.create(user=approver, name="cũ", confirmed=True)
    client.force_login(approver)
    response = client.get("/xac-thuc-hai-buoc/dang-ky/")
    assert response["Location"] == "/xac-thuc-hai-buoc/"
    assert TOTPDevice.objects.filter(user=approver).count() == 1


def test_open_redirect_is_refused(client, approver, require_2fa):
    client.force_login(approver)
    secret = secret_on(client.get("/xac-thuc-hai-buoc/dang-ky/"))
    response = client.post(
        "/xac-thuc-hai-buoc/dang-ky/",
        {"token": code_for(secret), "next": "https://ke-gian.example/"},
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("role", "superuser", "required"),
    [
        (Role.ADMIN, False, True),
        (Role.APPROVER, False, True),
        (None, True, True),
        (Role.EDITOR, False, False),
        (Role.VIEWER, False, False),
        (Role.MEMBER_ORG_REPORTER, False, False),
    ],
)
def test_who_must_use_two_factor(client, tree, require_2fa, role, superuser, required):
    user = UserFactory(is_superuser=superuser, is_staff=superuser)
    if role == Role.MEMBER_ORG_REPORTER:
        from mattran.units.models import MemberOrganisation

        mo = MemberOrganisation.objects.create(unit=tree["ward_a1"], name="Hội Phụ nữ")
        grant(user, tree["ward_a1"], role, member_organisation=mo)
    elif role:
        grant(user, tree["ward_a1"], role)
    client.force_login(user)
    response = client.get("/don-vi/")
    assert (response.status_code == 302) is required
    if required:
        assert response["Location"].startswith("/xac-thuc-hai-buoc/dang-ky/")
        # The admin site is behind the same gate.
        assert client.get("/quan-tri/")["Location"].startswith("/xac-thuc-hai-buoc/")


def test_htmx_requests_get_a_client_redirect(client, approver, require_2fa, tree):
    client.force_login(approver)
    response = client.get(f"/don-vi/{tree['district_a'].pk}/con/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/xac-thuc-hai-buoc/dang-ky/"


def test_logout_and_health_stay_reachable(client, approver, require_2fa):
    client.force_login(approver)
    assert client.get("/suc-khoe/").status_code == 200
    assert client.post("/dang-xuat/").status_code == 302
