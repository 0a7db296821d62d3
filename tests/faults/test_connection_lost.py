"""The database connection drops in the middle of a request that writes.

A real HTTP request to the live test server (its own thread and connection):
the form is posted; inside the service's transaction, after the main rows are
written and before the audit event, the connection is cut:
- PostgreSQL: another connection runs pg_terminate_backend() on the request's
  server process (what a database restart or failover does to it);
- SQLite: the request's database handle is closed under it.
The user gets the clean Vietnamese error page (500.html: no stack trace, no
English), nothing of the change is in the database (no row, no voucher
number taken, no audit event), and the next request works again.
"""

from __future__ import annotations

import datetime as dt
import re

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from mattran.access.models import Role
from mattran.activities.models import ActivityRecord, ActivityType
from mattran.core import audit
from mattran.core.models import AuditEvent
from mattran.funds import services
from mattran.funds.models import AccountKind, FundKind, LedgerEntry, VoucherCounter
from tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db(transaction=True)


def cut_the_connection() -> None:
    """Cut this thread's database connection the hard way (see module doc)."""
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        s = connection.settings_dict
        with psycopg.connect(
            dbname=s["NAME"],
            user=s["USER"],
            password=s["PASSWORD"] or None,
            host=s["HOST"] or None,
            port=s["PORT"] or None,
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        connection.connection.close()


@pytest.fixture
def world():
    district = make_unit("Quận Đống Đa", code="006")
    ward = make_unit("Phường Láng Thượng", district, code="00187")
    user = UserFactory(username="capnhat")
    grant(user, ward, Role.EDITOR)
    fund = services.fund_create(
        actor=None,
        unit=ward,
        name="Quỹ Vì người nghèo phường Láng Thượng",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    cash = services.fund_account_create(actor=None, fund=fund, kind=AccountKind.CASH)
    services.receipt_create(
        actor=None, fund=fund, amount=500_000, booked_on=dt.date(2023, 1, 5), account=cash
    )
    return {"ward": ward, "user": user, "fund": fund, "cash": cash}


def _session(live_server, user) -> requests.Session:
    from django.test import Client

    client = Client()
    client.force_login(user)
    http = requests.Session()
    http.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return http


def _post_form(http: requests.Session, url: str, data: dict) -> requests.Response:
    page = http.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return http.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=60,
    )


def _state(fund) -> dict:
    return {
        "entries": LedgerEntry.objects.filter(fund=fund).count(),
        "vouchers": list(
            VoucherCounter.objects.filter(fund=fund).values_list("series", "last_number")
        ),
        "records": ActivityRecord.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


CASES = {
    "receipt": (
        "mattran.funds.services.audit_record",
        lambda w: f"/quy/{w['fund'].pk}/thu/",
        lambda w: {
            "booked_on": "2023-03-01",
            "amount": "1.005.000",
            "party_name": "Nguyễn Văn An",
            "party_kind": "person",
            "account": w["cash"].pk,
            "memo": "Ủng hộ người nghèo",
        },
    ),
    "activity": (
        "mattran.activities.services.audit_record",
        lambda w: f"/hoat-dong/don-vi/{w['ward'].pk}/them/",
        lambda w: {
            "type": ActivityType.objects.get(code="tuyen_truyen").pk,
            "date": "2023-03-01",
            "title": "Tuyên truyền Luật Đất đai 2024",
            "attendance": "80",
        },
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_connection_cut_inside_a_write_leaves_nothing_and_a_clean_page(
    case, world, live_server, monkeypatch, caplog
):
    target, url_of, data_of = CASES[case]
    http = _session(live_server, world["user"])
    url = live_server.url + url_of(world)
    before = _state(world["fund"])
    cuts = []

    def audit_record_after_the_cut(**kwargs):
        cuts.append(kwargs["action"])
        cut_the_connection()
        return audit.audit_record(**kwargs)

    monkeypatch.setattr(target, audit_record_after_the_cut)
    response = _post_form(http, url, data_of(world))

    assert cuts, "the service never reached its audit step"
    assert response.status_code == 500
    page = response.text
    assert "Đã có lỗi xảy ra" in page and "dữ liệu chưa bị thay đổi" in page
    for leak in ("Traceback", "OperationalError", "ProgrammingError", "psycopg", "sqlite", "File "):
        assert leak not in page, leak
    assert _state(world["fund"]) == before  # nothing half-written, no voucher number burnt
    assert any(r.levelname == "ERROR" for r in caplog.records)  # logged for the operators

    # The next request gets a fresh connection and does the same write in full.
    monkeypatch.undo()
    response = _post_form(http, url, data_of(world))
    assert response.status_code == 302, response.text[:1000]
    after = _state(world["fund"])
    if case == "receipt":
        assert after["entries"] == before["entries"] + 1
        entry = LedgerEntry.objects.filter(fund=world["fund"]).latest("pk")
        assert entry.voucher_code == "PT-2023-0002"  # continues the series without a gap
    else:
        assert after["records"] == before["records"] + 1
    assert after["audit"] == before["audit"] + 1
