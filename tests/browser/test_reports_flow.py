"""The approval flow end to end in a browser, on the real demo data."""

import re

import pytest
from playwright.sync_api import expect

from mattran.activities.models import ActivityRecord
from mattran.demo.loader import DEMO_PASSWORD
from mattran.units.models import Unit

from .conftest import login

pytestmark = pytest.mark.browser


def _unit(name: str) -> Unit:
    return Unit.objects.get(version__code="2023", name=name)


def _logout(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))


def test_ward_submits_district_returns_ward_fixes_district_approves_then_locked(
    page, live_server, demo
):
    ward, district = _unit("Phường Láng Thượng"), _unit("Quận Đống Đa")
    report_url = f"{live_server.url}/bao-cao/{ward.pk}/2023-9M/"
    status = page.get_by_test_id("submission-status")

    # The ward editor submits the 9-month report.
    login(page, live_server.url, "capnhat.langthuong", DEMO_PASSWORD)
    page.goto(report_url)
    expect(status).to_have_text("Chưa nộp")
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(status).to_have_text("Đã nộp, chờ duyệt")
    _logout(page)

    # The district approver finds it on the completeness page and returns it.
    login(page, live_server.url, "pheduyet.dongda", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/bao-cao/{district.pk}/2023-9M/tinh-hinh-nop/")
    row = page.locator('tr[data-unit="Phường Láng Thượng"]')
    expect(row).to_contain_text("Đã nộp, chờ duyệt")
    row.get_by_role("link", name="Xem và duyệt").click()
    page.get_by_label("Ý kiến khi trả lại").fill("Bổ sung buổi tuyên truyền ngày 20/9")
    page.get_by_role("button", name="Trả lại").click()
    expect(status).to_have_text("Trả lại để sửa")
    _logout(page)

    # The editor reads the comment, records the missing session and resubmits.
    login(page, live_server.url, "capnhat.langthuong", DEMO_PASSWORD)
    page.goto(report_url)
    expect(page.get_by_test_id("submission-comment")).to_contain_text("ngày 20/9")
    before = int(page.get_by_test_id("total-tuyen_truyen").inner_text())
    page.goto(f"{live_server.url}/hoat-dong/don-vi/{ward.pk}/them/")
    page.get_by_label("Loại hoạt động").select_option(label="Tuyên truyền")
    page.get_by_label("Ngày", exact=True).fill("2023-09-20")
    page.get_by_label("Tên hoạt động").fill("Tuyên truyền phòng cháy, chữa cháy nhà cao tầng")
    page.get_by_label("Số người tham dự").fill("85")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi hoạt động")
    page.goto(report_url)
    expect(page.get_by_test_id("total-tuyen_truyen")).to_have_text(str(before + 1))
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(status).to_have_text("Đã nộp, chờ duyệt")
    _logout(page)

    # The approver approves: the data is locked.
    login(page, live_server.url, "pheduyet.dongda", DEMO_PASSWORD)
    page.goto(report_url)
    page.get_by_role("button", name="Duyệt và khóa số liệu").click()
    expect(status).to_have_text("Đã duyệt (khóa số liệu)")
    page.goto(f"{live_server.url}/bao-cao/{district.pk}/2023-9M/")
    expect(page.get_by_test_id("total-tuyen_truyen")).to_have_text("104")
    _logout(page)

    # An edit of a record in the approved period is refused, in Vietnamese.
    login(page, live_server.url, "capnhat.langthuong", DEMO_PASSWORD)
    record = ActivityRecord.objects.filter(unit=ward, date__year=2023).order_by("date").first()
    page.goto(f"{live_server.url}/hoat-dong/{record.pk}/sua/")
    page.get_by_label("Tên hoạt động").fill("Sửa sau khi duyệt")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert")).to_contain_text("đã được phê duyệt và khóa")
    record.refresh_from_db()
    assert record.title != "Sửa sau khi duyệt"


def test_report_page_fits_a_phone(phone, live_server, demo):
    login(phone, live_server.url, "pheduyet.dongda", DEMO_PASSWORD)
    district = _unit("Quận Đống Đa")
    for url in [
        f"/bao-cao/{district.pk}/2023-9M/",
        f"/bao-cao/{district.pk}/2023-9M/tinh-hinh-nop/",
        f"/hoat-dong/don-vi/{district.pk}/",
    ]:
        phone.goto(live_server.url + url)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, overflow)
    phone.goto(f"{live_server.url}/bao-cao/{district.pk}/2023-9M/")
    expect(phone.get_by_test_id("narrative")).to_contain_text("Hòa giải 86/92 (đạt 93,5%)")
