"""Daily use on paper and in the browser: printed vouchers, cached public charts."""

import re

import pytest
from playwright.sync_api import expect

from mattran.demo.loader import DEMO_PASSWORD
from mattran.funds.models import LedgerEntry

from .conftest import login

pytestmark = pytest.mark.browser

MM = 96 / 25.4  # CSS pixels per millimetre


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page of a PDF printed by Chromium.

    Chromium writes page dictionaries uncompressed, so the MediaBox entries are readable.
    """
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_voucher_prints_on_one_a5_page_with_five_signatures_in_a_row(page, live_server, demo):
    entry = (
        LedgerEntry.objects.filter(voucher_number__isnull=False, voucher_series="PC")
        .select_related("fund")
        .first()
    )
    login(page, live_server.url, "quantri", DEMO_PASSWORD)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/quy/but-toan/{entry.pk}/phieu/")
    expect(page.get_by_test_id("voucher-code")).to_have_text(entry.voucher_code)
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # The page as the printer lays it out: A5 landscape is 210 x 148 mm, less
    # the 10 mm side and 8 mm top/bottom margins of the @page rule.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(190 * MM), "height": round(132 * MM)})
    boxes = [b.bounding_box() for b in page.get_by_test_id("signature").all()]
    assert len(boxes) == 5
    tops = {round(b["y"]) for b in boxes}
    assert len(tops) == 1, f"signature boxes not on one line: {boxes}"
    lefts = [b["x"] for b in boxes]
    assert lefts == sorted(lefts) and all(b["width"] > 25 * MM for b in boxes), boxes
    assert boxes[-1]["x"] + boxes[-1]["width"] <= 190 * MM + 1
    bottom = page.evaluate("document.querySelector('.sheet').getBoundingClientRect().bottom")
    assert bottom <= (148 - 16) * MM, f"voucher taller than an A5 page: {bottom / MM:.0f} mm"
    title = page.get_by_role("heading", name="PHIẾU CHI").bounding_box()
    centre = (title["x"] + title["width"] / 2) / MM
    assert boxes[0]["y"] > title["y"] and 80 < centre < 110, centre  # centred, above the signatures

    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    pages = _pdf_pages(pdf)
    assert len(pages) == 1, pages
    width, height = pages[0]
    assert abs(width - 595.3) < 2 and abs(height - 419.5) < 2, pages  # A5 landscape in points

    page.goto(f"{live_server.url}/quy/but-toan/{entry.pk}/phieu/?kho=A4")
    pdf = page.pdf(prefer_css_page_size=True)
    assert [(round(w), round(h)) for w, h in _pdf_pages(pdf)] == [(595, 842)]  # A4 portrait


def test_public_fund_chart_draws_from_a_cached_page(page, live_server, demo):
    from mattran.portal import selectors

    fund = next(f for f in selectors.public_funds() if f.entries.exists())
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = f"{live_server.url}/cong-khai/quy/{fund.pk}/"
    for _ in range(2):  # the second answer comes from the page cache
        page.goto(url)
        chart = page.locator("canvas[data-chart=fund-months]")
        expect(chart).to_be_visible()
        page.wait_for_function(
            "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
        )
    assert not errors, errors
