import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.funds import services
from mattran.funds.models import AccountKind, FundKind
from tests.factories import UserFactory, grant


@pytest.fixture
def editor(tree):
    user = UserFactory(username="thuquy")
    grant(user, tree["district_a"], Role.EDITOR)
    return user


@pytest.fixture
def approver(tree):
    user = UserFactory(username="pheduyet")
    grant(user, tree["city"], Role.APPROVER)
    return user


@pytest.fixture
def fund(tree, editor):
    return services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ Vì người nghèo quận A",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )


@pytest.fixture
def bank_account(fund, editor):
    return services.fund_account_create(
        actor=editor,
        fund=fund,
        kind=AccountKind.BANK,
        bank_name="Vietcombank",
        account_number="0011001932418",
        account_name="Ủy ban MTTQ quận A",
    )
