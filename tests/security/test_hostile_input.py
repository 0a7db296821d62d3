"""Script in every user text field: entered through the real forms, stored as typed,
and shown as text (escaped) on every page that shows it, never as markup.

Each payload is Vietnamese text around markup (tests/security/hostile.py). A case is
one page checked for one payload it shows; the counts are printed at the end of the
run and written to $MATTRAN_DATA_DIR/reports/hostile-input.json.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.activities.models import ActivityRecord, ActivityType, MediationCase
from mattran.core.models import AuditEvent
from mattran.funds.models import Fund, LedgerEntry, Transfer
from mattran.reports.models import Submission
from mattran.units.models import MemberOrganisation, Unit
from tests.factories import UserFactory, grant

from .hostile import MARKERS, SCRIPTS, check_page

DAY = dt.date(2023, 9, 14)


def get(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def post_ok(client, url, data) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.content.decode()[:3000])


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# ------------------------------------------------------------------- activities


def test_activity_and_mediation_text(as_user, tree, people):
    ward = tree["ward_a1"]
    client = as_user(people["editor_a1"])
    phan_bien = ActivityType.objects.get(code="phan_bien")
    for p in SCRIPTS:
        post_ok(
            client,
            f"/hoat-dong/don-vi/{ward.pk}/them/",
            {"type": phan_bien.pk, "date": DAY, "title": p, "subject": p, "notes": p},
        )
        post_ok(
            client,
            f"/hoat-dong/don-vi/{ward.pk}/hoa-giai/them/",
            {"received_on": DAY, "title": p, "outcome": "pending", "notes": p},
        )
    records = list(ActivityRecord.objects.filter(unit=ward).order_by("id"))
    assert [r.title for r in records] == SCRIPTS  # stored as typed
    assert [r.subject for r in records] == SCRIPTS and [r.notes for r in records] == SCRIPTS
    assert [c.title for c in MediationCase.objects.order_by("id")] == SCRIPTS

    name = "activities"
    check_page(name, get(client, f"/hoat-dong/don-vi/{ward.pk}/"), shows=SCRIPTS)
    for p in SCRIPTS:  # the search box echoes the query
        check_page(name, get(client, f"/hoat-dong/don-vi/{ward.pk}/", q=p))
    for r in records:
        check_page(name, get(client, f"/hoat-dong/{r.pk}/"), shows=[r.title])
        check_page(name, get(client, f"/hoat-dong/{r.pk}/sua/"), shows=[r.notes])
        check_page(name, get(client, f"/hoat-dong/{r.pk}/xoa/"), shows=[r.title])
    check_page(name, get(client, f"/hoat-dong/don-vi/{ward.pk}/hoa-giai/"), shows=SCRIPTS)
    for c in MediationCase.objects.all():
        check_page(name, get(client, f"/hoat-dong/hoa-giai/{c.pk}/sua/"), shows=[c.notes])
    # The report names the proposals of social criticism in its narrative.
    check_page(name, get(client, f"/bao-cao/{ward.pk}/2023-9M/"), shows=SCRIPTS)
    check_page(name, get(client, f"/bao-cao/{ward.pk}/2023-9M/chi-tiet/phan_bien/"), shows=SCRIPTS)
    viewer = as_user(people["viewer_a"])
    district = tree["district_a"]
    check_page(name, get(viewer, f"/bao-cao/{district.pk}/2023-9M/"))
    check_page(name, get(viewer, f"/hoat-dong/don-vi/{district.pk}/"), shows=SCRIPTS)
    # A deletion with a hostile reason, then the unit's audit log.
    client = as_user(people["editor_a1"])
    post_ok(client, f"/hoat-dong/{records[0].pk}/xoa/", {"reason": SCRIPTS[1]})
    assert AuditEvent.objects.filter(action="activity.delete", note=SCRIPTS[1]).exists()
    check_page(name, get(client, f"/don-vi/{ward.pk}/nhat-ky/"), shows=SCRIPTS[1:])


# ---------------------------------------------------------------------- reports


def test_report_comments(as_user, tree, people):
    ward, district = tree["ward_a1"], tree["district_a"]
    codes = [f"2023-{m:02d}" for m in range(1, len(SCRIPTS) + 1)]
    editor, approver = as_user(people["editor_a1"]), None
    for code in codes:
        post_ok(editor, f"/bao-cao/{ward.pk}/{code}/nop/", {})
    approver = as_user(people["approver_a"])
    for code, p in zip(codes, SCRIPTS, strict=True):
        post_ok(approver, f"/bao-cao/{ward.pk}/{code}/tra-lai/", {"comment": p})
    assert sorted(Submission.objects.values_list("comment", flat=True)) == sorted(SCRIPTS)
    name = "report comments"
    for code, p in zip(codes, SCRIPTS, strict=True):
        check_page(name, get(approver, f"/bao-cao/{ward.pk}/{code}/"), shows=[p])
        check_page(name, get(approver, f"/bao-cao/{district.pk}/{code}/tinh-hinh-nop/"), shows=[p])
    check_page(name, get(approver, f"/don-vi/{ward.pk}/nhat-ky/"))


# ------------------------------------------------------------------------ funds


def test_fund_donor_memo_and_transfer_text(as_user, client, tree, people):
    district, city = tree["district_a"], tree["city"]
    editor = as_user(people["editor_district_a"])
    for i, p in enumerate(SCRIPTS):
        post_ok(
            editor,
            f"/quy/mo-quy/{district.pk}/",
            {
                "name": p,
                "kind": "poor",
                "opened_on": "2023-01-01",
                "description": p,
                "bank_name": "Vietcombank",
                "account_number": f"00110019324{i:02d}",
                "cash": "on",
            },
        )
    funds = list(Fund.objects.order_by("id"))
    assert [f.name for f in funds] == SCRIPTS and [f.description for f in funds] == SCRIPTS
    city_editor = UserFactory()
    grant(city_editor, city, Role.EDITOR)
    city_fund = Fund.objects.create(unit=city, name="Quỹ thành phố", kind="poor", opened_on=DAY)
    for fund, p in zip(funds, SCRIPTS, strict=True):
        bank = fund.accounts.get(kind="bank")
        post_ok(
            editor,
            f"/quy/{fund.pk}/thu/",
            {
                "booked_on": DAY,
                "amount": "2.000.000",
                "party_name": p,
                "party_kind": "person",
                "account": bank.pk,
                "reference": p[:100],
                "memo": p,
            },
        )
        post_ok(
            editor,
            f"/quy/{fund.pk}/chi/",
            {
                "booked_on": DAY,
                "amount": "500.000",
                "purpose": "gifts",
                "quantity": 1,
                "payee_name": p,
                "beneficiaries": p,
                "account": fund.accounts.get(kind="cash").pk,
                "memo": p,
            },
        )
        post_ok(
            editor,
            f"/quy/{fund.pk}/chuyen-tien/",
            {"to_fund": city_fund.pk, "amount": "100.000", "sent_on": DAY, "purpose_text": p},
        )
    assert set(LedgerEntry.objects.filter(kind="receipt").values_list("party_name", flat=True)) == (
        set(SCRIPTS)
    )
    assert set(Transfer.objects.values_list("purpose_text", flat=True)) == set(SCRIPTS)
    name = "funds"
    check_page(name, get(editor, "/quy/"), shows=SCRIPTS)
    check_page(name, get(editor, "/quy/dieu-chuyen/"), shows=SCRIPTS)
    for fund, p in zip(funds, SCRIPTS, strict=True):
        check_page(name, get(editor, f"/quy/{fund.pk}/", ky="2023"), shows=[p])
        for entry in LedgerEntry.objects.filter(fund=fund):
            check_page(name, get(editor, f"/quy/but-toan/{entry.pk}/"), shows=[p])
            if entry.voucher_number:
                check_page(name, get(editor, f"/quy/but-toan/{entry.pk}/phieu/"), shows=[p])
    # The public pages: donation lookup and fund disclosure, without login.
    client.logout()
    check_page(name, get(client, "/cong-khai/", q="phuong"), shows=[SCRIPTS[0]])
    for p in SCRIPTS:
        check_page(name, get(client, "/cong-khai/", q=p))  # echoed in the search box
    for fund, p in zip(funds, SCRIPTS, strict=True):
        check_page(name, get(client, f"/cong-khai/quy/{fund.pk}/", ky="2023"), shows=[p])


# ------------------------------------------------------------------------ units


def test_unit_and_member_organisation_names(as_user, tree, people):
    ward = tree["ward_a1"]
    admin = as_user(UserFactory(is_superuser=True, is_staff=True))
    for p in SCRIPTS:
        post_ok(admin, f"/don-vi/{ward.pk}/them-khu-dan-cu/", {"name": p, "kind": "Tổ dân phố"})
        post_ok(admin, f"/don-vi/{ward.pk}/them-to-chuc-thanh-vien/", {"name": p, "order": 0})
    areas = list(Unit.objects.filter(parent=ward, name__in=SCRIPTS))
    assert sorted(a.name for a in areas) == sorted(SCRIPTS)
    assert sorted(MemberOrganisation.objects.values_list("name", flat=True)) == sorted(SCRIPTS)
    name = "units"
    client = as_user(people["editor_a1"])
    check_page(name, get(client, f"/don-vi/{ward.pk}/"), shows=SCRIPTS)
    check_page(name, get(client, f"/don-vi/{ward.pk}/con/"), shows=SCRIPTS)
    check_page(name, get(client, "/don-vi/"))
    for p in SCRIPTS:
        check_page(name, get(client, "/don-vi/", q=p))
    for area in areas:
        check_page(name, get(client, f"/don-vi/{area.pk}/"), shows=[area.name])
        check_page(name, get(client, f"/hoat-dong/don-vi/{area.pk}/"), shows=[area.name])
    # Child rows of the report, and the chart's labels (JSON in the page).
    report = get(client, f"/bao-cao/{ward.pk}/2023-9M/")
    check_page(name, report, shows=SCRIPTS)
    assert "<script>alert(1)</script>" not in report
    # The activity form lists the areas (supervision) and organisations (co-organisers).
    check_page(name, get(client, f"/hoat-dong/don-vi/{ward.pk}/them/"), shows=SCRIPTS)
    check_page(name, get(client, f"/hoat-dong/don-vi/{ward.pk}/nhap-excel/"))


def test_markers_are_all_distinct():
    """Each payload has its own marker, so a leak names the payload that leaked."""
    assert all(sum(m in p for p in SCRIPTS) == 1 for m in MARKERS)
