"""Only what you may do: no link a demo user sees answers 403 or 404 for that user.

The crawl starts at the home page as each demo role and follows the links and
htmx GETs of every page it opens (a few URLs per route, so it covers every
kind of page without opening each of the 3,000 units); each link found is
fetched and must not answer 403/404. POST forms are not submitted.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from mattran.demo.loader import DEMO_USERS

LINK = re.compile(r'(?:href|hx-get)="([^"#][^"]*)"')
SKIP_PREFIXES = ("/static/", "/dang-xuat/", "/quan-tri/", "/api/", "/media/")
PER_ROUTE = 2  # URLs opened per route and role
PAGES_PER_ROLE = 120


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _links(html: str) -> list[str]:
    found = []
    for raw in LINK.findall(html):
        url = urldefrag(unescape(raw))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        found.append(url)
    return found


@pytest.fixture
def demo_data(demo_module, db):
    """load_demo's data, built once per run (tests/conftest.py)."""


def test_demo_voucher_numbers_follow_the_dates(demo_data):
    from mattran.funds.models import LedgerEntry

    books = {}
    rows = LedgerEntry.objects.filter(voucher_number__isnull=False).order_by("voucher_number")
    for e in rows.values("fund", "voucher_series", "voucher_year", "voucher_number", "booked_on"):
        books.setdefault((e["fund"], e["voucher_series"], e["voucher_year"]), []).append(e)
    assert len(books) > 10
    for key, entries in books.items():
        days = [e["booked_on"] for e in entries]
        assert days == sorted(days), (key, [(e["voucher_number"], e["booked_on"]) for e in entries])


def test_no_link_answers_403_or_404_for_the_demo_user_who_sees_it(client, demo_data, settings):
    from django.contrib.auth import get_user_model

    settings.MATTRAN_REQUIRE_2FA = False  # the second factor is tested on its own
    users = get_user_model().objects
    dead: list[str] = []
    opened_total = 0
    for username, *_ in DEMO_USERS:
        client.force_login(users.get(username=username))
        status: dict[str, int] = {}
        per_route: Counter[str] = Counter()
        queue = deque([("/", "(trang đầu)")])
        opened = 0
        while queue and opened < PAGES_PER_ROLE:
            url, found_on = queue.popleft()
            if url in status:
                continue
            route = _route(urlsplit(url).path) or url
            if per_route[route] >= PER_ROUTE:
                continue
            per_route[route] += 1
            response = client.get(url, follow=True)
            status[url] = response.status_code
            opened += 1
            if response.status_code in (403, 404):
                code = response.status_code
                dead.append(f"{username}: {url} → {code} (liên kết trên {found_on})")
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            page_url = response.redirect_chain[-1][0] if response.redirect_chain else url
            for link in _links(response.content.decode()):
                if link not in status:
                    queue.append((link, page_url))
        opened_total += opened
        assert opened >= 25, f"{username}: the crawl opened only {opened} pages"
        client.logout()
    assert not dead, "\n".join(dead)
    assert opened_total >= 150
