"""Money forms: one amount parser, dates near today and after opening, one booking per
submitted page (one-time form token), "Mở quỹ" on the unit page with a public choice."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from mattran.core.errors import UserFacingError
from mattran.core.form_tokens import DuplicateSubmission, new_form_token
from mattran.core.models import FormToken
from mattran.funds import services
from mattran.funds.models import Fund, LedgerEntry


@pytest.fixture
def client_editor(client, editor):
    client.force_login(editor)
    return client


def _token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def _receipt(bank_account, token, **kw):
    return {
        "booked_on": "2023-03-01",
        "amount": "1.005.000",
        "party_name": "Nguyễn Văn An",
        "party_kind": "person",
        "account": bank_account.pk,
        "form_token": token,
        **kw,
    }


def test_a_double_submitted_receipt_books_once(client_editor, fund, bank_account):
    url = f"/quy/{fund.pk}/thu/"
    token = _token(client_editor.get(url).content.decode())
    first = client_editor.post(url, _receipt(bank_account, token))
    entry = LedgerEntry.objects.get()
    assert first.status_code == 302 and first.url == f"/quy/but-toan/{entry.pk}/"
    second = client_editor.post(url, _receipt(bank_account, token), follow=True)
    assert LedgerEntry.objects.count() == 1
    assert "đã ghi một lần" in second.content.decode()
    assert second.redirect_chain[-1][0] == f"/quy/but-toan/{entry.pk}/"
    assert FormToken.objects.get(token=token).object_id == str(entry.pk)
    # a fresh page has a fresh token: a second, intended receipt books
    other = _token(client_editor.get(url).content.decode())
    assert other != token
    client_editor.post(url, _receipt(bank_account, other))
    assert LedgerEntry.objects.count() == 2


def test_a_page_shown_again_with_errors_keeps_its_unused_token(client_editor, fund, bank_account):
    url = f"/quy/{fund.pk}/thu/"
    token = _token(client_editor.get(url).content.decode())
    page = client_editor.post(url, _receipt(bank_account, token, amount="1,5")).content.decode()
    assert "không rõ nghĩa" not in page and "có phần thập phân" in page
    assert _token(page) == token and not FormToken.objects.exists()
    assert client_editor.post(url, _receipt(bank_account, token)).status_code == 302
    assert LedgerEntry.objects.count() == 1


def test_service_books_once_per_token_and_rolls_the_token_back_on_error(editor, fund):
    token = new_form_token()
    args = dict(actor=editor, fund=fund, amount=500_000, party_name="A", form_token=token)
    with pytest.raises(UserFacingError, match="trước ngày mở"):
        services.receipt_create(**args, booked_on=dt.date(2022, 12, 31))
    assert not FormToken.objects.exists()  # rolled back with the refused write
    entry = services.receipt_create(**args, booked_on=dt.date(2023, 3, 1))
    with pytest.raises(DuplicateSubmission) as exc:
        services.receipt_create(**args, booked_on=dt.date(2023, 3, 1))
    assert exc.value.object_id == str(entry.pk)
    assert LedgerEntry.objects.count() == 1


def test_money_dates_after_today_plus_31_days_are_refused(editor, fund, bank_account):
    today = timezone.localdate()
    services.receipt_create(
        actor=editor, fund=fund, amount=1_000, booked_on=today + dt.timedelta(days=31)
    )
    with pytest.raises(UserFacingError, match="quá xa trong tương lai"):
        services.receipt_create(
            actor=editor, fund=fund, amount=1_000, booked_on=today + dt.timedelta(days=32)
        )
    with pytest.raises(UserFacingError, match="quá xa trong tương lai"):
        services.disbursement_create(
            actor=editor,
            fund=fund,
            amount=1_000,
            purpose="gifts",
            booked_on=today + dt.timedelta(days=40),
        )
    assert LedgerEntry.objects.count() == 1


def test_open_a_fund_from_the_unit_page_with_a_public_choice(client_editor, tree):
    unit = tree["district_a"]
    page = client_editor.get(f"/don-vi/{unit.pk}/").content.decode()
    assert f'href="/quy/mo-quy/{unit.pk}/" data-testid="open-fund">Mở quỹ</a>' in page
    form = client_editor.get(f"/quy/mo-quy/{unit.pk}/").content.decode()
    assert 'type="radio" name="is_public" value="1"' in form and "Không công khai" in form
    token = _token(form)
    data = {
        "name": "Quỹ nội bộ",
        "kind": "relief",
        "opened_on": "2024-01-01",
        "is_public": "0",
        "cash": "on",
        "form_token": token,
    }
    assert client_editor.post(f"/quy/mo-quy/{unit.pk}/", data).status_code == 302
    again = client_editor.post(f"/quy/mo-quy/{unit.pk}/", data, follow=True)
    assert "đã ghi một lần" in again.content.decode()
    fund = Fund.objects.get(name="Quỹ nội bộ")
    assert fund.is_public is False and Fund.objects.filter(name="Quỹ nội bộ").count() == 1
