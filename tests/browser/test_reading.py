"""Reading an old report in the browser: upload, review, change and reject, confirm."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.demo.loader import DEMO_PASSWORD
from mattran.reading.selectors import history_of
from mattran.units.models import Unit

from .conftest import login

pytestmark = pytest.mark.browser

SEED_003 = Path(__file__).resolve().parents[1] / "reading" / "data" / "seed_003.txt"


def test_admin_reads_seed_003_sees_the_slip_and_confirms_last_years_totals(page, live_server, demo):
    login(page, live_server.url, "quantri", DEMO_PASSWORD)
    page.get_by_role("link", name="Đọc báo cáo cũ").click()
    page.get_by_label("Tệp báo cáo").set_input_files(str(SEED_003))
    page.get_by_label("Đơn vị").fill("Quận Đống Đa")
    page.get_by_label("Kỳ báo cáo").fill("2022-9M")
    page.get_by_role("button", name="Đọc và kiểm tra").click()

    warnings = page.get_by_test_id("warnings")
    expect(warnings).to_contain_text("Tỷ lệ “93.4%” sai: 86/92 = 93,478%, làm tròn là 93,5%")
    expect(warnings).to_contain_text("Hòa giải 86/92 (đạt 93.4%)")
    figures = page.get_by_test_id("figures")
    expect(figures.locator("tbody tr")).to_have_count(18)
    expect(figures).to_contain_text("Vận động Quỹ “Vì biển, đảo Việt Nam”")
    expect(figures).to_contain_text("các đơn vị cấp dưới")

    rows = page.get_by_test_id("proposal")
    count = rows.count()
    assert count == 14  # one per key of the district as a whole (not "cấp Quận", not the wards)
    assert not AuditEvent.objects.filter(action__startswith="reading.").exists()
    rows.nth(0).get_by_label("Bỏ").check()  # the person rejects the first (tuyên truyền)
    rows.nth(2).get_by_role("combobox").select_option("hoi_nghi_dbnd")  # and re-keys the third
    page.get_by_role("button", name="Xác nhận ghi vào lịch sử").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Đã ghi {count - 1} tổng số của Quận Đống Đa cho 9 tháng đầu năm 2022"
    )
    history = history_of(unit=Unit.objects.get(version__code="2023", name="Quận Đống Đa"),
                         period=Period.parse("2022-9M"))  # fmt: skip
    assert len(history) == count - 1
    assert "tuyen_truyen" not in history and "toa_dam" not in history
    assert history["hoi_nghi_dbnd"] == 11 and history["quy_bien_dao_van_dong"] == 2_366_435_000
    assert AuditEvent.objects.filter(action="reading.confirm").count() == 1
