"""Issue 11, Show: a new office in a province outside Hà Nội, all in the app (no
Django admin, no shell). The system administrator imports Hà Nam's units (Thành phố
Phủ Lý, Thị xã Duy Tiên) and creates the province office's administrator; the
office administrator creates a ward editor (one-time link) and a district-level
approver (temporary password); the editor records a half-year (a form, the app's
XLSX template filled, a fund receipt and payment, a commendation decision with many
recipients) and submits; the approver approves; the city's report rolls it up."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import UserFactory

from .conftest import login

pytestmark = pytest.mark.browser
DATA = Path(__file__).parents[1] / "units" / "data"
PASSWORD = "Mat-khau-rieng-2025"


def _logout(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def _set_own_password(page, old: str) -> None:
    expect(page).to_have_url(re.compile(r"/doi-mat-khau/"))
    page.get_by_label("Mật khẩu cũ").fill(old)
    page.get_by_label(re.compile(r"^Mật khẩu mới:?$")).fill(PASSWORD)
    page.get_by_label("Xác nhận mật khẩu mới").fill(PASSWORD)
    page.get_by_role("button", name="Lưu").click()


def _create_user(page, url, *, name, username, unit, roles, handover) -> str:
    page.goto(f"{url}/phan-quyen/nguoi-dung/")
    form = page.get_by_test_id("user-create-form")
    form.get_by_label("Họ và tên").fill(name)
    form.get_by_label("Tên đăng nhập").fill(username)
    form.get_by_label("Điện thoại").fill("0912345678")
    form.get_by_label("Đơn vị làm việc (mã hoặc tên)").fill(unit)
    for role in roles:
        form.get_by_label(role, exact=True).check()
    form.get_by_label(handover).check()
    form.get_by_role("button", name="Tạo người dùng").click()
    secret = page.get_by_test_id("first-login-link").or_(page.get_by_test_id("temporary-password"))
    return secret.inner_text()


def test_a_new_office_from_the_unit_list_to_its_first_approved_report(page, live_server):
    url = live_server.url
    # Reference data of the migrations (award types), which an earlier transactional
    # test may have emptied; the superuser of the installation.
    from mattran.emulation import reference

    reference.install()
    UserFactory(username="quantri", is_superuser=True, is_staff=True, password=PASSWORD)

    # The system administrator imports the province's unit list in the app.
    login(page, url, "quantri", PASSWORD)
    page.goto(f"{url}/don-vi/")
    page.get_by_test_id("unit-import").click()
    page.get_by_label("Mã phiên bản địa giới").fill("2025-01")
    page.get_by_label("Tên phiên bản (khi tạo mới)").fill("Địa giới hành chính từ 01/01/2025")
    page.get_by_label("Hiệu lực từ (khi tạo mới)").fill("2025-01-01")
    page.get_by_label("Hiệu lực đến").fill("2025-06-30")
    page.get_by_label(re.compile("Danh mục đơn vị")).set_input_files(
        str(DATA / "ha_nam_2025_01_phu_ly_duy_tien.csv")
    )
    page.get_by_role("button", name="Nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã nhập 32 đơn vị")
    # ...and the province office's administrator, with a temporary password.
    temp = _create_user(
        page, url, name="Quản trị MTTQ tỉnh", username="quantri.hanam", unit="35",
        roles=["Quản trị"], handover="Mật khẩu tạm (phải đổi khi đăng nhập)",
    )  # fmt: skip
    _logout(page)

    # The office administrator sets their own password, then creates the two users.
    login(page, url, "quantri.hanam", temp)
    _set_own_password(page, temp)
    link = _create_user(
        page, url, name="Cán bộ MTTQ phường Lam Hạ", username="capnhat.lamha",
        unit="13303", roles=["Cập nhật"], handover=re.compile("Đường dẫn đăng nhập lần đầu"),
    )  # fmt: skip
    approver_temp = _create_user(
        page, url, name="Ban Thường trực thành phố Phủ Lý", username="pheduyet.phuly",
        unit="Thành phố Phủ Lý", roles=["Phê duyệt"],
        handover="Mật khẩu tạm (phải đổi khi đăng nhập)",
    )  # fmt: skip
    _logout(page)

    # The ward editor opens the one-time link and sets a password.
    page.goto(link)
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Xác nhận mật khẩu mới").fill(PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    expect(page.get_by_test_id("current-user")).to_contain_text("Cán bộ MTTQ phường Lam Hạ")
    from mattran.units.models import Unit

    ward = Unit.objects.get(code="13303")
    city = Unit.objects.get(code="347")

    # A form.
    page.goto(f"{url}/hoat-dong/don-vi/{ward.pk}/them/")
    page.get_by_label("Loại hoạt động").select_option(label="Tuyên truyền")
    page.get_by_label("Ngày", exact=True).fill("2025-03-10")
    page.get_by_label("Tên hoạt động").fill("Tuyên truyền bầu cử đại biểu Quốc hội")
    page.get_by_label("Số người tham dự").fill("120")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi hoạt động")

    # The app's XLSX template for the half-year, filled and uploaded.
    page.goto(f"{url}/hoat-dong/don-vi/{ward.pk}/nhap-excel/?ky=2025-H1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải mẫu Excel").click()
    wb = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    wb["Hoạt động"].append(["05/04/2025", "Tuyên truyền", "Tuyên truyền tổ 1", 60])
    wb["Hoạt động"].append(["06/05/2025", "toa_dam", "Tọa đàm phụ nữ", None])
    filled = io.BytesIO()
    wb.save(filled)
    page.get_by_label(re.compile("Tệp đã điền")).set_input_files(
        {"name": "nhap.xlsx", "mimeType": "application/octet-stream", "buffer": filled.getvalue()}
    )
    page.get_by_role("button", name="Tải lên và ghi").click()
    expect(page.get_by_test_id("bulk-done")).to_contain_text("Đã ghi 2 hoạt động")

    # A fund: a receipt and a payment.
    page.goto(f"{url}/quy/mo-quy/{ward.pk}/")
    page.get_by_label("Tên quỹ").fill("Quỹ Vì người nghèo phường Lam Hạ")
    page.get_by_label("Ngày mở").fill("2025-01-02")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("link", name="Ghi thu").click()
    page.get_by_label("Ngày thu").fill("2025-02-01")
    page.get_by_label("Số tiền (đồng)").fill("5.000.000")
    page.get_by_label("Người nộp / đơn vị ủng hộ").fill("Công ty Thử")
    page.get_by_label("Vào tài khoản").select_option(index=1)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi")
    from mattran.funds.models import Fund

    page.goto(f"{url}/quy/{Fund.objects.get(unit=ward).pk}/chi/")
    page.get_by_label("Ngày chi").fill("2025-02-10")
    page.get_by_label("Số tiền (đồng)").fill("2.000.000")
    page.get_by_label("Mục đích chi").select_option(label="Tặng quà (suất quà)")
    page.get_by_label("Số lượng (suất quà, nhà, …)").fill("4")
    page.get_by_label("Người nhận tiền").fill("Hộ nghèo tổ 3")
    page.get_by_label("Từ tài khoản").select_option(index=1)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi")

    # A commendation decision with many recipients, pasted.
    page.goto(f"{url}/thi-dua/khen-thuong/quyet-dinh/them/{ward.pk}/")
    page.get_by_label("Hình thức khen thưởng").select_option(label="Giấy khen")
    page.get_by_label("Số quyết định").fill("05/QĐ-MTTQ")
    page.get_by_label("Ngày ký").fill("2025-05-20")
    page.get_by_label("Thành tích năm").fill("2024")
    page.get_by_label("Trích yếu").fill("Khen thưởng phong trào năm 2024")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_test_id("add-many").click()
    page.get_by_label(re.compile("Danh sách")).fill(
        "\n".join(f"Hộ gia đình số {i}; Tổ dân phố; Tích cực" for i in range(12))
    )
    page.get_by_role("button", name="Thêm vào quyết định").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã thêm 12 người, tập thể được khen")

    # Submit the half-year.
    page.goto(f"{url}/bao-cao/{ward.pk}/2025-H1/")
    expect(page.get_by_test_id("total-tuyen_truyen")).to_have_text("2")
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(page.get_by_test_id("submission-status")).to_have_text("Đã nộp, chờ duyệt")
    _logout(page)

    # The approver of Thành phố Phủ Lý approves; the city's report rolls it up.
    login(page, url, "pheduyet.phuly", approver_temp)
    _set_own_password(page, approver_temp)
    page.goto(f"{url}/bao-cao/{ward.pk}/2025-H1/")
    page.get_by_role("button", name="Duyệt và khóa số liệu").click()
    expect(page.get_by_test_id("submission-status")).to_have_text("Đã duyệt (khóa số liệu)")
    page.goto(f"{url}/bao-cao/{city.pk}/2025-H1/")
    expect(page.get_by_test_id("total-tuyen_truyen")).to_have_text("2")
    expect(page.get_by_test_id("total-toa_dam")).to_have_text("1")
