import re

import pytest
from playwright.sync_api import expect

from mattran.demo.loader import DEMO_PASSWORD
from mattran.units.models import Unit

from .conftest import login

pytestmark = pytest.mark.browser


def _unit(name: str) -> Unit:
    return Unit.objects.get(version__code="2023", name=name)


def test_ward_editor_sees_own_ward_not_a_sibling_and_logs_out(page, live_server, demo):
    login(page, live_server.url, "capnhat.langthuong", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Việc cần làm")).to_be_visible()  # the home page
    page.get_by_role("link", name="Đơn vị", exact=True).click()
    tree = page.get_by_test_id("unit-tree")
    expect(tree.get_by_role("link", name="Phường Láng Thượng")).to_be_visible()
    expect(tree).not_to_contain_text("Phường Thổ Quan")

    tree.get_by_role("link", name="Phường Láng Thượng").click()
    expect(page.get_by_test_id("unit-name")).to_have_text("Phường Láng Thượng")
    expect(page.get_by_test_id("unit-code")).to_have_text("00187")
    expect(page.get_by_test_id("lineage")).to_contain_text("Phường Láng")

    response = page.goto(f"{live_server.url}/don-vi/{_unit('Phường Thổ Quan').pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()

    page.goto(f"{live_server.url}/don-vi/")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))
    page.goto(f"{live_server.url}/don-vi/{_unit('Phường Láng Thượng').pk}/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next="))


def test_district_viewer_expands_the_tree_and_sees_the_committee(page, live_server, demo):
    login(page, live_server.url, "xem.thanhxuan", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/don-vi/")
    tree = page.get_by_test_id("unit-tree")
    tree.get_by_role("button", name="Mở đơn vị con của Quận Thanh Xuân").click()
    expect(tree.get_by_role("link")).to_have_count(12)  # the district and its 11 wards
    tree.get_by_role("link", name="Quận Thanh Xuân").click()
    expect(page.get_by_test_id("committee")).to_contain_text("Khổng Minh Thảo")
    expect(page.get_by_test_id("committee")).to_contain_text("Chủ tịch")
    expect(page.get_by_test_id("member-organisations").locator("tbody tr")).to_have_count(16)
    expect(page.get_by_test_id("member-organisations")).to_contain_text("Hồ Anh Tuấn")


def test_pages_fit_a_phone_screen(phone, live_server, demo):
    login(phone, live_server.url, "pheduyet.dongda", DEMO_PASSWORD)
    toggler = phone.get_by_role("button", name="Mở trình đơn")
    expect(toggler).to_be_visible()
    for url in [
        "/don-vi/",
        f"/don-vi/{_unit('Quận Đống Đa').pk}/",
        f"/don-vi/{_unit('Quận Đống Đa').pk}/nhat-ky/",
    ]:
        phone.goto(live_server.url + url)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, overflow)
    toggler.click()
    expect(phone.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_wrong_password_shows_a_vietnamese_message(page, live_server, demo):
    login(page, live_server.url, "capnhat.langthuong", "sai-mat-khau")
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
