"""Phones (390 px), on every main page of the demo: no page scrolls sideways, no control
is off-screen, and every table either becomes cards or scrolls inside its own box with
its first column fixed (tests/browser/phone_measure.js measures each)."""

from pathlib import Path

import pytest

from mattran.demo.loader import DEMO_PASSWORD
from mattran.demo.pages import main_pages

from .conftest import login

pytestmark = pytest.mark.browser

WIDTH = 390

# A function returning the problems of the page as the phone lays it out (comments dropped).
MEASURE = "\n".join(
    line
    for line in (Path(__file__).parent / "phone_measure.js").read_text("utf-8").splitlines()
    if not line.startswith("//")
)


def test_every_main_page_fits_a_390px_phone(browser, live_server, demo):
    pages = main_pages()
    contexts = {}
    problems = []
    tables = 0
    try:
        for name, user, path in pages:
            if user not in contexts:
                context = browser.new_context(
                    locale="vi-VN",
                    viewport={"width": WIDTH, "height": 844},
                    is_mobile=True,
                    has_touch=True,
                )
                if user:
                    page = context.new_page()
                    login(page, live_server.url, user, DEMO_PASSWORD)
                    page.wait_for_load_state()
                    page.close()
                contexts[user] = context
            page = contexts[user].new_page()
            page.set_default_timeout(30_000)
            response = page.goto(live_server.url + path)
            expected = 404 if name == "not-found" else 200
            assert response.status == expected, (name, path, response.status)
            page.wait_for_load_state("load")
            measured = page.evaluate(MEASURE)
            tables += measured["tables"]
            problems += [f"{name} ({path}): {p}" for p in measured["problems"]]
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert len(pages) >= 25
    assert tables >= 30  # the pages' tables were there to measure
    assert not problems, "\n".join(problems)
