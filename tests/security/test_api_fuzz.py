"""Schemathesis against the API's own OpenAPI schema, in process (WSGI), with a real token.

Every operation of /api/v1/ gets the schema's examples, schemathesis' coverage
cases (boundaries, wrong types, missing fields, unknown values) and Hypothesis-
generated requests. Every response is checked: no 5xx, status code, content
type, headers and body as the schema documents them, invalid data rejected,
and requests without the token refused. (Not "schema-valid data accepted":
the business rules reject much that the schema allows, by design: a date in
the future, an unknown activity type code, a receipt before the fund opened.) Path ids are
drawn half from the generated numbers and half from real rows (visible and not
visible to the token's user), so the access rules and the writes are exercised
too. The counts are printed and written to $MATTRAN_DATA_DIR/reports/api-fuzz.json.

MATTRAN_FUZZ_EXAMPLES (default 100) sets Hypothesis' examples per operation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.generation.meta import negated_parameters
from schemathesis.specs.openapi.checks import positive_data_acceptance

from mattran.access.models import Role
from mattran.activities.models import ActivityRecord
from mattran.api.services import api_token_create
from mattran.funds import services as funds
from mattran.funds.models import AccountKind, FundKind, LedgerEntry
from mattran.wsgi import application
from tests.factories import UserFactory, grant

EXAMPLES = int(os.environ.get("MATTRAN_FUZZ_EXAMPLES", "100"))


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Requests go through the real WSGI handler, which closes the database connection
    when a request ends; Django's test client switches that off, and so do we here, or
    the test's transaction would be closed under it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(records, settings, wsgi_keeps_the_test_connection):
    """The reports' records, two funds with receipts, and an editor of Quận A with a token."""
    tree = records
    settings.MATTRAN_PUBLIC_RATE = "1000000/m"  # the limit itself is tested elsewhere
    cache.clear()
    user = UserFactory(username="ketnoi_fuzz")
    grant(user, tree["district_a"], Role.EDITOR)
    _, token = api_token_create(actor=None, user=user)
    fund_a = funds.fund_create(
        actor=None,
        unit=tree["district_a"],
        name="Quỹ Vì người nghèo quận A",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    account = funds.fund_account_create(
        actor=None, fund=fund_a, kind=AccountKind.BANK, bank_name="VCB", account_number="0011"
    )
    fund_b = funds.fund_create(
        actor=None,
        unit=tree["ward_b1"],
        name="Quỹ phường B1",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2023, 1, 1),
    )
    for fund, name in ((fund_a, "Nguyễn Thị Hoà"), (fund_b, "Trần Văn Bình")):
        funds.receipt_create(
            actor=None,
            fund=fund,
            amount=1_000_000,
            booked_on=dt.date(2023, 9, 14),
            party_name=name,
            account=account if fund == fund_a else None,
        )
    IDS.clear()
    IDS.update(
        {
            "units": [u.pk for u in tree.values()],
            "activities": list(ActivityRecord.objects.values_list("pk", flat=True)[:20]),
            "funds": [fund_a.pk, fund_b.pk],
            "receipts": list(LedgerEntry.objects.values_list("pk", flat=True)),
        }
    )
    TOKEN["value"] = token
    return {"token": token}


IDS: dict[str, list[int]] = {}


def kind_of(path: str) -> str | None:
    return next((k for k in ("units", "activities", "funds", "receipts") if f"/{k}/" in path), None)


# Loaded once at collection; no request touches the database until a test runs.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@schema.hook("flatmap_path_parameters")
def real_ids_half_the_time(context, path_parameters):
    kind = kind_of(context.operation.path)
    value = (path_parameters or {}).get("id")
    if kind is None or not isinstance(value, int) or isinstance(value, bool) or not IDS.get(kind):
        return st.just(path_parameters)  # a negative case (not an integer) stays as it is
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(IDS[kind]).map(lambda i: {**path_parameters, "id": i}),
    )


@schema.auth(refresh_interval=None)  # a new token per test: never cached
class TokenAuth:
    """The token, set the way the schema's security scheme says; schemathesis leaves it out
    where a case is about a missing Authorization header."""

    def get(self, case, context):
        return TOKEN.get("value", "")

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


def security_applies(case) -> bool:
    return not case.operation.path.startswith("/api/v1/public/")


TOKEN: dict[str, str] = {}
TALLY: Counter = Counter()


def fuzz_summary() -> str:
    total = sum(n for (kind, _), n in TALLY.items() if kind == "op")
    by_status = {k: n for (kind, k), n in sorted(TALLY.items()) if kind == "status"}
    return f"schemathesis: {total} API cases, no 5xx; status codes {by_status}"


@pytest.fixture(scope="module", autouse=True)
def fuzz_report():
    """After the run: how many cases ran, by operation and status, kept as a record."""
    TALLY.clear()
    yield
    total = sum(n for (kind, _), n in TALLY.items() if kind == "op")
    by_status = {k: n for (kind, k), n in sorted(TALLY.items()) if kind == "status"}
    by_op = {k: n for (kind, k), n in sorted(TALLY.items()) if kind == "op"}
    report = {"cases": total, "by_status": by_status, "by_operation": by_op}
    folder = Path(django_settings.DATA_DIR) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "api-fuzz.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    assert total >= 10 * len(by_op) > 0, report
    assert not any(str(code).startswith("5") for code in by_status), report


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, fuzz_world):
    # The coverage phase does not go through the auth provider: add the token unless
    # the case is about a missing or wrong Authorization header.
    negated = {name.lower() for name, _ in negated_parameters(case.meta)}
    if security_applies(case) and "authorization" not in negated:
        TokenAuth().set(case, TOKEN["value"], None)
    # The coverage phase keeps one placeholder id (0) in the path, so its body and query
    # cases would all stop at 404: give them real ids in turn (visible and not visible).
    value = (case.path_parameters or {}).get("id")
    kind = kind_of(case.operation.path)
    if kind and value is not None and "id" not in negated:
        TALLY[("turn", kind)] += 1
        ids = IDS[kind]
        case.path_parameters = {**case.path_parameters, "id": ids[TALLY[("turn", kind)] % len(ids)]}
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    TALLY[("op", case.operation.label)] += 1
    TALLY[("status", response.status_code)] += 1
