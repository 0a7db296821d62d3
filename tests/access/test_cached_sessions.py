"""Sessions read from Redis (settings: cached_db when the default cache is Redis):
a signed-in page costs no session query, and signing out ends the session for every
process, since the cache and the database are both cleared."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.deploy.helpers import TEST_REDIS_URL
from tests.factories import UserFactory

PASSWORD = "Mat-khau-thu-nghiem-1"


@pytest.fixture
def cached_sessions(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": "test-sessions",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.django_db
def test_a_signed_in_page_reads_the_session_from_redis_and_sign_out_ends_it(cached_sessions):
    UserFactory(username="canbo")
    browser = Client()
    signed_in = browser.post("/dang-nhap/", {"username": "canbo", "password": PASSWORD})
    assert signed_in.status_code == 302
    stolen = Client()  # another process, the same session cookie
    stolen.cookies = browser.cookies
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/doi-mat-khau/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]

    caches["default"].clear()  # Redis flushed: the database still has the session
    assert browser.get("/doi-mat-khau/").status_code == 200

    browser.post("/dang-xuat/")
    response = stolen.get("/doi-mat-khau/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
