"""Login throttling (django-axes), password rules in Vietnamese, session and CSRF settings."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

PASSWORD = "Mat-khau-thu-nghiem-1"


def _login(client, username, password, ip="10.1.1.1"):
    return client.post("/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_from_that_address(client):
    UserFactory(username="canbo")
    UserFactory(username="dongnghiep")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "canbo", "sai-mat-khau")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    response = _login(client, "canbo", "sai-mat-khau")
    assert response.status_code == 429
    # Locked: even the right password is refused now, with a Vietnamese message.
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tạm khoá đăng nhập" in body
    assert "nhập sai mật khẩu 5 lần" in body
    assert "15 phút" in body
    assert "_auth_user_id" not in client.session

    # A colleague behind the same office router, and the same user from another
    # address, can still log in.
    assert _login(client, "dongnghiep", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "canbo", PASSWORD, ip="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client):
    UserFactory(username="canbo")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "canbo", "sai")
    assert _login(client, "canbo", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "canbo", "sai").status_code == 200
    assert _login(client, "canbo", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_client_ip_behind_trusted_proxies(client, settings):
    from mattran.access.auth import client_ip

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.5"}

    settings.MATTRAN_TRUSTED_PROXIES = 0
    assert client_ip(Request) == "127.0.0.1"
    settings.MATTRAN_TRUSTED_PROXIES = 1
    assert client_ip(Request) == "10.0.0.5"
    settings.MATTRAN_TRUSTED_PROXIES = 2
    assert client_ip(Request) == "1.2.3.4"


@pytest.mark.django_db
def test_test_client_login_without_request_still_works(client):
    UserFactory(username="canbo")
    assert client.login(username="canbo", password=PASSWORD)


def _messages(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("ngan@1", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
        ("84912345678", "Mật khẩu không được chỉ gồm chữ số."),
        ("matkhau123456", "Mật khẩu quá phổ biến"),
        ("MậtKhẩu@2024!", "Mật khẩu quá phổ biến"),
        ("MatTran@2023", "Mật khẩu quá phổ biến"),
        ("Anhyeuem!!99", "Mật khẩu quá phổ biến"),
        ("password1234", "Mật khẩu quá phổ biến"),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(password, expected):
    assert any(m.startswith(expected) for m in _messages(password)), _messages(password)


@pytest.mark.django_db
def test_password_like_the_name_is_refused():
    user = UserFactory.build(username="nguyenvanbinh", first_name="Bình", last_name="Nguyễn Văn")
    assert "Mật khẩu quá giống tên đăng nhập, họ tên hoặc thư điện tử của bạn." in _messages(
        "Binh@Nguyen-2024", user
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["Mặt trận quê hương tôi", "cây-đa-đầu-làng-1987", "x7#Kq9!mPz2w"],
)
def test_good_passwords_pass_and_length_counts_characters(password):
    assert _messages(password) == []


@pytest.mark.django_db
def test_ten_characters_with_diacritics_are_ten_characters():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Quê hương9")  # 10 characters, 12 code points
    assert len(decomposed) > 10
    assert _messages(decomposed) == []
    assert any("ngắn" in m for m in _messages(unicodedata.normalize("NFD", "Quê hươn9")))


@pytest.mark.django_db
def test_password_change_page_shows_the_vietnamese_rule(client):
    user = UserFactory(username="canbo")
    client.force_login(user)
    response = client.post(
        "/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "matkhau2024", "new_password2": "matkhau2024"},
    )
    assert response.status_code == 200
    assert "Mật khẩu quá phổ biến" in response.content.decode()


def test_session_and_csrf_cookie_settings():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.X_FRAME_OPTIONS == "DENY"


@pytest.mark.django_db
def test_a_form_without_csrf_token_is_refused_in_vietnamese():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Không gửi được biểu mẫu" in response.content.decode()
