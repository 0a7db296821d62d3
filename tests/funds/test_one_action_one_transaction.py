"""One user action, one service, one transaction (issue 13): opening a fund records
the fund, its bank account and its cash book together; a refused account leaves no
fund behind, whether a rule refuses it or the last step fails."""

from mattran.core.errors import UserFacingError
from mattran.funds.models import Fund, FundAccount
from tests.factories import row_counts


def _open(client, unit, **extra):
    data = {
        "name": "Quỹ Cứu trợ quận A",
        "kind": "relief",
        "opened_on": "2023-02-01",
        "is_public": "1",
        "bank_name": "Vietcombank",
        "account_number": "0011009990001",
        "cash": "on",
    }
    data.update(extra)
    return client.post(f"/quy/mo-quy/{unit.pk}/", data)


def test_opening_a_fund_is_one_transaction(client, tree, editor, bank_account, monkeypatch):
    client.force_login(editor)
    district = tree["district_a"]
    before = row_counts()
    # The bank account already belongs to another fund: refused after the fund was made.
    response = _open(client, district, account_number=bank_account.account_number)
    assert response.status_code == 200 and "đã được gắn với một quỹ" in response.text
    assert row_counts() == before

    # The last step (the cash book) fails.
    real_save = FundAccount.save

    def save(self, *args, **kwargs):
        if self.kind == "cash":
            raise UserFacingError("Bước sau bị từ chối (thử nghiệm).")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(FundAccount, "save", save)
    response = _open(client, district)
    assert "Bước sau bị từ chối" in response.text
    assert row_counts() == before

    monkeypatch.undo()
    assert _open(client, district).status_code == 302
    fund = Fund.objects.get(name="Quỹ Cứu trợ quận A")
    assert sorted(fund.accounts.values_list("kind", flat=True)) == ["bank", "cash"]
