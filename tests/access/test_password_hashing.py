"""A Vietnamese password works whichever Unicode form the keyboard sends."""

import unicodedata

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from tests.factories import UserFactory

PASSPHRASE = "Mặt trận quê tôi 2023"
NFC = unicodedata.normalize("NFC", PASSPHRASE)
NFD = unicodedata.normalize("NFD", PASSPHRASE)

pytestmark = [pytest.mark.django_db, pytest.mark.real_password_hashers]


def test_the_two_forms_really_differ():
    assert NFC != NFD and len(NFD) > len(NFC)


@pytest.mark.parametrize(("set_with", "log_in_with"), [(NFC, NFD), (NFD, NFC), (NFD, NFD)])
def test_either_form_logs_in(client, set_with, log_in_with):
    user = UserFactory(username="canbo.dau")
    user.set_password(set_with)
    user.save()
    response = client.post(
        "/dang-nhap/", {"username": "canbo.dau", "password": log_in_with}, REMOTE_ADDR="10.2.2.2"
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_a_wrong_password_is_still_refused(client):
    user = UserFactory(username="canbo.sai")
    user.set_password(NFC)
    user.save()
    response = client.post(
        "/dang-nhap/",
        {"username": "canbo.sai", "password": NFD.replace("2023", "2024")},
        REMOTE_ADDR="10.2.2.3",
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_spaces_are_part_of_the_password():
    encoded = make_password("mat  khau  dai  lam")
    assert not check_password("mat khau dai lam", encoded)
    assert check_password("mat  khau  dai  lam", encoded)


def test_hashes_made_before_normalisation_still_verify():
    # A hash Django's own hasher made from decomposed input, before this hasher existed.
    legacy = PBKDF2PasswordHasher().encode(NFD, "somesalt12345678")
    assert check_password(NFD, legacy)
    # The new hash of the same password is made from the NFC form.
    assert PBKDF2PasswordHasher().verify(NFC, make_password(NFD))
