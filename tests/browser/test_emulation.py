"""Self-score → verify (one change, with a reason) → lock → ranking; the news on the portal."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mattran.demo.loader import DEMO_PASSWORD
from mattran.emulation import services
from mattran.emulation.models import CriterionKind, Rating
from mattran.units.models import Unit

from .conftest import login

pytestmark = pytest.mark.browser


def _ward(name: str) -> Unit:
    return Unit.objects.get(version__code="2023", parent__name="Quận Thanh Xuân", name=name)


@pytest.fixture
def pledge_2024(demo, settings, tmp_path):
    """A 2024 pledge of two Thanh Xuân wards; Nhân Chính is already scored and verified."""
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path / "media"
    users = get_user_model().objects.in_bulk(
        ["bientap.thanhxuan", "pheduyet.thanhxuan", "capnhat.nhanchinh"], field_name="username"
    )
    editor, approver = users["bientap.thanhxuan"], users["pheduyet.thanhxuan"]
    district = Unit.objects.get(version__code="2023", name="Quận Thanh Xuân", level=2)
    phuong_liet, nhan_chinh = _ward("Phường Phương Liệt"), _ward("Phường Nhân Chính")
    pledge = services.pledge_create(
        actor=editor,
        unit=district,
        year=2024,
        title="Giao ước thi đua năm 2024 (thử nghiệm)",
        members=[phuong_liet, nhan_chinh],
    )
    plan = services.criterion_create(
        actor=editor,
        pledge=pledge,
        data=services.CriterionInput(
            code="CT1",
            short_name="Kế hoạch giám sát",
            text="Xây dựng kế hoạch giám sát, phản biện xã hội năm 2024",
            kind=CriterionKind.REQUIREMENT,
            points=Decimal(60),
        ),
    )
    rating = services.criterion_create(
        actor=editor,
        pledge=pledge,
        data=services.CriterionInput(
            code="CT2",
            short_name="Xếp loại",
            text="Hoàn thành tốt và hoàn thành xuất sắc nhiệm vụ",
            kind=CriterionKind.RATING,
            points=Decimal(40),
            points_good=Decimal(32),
            points_done=Decimal(20),
        ),
    )
    services.pledge_activate(actor=editor, pledge=pledge, signed_on=dt.date(2024, 1, 12))
    for unit, value in ((phuong_liet, Rating.GOOD), (nhan_chinh, Rating.GOOD)):
        services.unit_rating_set(actor=approver, unit=unit, year=2024, rating=value)
    services.evidence_add(
        actor=users["capnhat.nhanchinh"], criterion=plan, unit=nhan_chinh, note="Kế hoạch số 3"
    )
    sheet = services.score_sheet_ensure(actor=editor, pledge=pledge, unit=nhan_chinh)
    services.sheet_self_score(
        actor=editor,
        sheet=sheet,
        entries=[
            services.SelfScore(criterion_id=plan.pk, points=Decimal(60)),
            services.SelfScore(criterion_id=rating.pk, points=Decimal(32)),
        ],
    )
    services.sheet_submit(actor=editor, sheet=sheet)
    services.sheet_verify(
        actor=approver,
        sheet=sheet,
        entries=[
            services.Verification(criterion_id=plan.pk, points=Decimal(60)),
            services.Verification(criterion_id=rating.pk, points=Decimal(32)),
        ],
    )
    return pledge, phuong_liet


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))


def test_self_score_verify_lock_and_ranking(page, live_server, pledge_2024, tmp_path):
    pledge, ward = pledge_2024
    sheet_url = f"{live_server.url}/thi-dua/giao-uoc/{pledge.pk}/cham-diem/{ward.pk}/"
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The ward's editor gives evidence and scores the ward (claiming full CT2 points).
    login(page, live_server.url, "capnhat.phuongliet", DEMO_PASSWORD)
    page.goto(sheet_url)
    expect(page.get_by_test_id("sheet-title")).to_contain_text("Phường Phương Liệt")
    expect(page.get_by_label("Điểm thẩm định CT2")).to_have_count(0)
    ct1 = page.get_by_test_id("criterion-CT1")
    ct1.get_by_text("Nộp minh chứng", exact=True).click()
    plan = tmp_path / "ke-hoach-giam-sat-2024.pdf"
    plan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    ct1.get_by_label("Tệp minh chứng CT1").set_input_files(str(plan))
    ct1.get_by_role("button", name="Nộp minh chứng CT1").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã nộp minh chứng cho tiêu chí CT1")
    expect(page.get_by_test_id("criterion-CT1")).to_contain_text("ke-hoach-giam-sat-2024.pdf")
    page.get_by_label("Điểm tự chấm CT1").fill("60")
    page.get_by_label("Điểm tự chấm CT2").fill("40")
    page.get_by_label("Giải trình CT2").fill("Phường tự đánh giá hoàn thành xuất sắc")
    page.get_by_role("button", name="Gửi thẩm định").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Đã gửi, chờ thẩm định")
    expect(page.get_by_test_id("self-CT2")).to_contain_text("40")
    _logout(page)

    # 2. The district's approver verifies, changing CT2 with a reason (refused without one).
    login(page, live_server.url, "pheduyet.thanhxuan", DEMO_PASSWORD)
    page.goto(sheet_url)
    page.get_by_label("Điểm thẩm định CT2").fill("32")
    page.get_by_role("button", name="Xác nhận kết quả thẩm định").click()
    expect(page.get_by_role("alert")).to_contain_text("CT2: điểm thẩm định khác điểm tự chấm")
    page.get_by_label("Điểm thẩm định CT2").fill("32")
    page.get_by_label("Lý do điều chỉnh CT2").fill("Quận xếp loại phường Hoàn thành tốt nhiệm vụ")
    page.get_by_role("button", name="Xác nhận kết quả thẩm định").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Đã thẩm định")

    # 3. Lock and rank.
    page.goto(f"{live_server.url}/thi-dua/giao-uoc/{pledge.pk}/xep-hang/")
    expect(page.get_by_test_id("ranking-state")).to_have_text("Xếp hạng tạm thời")
    page.get_by_role("button", name="Khóa kết quả và công bố xếp hạng").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã khóa kết quả và xếp hạng")
    expect(page.get_by_test_id("ranking-state")).to_contain_text("Kết quả chính thức")
    # 60 + 32 = 92 for both wards: a tie, shared rank, explained under the table
    rows = page.get_by_test_id("ranking").locator("tbody tr")
    for i, name in enumerate(["Phường Nhân Chính", "Phường Phương Liệt"]):
        expect(rows.nth(i)).to_contain_text(name)
        expect(rows.nth(i).get_by_test_id("rank")).to_have_text("1 đồng hạng")
        expect(rows.nth(i).get_by_test_id("total")).to_have_text("92")
    expect(page.get_by_test_id("tie-note")).to_contain_text("Bảng này có đơn vị đồng hạng")
    expect(page.get_by_role("button", name="Khóa kết quả và công bố xếp hạng")).to_have_count(0)

    # 4. The locked sheet shows the change and its reason, and no longer takes scores.
    page.goto(sheet_url)
    expect(page.get_by_test_id("verified-CT2")).to_contain_text("đã điều chỉnh")
    expect(page.get_by_test_id("criterion-CT2")).to_contain_text("Quận xếp loại phường")
    expect(page.get_by_label("Điểm thẩm định CT2")).to_have_count(0)


def test_demo_progress_page_and_public_news(page, live_server, demo):
    from mattran.emulation.models import Pledge

    pledge = Pledge.objects.get(year=2023, unit__name="Quận Thanh Xuân")
    login(page, live_server.url, "xem.thanhxuan", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/thi-dua/giao-uoc/{pledge.pk}/tien-do/")
    table = page.get_by_test_id("progress-table")
    expect(table.locator("tbody tr")).to_have_count(11)
    expect(page.get_by_test_id("met-CT3")).to_have_text("8/11")
    # one Chart.js chart per criterion, drawn
    expect(page.locator("canvas")).to_have_count(6)
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 6")
    _logout(page)

    page.goto(f"{live_server.url}/tin-tuc/")
    page.get_by_role(
        "link", name=re.compile("Ủy ban MTTQ Việt Nam quận Thanh Xuân tổ chức")
    ).click()
    expect(page.get_by_test_id("article-title")).to_contain_text("Hội nghị phát động thi đua")
    expect(page.get_by_test_id("article")).to_contain_text("nhấn mạnh 09 nhiệm vụ trọng tâm")
    response = page.request.get(f"{live_server.url}/tin-tuc/rss/")
    assert response.ok and "<rss" in response.text()
