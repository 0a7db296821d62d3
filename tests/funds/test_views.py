"""Fund pages: book, entry forms, vouchers (HTML, DOCX), statement upload with progress."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from mattran.access.models import Role
from mattran.funds import services
from mattran.funds.models import LedgerEntry, StatementImport
from tests.factories import UserFactory, grant
from tests.paths import STATEMENTS_DIR

VCB_FILE = STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv"
PASSWORD = "Mat-khau-thu-nghiem-1"


@pytest.fixture
def client_editor(client, editor):
    client.force_login(editor)
    return client


def test_receipt_form_voucher_print_and_docx(client_editor, fund, bank_account):
    url = f"/quy/{fund.pk}/thu/"
    response = client_editor.post(
        url,
        {
            "booked_on": "2023-03-01",
            "amount": "1.005.000",
            "party_name": "Nguyễn Văn An",
            "party_kind": "person",
            "account": bank_account.pk,
            "reference": "",
            "memo": "Ủng hộ",
        },
    )
    entry = LedgerEntry.objects.get()
    assert response.status_code == 302 and response.url == f"/quy/but-toan/{entry.pk}/"
    page = client_editor.get(f"/quy/but-toan/{entry.pk}/phieu/").content.decode()
    assert "PHIẾU THU" in page and "PT-2023-0001" in page
    assert "Một triệu không trăm linh năm nghìn đồng" in page
    assert "1.005.000 đ" in page and "Mẫu số C40-BB" in page
    assert "funds/voucher.css" in page and "<style" not in page
    docx = client_editor.get(f"/quy/but-toan/{entry.pk}/phieu.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "PHIẾU THU" in text and "Một triệu không trăm linh năm nghìn đồng" in text
    assert "Ngày 01 tháng 3 năm 2023" in text


def test_disbursement_form_refuses_overdraft_in_vietnamese(client_editor, fund, bank_account):
    response = client_editor.post(
        f"/quy/{fund.pk}/chi/",
        {
            "booked_on": "2023-03-01",
            "amount": "500000",
            "purpose": "gifts",
            "quantity": "2",
            "account": bank_account.pk,
        },
    )
    assert response.status_code == 200
    assert "Không đủ số dư" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_fund_page_and_404_outside_visible_units(
    client, tree, fund, editor, django_assert_max_num_queries
):
    for i in range(30):
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=1_000 + i,
            booked_on=dt.date(2023, 3, 1),
            party_name=f"Người {i}",
        )
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        response = client.get(f"/quy/{fund.pk}/?ky=2023")
    assert response.status_code == 200
    assert "Sổ quỹ năm 2023" in response.content.decode()
    stranger = UserFactory()
    grant(stranger, tree["district_b"], Role.EDITOR)
    client.force_login(stranger)
    assert client.get(f"/quy/{fund.pk}/").status_code == 404
    entry = LedgerEntry.objects.first()
    assert client.get(f"/quy/but-toan/{entry.pk}/phieu/").status_code == 404


def test_statement_upload_runs_a_job_and_shows_reconciliation(
    client_editor, fund, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    relief = services.fund_create(
        actor=editor,
        unit=fund.unit,
        name="Quỹ cứu trợ Yagi",
        kind="relief",
        opened_on=dt.date(2024, 9, 1),
    )
    account = services.fund_account_create(
        actor=editor,
        fund=relief,
        kind="bank",
        bank_name="Vietcombank",
        account_number="0011001932418",
    )
    upload = SimpleUploadedFile(VCB_FILE.name, VCB_FILE.read_bytes(), content_type="text/csv")
    response = client_editor.post(
        f"/quy/{relief.pk}/nhap-sao-ke/", {"account": account.pk, "layout": "vcb", "file": upload}
    )
    assert response.status_code == 302 and "/quy/cong-viec/" in response.url
    page = client_editor.get(response.url).content.decode()
    assert 'data-testid="progress-bar"' in page and "Hoàn thành" in page
    assert '<span data-testid="reconciled-count">8</span>' in page
    imp = StatementImport.objects.get()
    assert imp.rows_read == 8008
    partial = client_editor.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="job-') and "hx-get" not in partial.split(">")[0]
    assert client_editor.get(f"/quy/{relief.pk}/hang-cho/").status_code == 200


def test_transfer_confirm_page(client, tree, fund, editor, approver):
    city = services.fund_create(
        actor=None, unit=tree["city"], name="Quỹ TP", kind="poor", opened_on=dt.date(2023, 1, 1)
    )
    services.receipt_create(actor=editor, fund=fund, amount=5_000, booked_on=dt.date(2023, 2, 1))
    t = services.transfer_send(
        actor=editor,
        from_fund=fund,
        to_fund=city,
        amount=5_000,
        sent_on=dt.date(2023, 2, 2),
        purpose_text="Ủng hộ",
    )
    client.force_login(approver)
    page = client.get("/quy/dieu-chuyen/").content.decode()
    assert "Xác nhận đã nhận" in page
    client.post(f"/quy/dieu-chuyen/{t.pk}/xac-nhan/", {"received_on": "2023-02-03"})
    t.refresh_from_db()
    assert t.status == "confirmed"


def test_work_list_search_identify_and_confirmed_bulk(client_editor, editor, tree, tmp_path):
    from mattran.funds import importing
    from mattran.funds.models import LedgerAnnotation

    relief = services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ cứu trợ",
        kind="relief",
        opened_on=dt.date(2024, 9, 1),
    )
    account = services.fund_account_create(
        actor=editor, fund=relief, kind="bank", bank_name="VCB", account_number="123456789"
    )
    path = tmp_path / "s.csv"
    path.write_text(
        "TNXDate,DocNo,Debit,Credit,Balance,Transactions in Detail\n"
        "01/09/2024,1,,200.000,,Tap hoa Minh Chau ung ho dong bao\n"
        "01/09/2024,2,,300.000,,minh xin gui it tam long\n"
        "01/09/2024,3,,400.000,,ung ho mien Bac\n",
        encoding="utf-8",
    )
    importing.statement_import_run(
        actor=editor, account=account, path=path, file_name="s.csv", layout_code="vcb"
    )
    url = f"/quy/{relief.pk}/hang-cho/"
    page = client_editor.get(url).content.decode()
    assert "Khoản thu chưa xác định người ủng hộ (3)" in page
    assert '<option value="Tap Hoa Minh Chau">' in page  # a suggestion from the memo
    found = client_editor.get(url, {"q": "tâm lòng"}).content.decode()
    assert "Khoản thu chưa xác định người ủng hộ (1)" in found and "300.000" in found
    entries = {e.amount: e for e in LedgerEntry.objects.filter(fund=relief)}
    client_editor.post(
        url,
        {
            "action": "identify",
            "entry": entries[200_000].pk,
            "donor_name": "Tạp hoá Minh Châu",
            "donor_kind": "organisation",
        },
    )
    assert LedgerAnnotation.objects.get().donor_name == "Tạp hoá Minh Châu"
    chosen = {"entry": [entries[300_000].pk, entries[400_000].pk], "donor_name": "Nhóm bạn A"}
    preview = client_editor.post(url, {**chosen, "action": "bulk_preview", "donor_kind": "person"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "cho 2 khoản thu?" in text and "700.000" in text
    assert LedgerAnnotation.objects.count() == 1  # nothing written before the confirmation
    client_editor.post(
        url, {**chosen, "action": "bulk_confirm", "confirmed": "1", "donor_kind": "person"}
    )
    assert LedgerAnnotation.objects.filter(donor_name="Nhóm bạn A").count() == 2
    assert "(0)" in client_editor.get(url).content.decode()
    assert LedgerEntry.objects.filter(fund=relief, party_name="").count() == 3  # unchanged


def test_ledger_opens_on_the_latest_year_with_bookings_and_takes_typed_periods(
    client_editor, fund, bank_account
):
    client_editor.post(
        f"/quy/{fund.pk}/thu/",
        {
            "booked_on": "2023-03-01",
            "amount": "250000",
            "party_name": "Trần Thị Bình",
            "party_kind": "person",
            "account": bank_account.pk,
            "memo": "Ủng hộ",
        },
    )
    page = client_editor.get(f"/quy/{fund.pk}/").content.decode()
    assert "Sổ quỹ năm 2023" in page and "250.000 đ" in page
    page = client_editor.get(f"/quy/{fund.pk}/", {"ky": "quý 1/2023"}).content.decode()
    assert "Sổ quỹ quý I năm 2023" in page and "250.000 đ" in page
    picked = {"loai": "month", "thang": "4", "nam": "2023"}
    page = client_editor.get(f"/quy/{fund.pk}/", picked).content.decode()
    assert (
        "Sổ quỹ tháng 4 năm 2023" in page
        and 'Thu trong kỳ</dt><dd class="col-6 col-md-2">0 đ' in page
    )
    page = client_editor.get(f"/quy/{fund.pk}/", {"ky": "quý 7/2023"}, follow=True)
    assert "Kỳ báo cáo &#x27;quý 7/2023&#x27; không hợp lệ" in page.content.decode()
