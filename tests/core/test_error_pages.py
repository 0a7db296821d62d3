"""404 and 403 pages are Vietnamese, with DEBUG off (production) and on (the demo)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from mattran.access.models import Role
from mattran.core.middleware import VietnameseErrorPagesMiddleware
from tests.factories import UserFactory, grant


@pytest.fixture
def editor(tree):
    user = UserFactory(username="capnhat")
    grant(user, tree["ward_a1"], Role.EDITOR)
    return user


@pytest.mark.parametrize("debug", [False, True])
def test_missing_pages_are_vietnamese(client, db, settings, debug):
    settings.DEBUG = debug
    for url in ("/khong-co-trang-nay/", "/quy/999999/", "/bao-cao/999999/2023/"):
        response = client.get(url, follow=True)
        page = response.content.decode()
        if "/dang-nhap/" in response.redirect_chain[-1][0] if response.redirect_chain else False:
            continue  # a page behind the login: the login page answers first
        assert response.status_code == 404, url
        assert "Không tìm thấy trang" in page, url
        assert "Page not found" not in page and "DEBUG = True" not in page, url


@pytest.mark.parametrize("debug", [False, True])
def test_missing_records_are_vietnamese_for_a_signed_in_user(client, tree, editor, settings, debug):
    settings.DEBUG = debug
    client.force_login(editor)
    outside = tree["ward_a2"].pk  # a sibling ward: not the editor's
    for url in ("/quy/999999/", "/don-vi/999999/", f"/hoat-dong/don-vi/{outside}/nhap-excel/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 404, url
        assert "Không tìm thấy trang" in page and "Page not found" not in page, url


def test_refusals_are_vietnamese(rf: RequestFactory, settings, db):
    from django.contrib.auth.models import AnonymousUser

    settings.DEBUG = True
    request = rf.get("/don-vi/1/")
    request.user = AnonymousUser()
    middleware = VietnameseErrorPagesMiddleware(lambda r: None)
    response = middleware.process_exception(request, PermissionDenied())
    assert response.status_code == 403
    assert "Bạn không có quyền làm việc này" in response.content.decode()
    settings.DEBUG = False
    assert middleware.process_exception(request, PermissionDenied()) is None  # handler403


def test_handler403_is_vietnamese(client, db, settings):
    from mattran import urls

    assert urls.handler403 == "mattran.core.views.error_403"
