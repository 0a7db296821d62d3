"""Between password and second factor a user reaches nothing that changes the account.

The class test walks every URL pattern of the project: an approver who has typed only
the password (2FA required) is sent to the second factor by GET and by POST, except
on the few pages listed in access.middleware (login, logout, health, verify, enrol),
and the password itself cannot be changed.
"""

import re

import pytest
from django.urls import get_resolver
from django.urls.resolvers import URLResolver

from mattran.access.middleware import EXEMPT_URL_NAMES
from mattran.access.models import Role
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

SAMPLE = {
    "int": "1",
    "id": "1",
    "year": "2023",
    "slug": "a",
    "str": "a",
    "path": "a",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def every_route():
    """(view name, path with sample values) for every route-style URL pattern."""

    def walk(resolver, prefix, namespace):
        for p in resolver.url_patterns:
            route = str(p.pattern)
            if route.startswith("^") or "(?P" in route:
                continue  # regex patterns: Django's admin and static files
            if isinstance(p, URLResolver):
                ns = p.namespace
                yield from walk(
                    p, prefix + route, f"{namespace}:{ns}" if namespace and ns else ns or namespace
                )
            else:
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                path = re.sub(
                    r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "1"), route
                )
                yield name, "/" + prefix + path

    yield from walk(get_resolver(), "", None)


def test_the_exempt_pages_change_nothing_about_the_account():
    assert {
        "login",
        "logout",
        "health",
        "two_factor:verify",
        "two_factor:enrol",
    } == EXEMPT_URL_NAMES


def test_a_password_alone_reaches_only_the_second_factor(client, tree, settings):
    settings.MATTRAN_REQUIRE_2FA = True
    user = UserFactory(username="chi.mat.khau")
    user.set_password("Mật khẩu cũ 2023")
    user.save()
    grant(user, tree["district_a"], Role.APPROVER)
    routes = [
        (n, p) for n, p in every_route() if n not in EXEMPT_URL_NAMES and not p.startswith("/api/")
    ]
    assert len(routes) > 100
    leaked = []
    client.force_login(user)  # (logout is exempt, so the session lasts the loop)
    for name, path in routes:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            location = response.get("Location", "")
            to_second_factor = response.status_code == 302 and location.startswith(
                "/xac-thuc-hai-buoc/"
            )
            if not to_second_factor and response.status_code not in (404, 405):
                leaked.append((method, name, path, response.status_code, location))
    assert leaked == []
    response = client.post(
        "/doi-mat-khau/",
        {
            "old_password": "Mật khẩu cũ 2023",
            "new_password1": "Ke gian 12345 !",
            "new_password2": "Ke gian 12345 !",
        },
    )
    user.refresh_from_db()
    assert user.check_password("Mật khẩu cũ 2023")
