"""The public ledger log in a browser: a donation found, "Xác minh", the log page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_donor_verifies_a_transfer_from_the_lookup(page, live_server, demo):
    page.goto(f"{live_server.url}/cong-khai/")
    page.get_by_label("Tên người ủng hộ hoặc nội dung").fill("adida phat")
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("20.000 đ")
    results.get_by_role("link", name="Xác minh").first.click()
    expect(page).to_have_url(re.compile(r"/cong-khai/so-cai/xac-minh/\d+/"))
    expect(page.get_by_test_id("leaf")).to_contain_text("20.000 đ")
    expect(page.get_by_test_id("leaf-ok")).to_be_visible()
    expect(page.get_by_test_id("inclusion-proof").locator("li").first).to_be_visible()
    page.get_by_role("link", name="Sổ cái công khai").first.click()
    expect(page.get_by_test_id("latest-head")).to_contain_text("lá")
    expect(page.get_by_test_id("public-keys")).to_contain_text("đang dùng")
    page.get_by_label("Cây trước (số lá)").fill("1")
    page.get_by_label("Cây sau (số lá)").fill("3")
    page.get_by_role("button", name="Lấy bằng chứng").click()
    expect(page.get_by_test_id("consistency-proof")).to_contain_text("Từ 1 lá đến 3 lá")
