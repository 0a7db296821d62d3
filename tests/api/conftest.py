import datetime as dt

import pytest
from rest_framework.test import APIClient

from mattran.access.models import Role
from mattran.api.services import api_token_create
from mattran.funds import services as funds
from mattran.funds.models import AccountKind, FundKind
from tests.factories import UserFactory, grant
from tests.reports.conftest import people, records  # noqa: F401 - shared fixtures


def token_client(user) -> APIClient:
    _, text = api_token_create(actor=None, user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


@pytest.fixture
def api(people):  # noqa: F811
    """An API client per person of `people`, each with its own token."""
    return {name: token_client(user) for name, user in people.items()}


@pytest.fixture
def fund_a(tree, people):  # noqa: F811
    fund = funds.fund_create(
        actor=None,
        unit=tree["district_a"],
        name="Quỹ Vì người nghèo quận A",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    funds.fund_account_create(
        actor=None,
        fund=fund,
        kind=AccountKind.BANK,
        bank_name="Vietcombank",
        account_number="0011001932418",
        account_name="Ủy ban MTTQ quận A",
    )
    return fund


@pytest.fixture
def fund_b(tree):
    return funds.fund_create(
        actor=None,
        unit=tree["ward_b1"],
        name="Quỹ Vì người nghèo phường B1",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )


@pytest.fixture
def admin_user(tree):
    user = UserFactory(username="quantri_api", is_superuser=True, is_staff=True)
    return user


@pytest.fixture
def viewer_b(tree):
    user = UserFactory(username="viewer_b")
    grant(user, tree["district_b"], Role.VIEWER)
    return user
