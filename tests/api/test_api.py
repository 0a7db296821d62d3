"""The JSON API: token authentication, subtree access, figures, writes, errors, schema."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from mattran.access.models import Role
from mattran.activities.models import ActivityRecord
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.funds.models import LedgerEntry
from mattran.reports import services as report_services
from mattran.reports.selectors import report_build
from tests.api.conftest import token_client
from tests.factories import UserFactory, grant, make_unit

API = "/api/v1"


def assert_error(response, status: int, code: str) -> dict:
    """Every error has the one JSON shape, with a Vietnamese message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "message", "fields"}
    assert (body["status"], body["code"]) == (status, code)
    assert body["message"] and not body["message"].isascii(), body["message"]
    for messages in body["fields"].values():
        assert all(m and not m.isascii() for m in messages), messages
    return body


# ------------------------------------------------------------------- tokens


def test_requests_without_or_with_a_wrong_token_get_401(tree):
    body = assert_error(APIClient().get(f"{API}/units/"), 401, "not_authenticated")
    assert "Authorization: Token" in body["message"]
    response = APIClient().get(f"{API}/units/", HTTP_AUTHORIZATION="Token mt_khong-dung")
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"
    # A session (web login) does not open the API: tokens only, so no CSRF question.
    user = UserFactory()
    grant(user, tree["city"], Role.VIEWER)
    client = APIClient()
    client.force_login(user)
    assert_error(client.get(f"{API}/units/"), 401, "not_authenticated")


def test_token_command_issues_hashed_expiring_tokens_and_revokes_them(tree, capsys):
    user = UserFactory(username="ketnoi")
    grant(user, tree["district_a"], Role.VIEWER)
    call_command("api_token", "ketnoi", "--days", "30")
    text = capsys.readouterr().out.strip()
    assert text.startswith("mt_") and len(text) > 40
    token = AuthToken.objects.get(user=user)
    assert text not in (token.digest, token.token_key)  # only a digest is stored
    assert token.expiry.date() == (timezone.now() + dt.timedelta(days=30)).date()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert client.get(f"{API}/units/").status_code == 200
    call_command("api_token", "ketnoi", "--revoke")
    assert not AuthToken.objects.filter(user=user).exists()
    assert_error(client.get(f"{API}/units/"), 401, "authentication_failed")
    actions = list(
        AuditEvent.objects.filter(object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["api_token.create", "api_token.revoke"]
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("api_token", "khong-co-ai")
    with pytest.raises(CommandError, match="từ 1 đến 3650"):
        call_command("api_token", "ketnoi", "--days", "0")


def test_expired_token_and_inactive_user_are_refused(tree):
    user = UserFactory()
    grant(user, tree["city"], Role.VIEWER)
    client = token_client(user)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert_error(client.get(f"{API}/units/"), 401, "authentication_failed")
    assert not AuthToken.objects.filter(user=user).exists()  # knox deletes expired tokens
    client = token_client(user)
    user.is_active = False
    user.save()
    assert_error(client.get(f"{API}/units/"), 401, "authentication_failed")


# -------------------------------------------------------------------- units


def test_units_only_the_visible_subtree_with_filters(tree, api):
    viewer = api["viewer_a"]
    data = viewer.get(f"{API}/units/").json()
    names = [u["name"] for u in data["results"]]
    assert data["count"] == 4
    assert names == ["Quận A", "Phường A1", "Tổ dân phố 1", "Phường A2"]
    first = data["results"][0]
    assert first == {
        "id": tree["district_a"].pk,
        "version": tree["city"].version.code,
        "version_name": tree["city"].version.name,
        "parent": tree["city"].pk,
        "level": 2,
        "level_label": "Cấp huyện",
        "kind": "Quận",
        "name": "Quận A",
        "code": "911",
    }
    q = viewer.get(f"{API}/units/", {"parent": tree["district_a"].pk}).json()
    assert [u["name"] for u in q["results"]] == ["Phường A1", "Phường A2"]
    assert viewer.get(f"{API}/units/", {"code": "91102"}).json()["count"] == 1
    assert viewer.get(f"{API}/units/", {"code": "91201"}).json()["count"] == 0  # Quận B's ward
    assert viewer.get(f"{API}/units/", {"level": 4}).json()["count"] == 1
    assert viewer.get(f"{API}/units/", {"q": "phuong a"}).json()["count"] == 2
    assert viewer.get(f"{API}/units/", {"version": "khong-co"}).json()["count"] == 0
    assert viewer.get(f"{API}/units/", {"parent": tree["city"].pk}).json()["count"] == 1
    body = assert_error(viewer.get(f"{API}/units/", {"level": 9, "parent": "x"}), 400, "invalid")
    assert set(body["fields"]) == {"level", "parent"}
    assert body["fields"]["parent"] == ["Cần một số nguyên."]
    assert_error(viewer.get(f"{API}/units/", {"page": 99}), 404, "not_found")


def test_units_of_the_structure_in_force_on_a_date(tree, api):
    """Issue 11: a client picks units by date, not by knowing version codes."""
    import datetime as dt

    from mattran.units.models import StructureVersion

    StructureVersion.objects.filter(pk=tree["city"].version_id).update(
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2024, 12, 31)
    )
    viewer = api["viewer_a"]
    assert viewer.get(f"{API}/units/", {"date": "2023-09-30"}).json()["count"] == 4
    assert viewer.get(f"{API}/units/", {"date": "2025-03-01"}).json()["count"] == 0
    body = assert_error(viewer.get(f"{API}/units/", {"date": "30/09/2023"}), 400, "invalid")
    assert set(body["fields"]) == {"date"}


def test_unit_list_query_count_does_not_grow_with_units(tree, api, django_assert_max_num_queries):
    client = api["viewer_a"]
    client.get(f"{API}/units/")  # warm-up (content types, catalogues)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/units/").status_code == 200
    for i in range(30):
        make_unit(f"Tổ dân phố {i + 2}", tree["ward_a2"])
    with django_assert_max_num_queries(len(few)):
        data = client.get(f"{API}/units/").json()
    assert data["count"] == 34
    # token (2), grants (1), count (1), page (1)
    assert len(few) <= 5


def test_unit_detail_404_outside_the_subtree(tree, api):
    viewer = api["viewer_a"]
    assert viewer.get(f"{API}/units/{tree['ward_a1'].pk}/").json()["name"] == "Phường A1"
    for unit in ("ward_b1", "district_b", "city"):
        assert_error(viewer.get(f"{API}/units/{tree[unit].pk}/"), 404, "not_found")
    assert_error(viewer.get(f"{API}/units/987654321/"), 404, "not_found")
    assert_error(viewer.get(f"{API}/units/{2**63 + 5}/"), 404, "not_found")
    assert_error(viewer.get(f"{API}/khong-co/"), 404, "not_found")


# ------------------------------------------------------------------ figures


def test_figures_are_the_report_figures(records, people, api):
    tree = records
    url = f"{API}/units/{tree['district_a'].pk}/figures/"
    response = api["viewer_a"].get(url, {"period": "2023-9M"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["period"] == {
        "code": "2023-9M",
        "label": "9 tháng đầu năm 2023",
        "start": "2023-01-01",
        "end": "2023-09-30",
    }
    assert data["previous_period"]["code"] == "2022-9M"
    assert data["unit"]["id"] == tree["district_a"].pk
    assert data["structure"] == tree["city"].version.code
    figures = {f["code"]: f for f in data["figures"]}
    report = report_build(
        user=people["viewer_a"], unit=tree["district_a"], period=Period.parse("2023-9M")
    )
    assert set(figures) == {f.code for f in report.table_figures}
    tt = figures["tuyen_truyen"]
    assert (tt["total"]["value"], tt["previous"]["value"]) == (3, 1)
    assert (tt["own"]["value"], tt["children"]["value"]) == (1, 2)
    by_unit = {r["unit"]: r["value"] for r in tt["by_unit"]}
    assert by_unit[tree["ward_a1"].pk] == 2 and by_unit[tree["ward_a2"].pk] == 0
    assert figures["tuyen_truyen_luot"]["total"] == {"value": 150, "rate": None, "text": "150"}
    rate = figures["ty_le_hoa_giai_thanh"]["total"]
    assert rate["value"] is None and rate["text"] == "50,0%"
    assert rate["rate"] == {"numerator": 2, "denominator": 4, "percent": 50.0}
    assert data["narrative"] and data["narrative"][0]["text"]
    assert data["submission"] is None
    # Structure given explicitly: the same.
    again = api["viewer_a"].get(url, {"period": "2023-9M", "structure": data["structure"]})
    assert again.json()["figures"] == data["figures"]


def test_figures_respect_access_and_validate(records, api, tree):
    editor_a1 = api["editor_a1"]
    url = f"{API}/units/{tree['district_a'].pk}/figures/"
    assert_error(editor_a1.get(url, {"period": "2023-9M"}), 404, "not_found")
    ward = f"{API}/units/{tree['ward_a1'].pk}/figures/"
    tt = {f["code"]: f for f in editor_a1.get(ward, {"period": "2023-9M"}).json()["figures"]}
    assert tt["tuyen_truyen"]["total"]["value"] == 2
    body = assert_error(editor_a1.get(ward), 400, "invalid")
    assert body["fields"] == {"period": ["Trường này là bắt buộc."]}
    for code in ("2023-13", "0001", "2023-02-30..2023-03-01", "2023-09-30..2023-09-01"):
        body = assert_error(editor_a1.get(ward, {"period": code}), 400, "invalid")
        assert body["fields"]["period"][0].startswith("Kỳ"), body
    body = assert_error(editor_a1.get(ward, {"period": "2023", "structure": "x"}), 400, "invalid")
    assert "Không có phiên bản địa giới “x”" in body["fields"]["structure"][0]
    other = make_unit("Thành phố Khác", code="92")  # another structure version
    body = assert_error(
        editor_a1.get(ward, {"period": "2023", "structure": other.version.code}), 400, "invalid"
    )
    assert "Phường A1 thuộc phiên bản địa giới" in body["fields"]["structure"][0]


def test_figures_query_count_does_not_grow_with_units(records, api, tree):
    client = api["viewer_a"]
    url = f"{API}/units/{tree['district_a'].pk}/figures/"
    client.get(url, {"period": "2023-9M"})
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"period": "2023-9M"})
    for i in range(10):
        ward = make_unit(f"Phường A{i + 3}", tree["district_a"], code=f"9119{i}")
        make_unit(f"Tổ dân phố A{i + 3}", ward)
    with CaptureQueriesContext(connection) as after:
        data = client.get(url, {"period": "2023-9M"}).json()
    assert len(data["figures"][0]["by_unit"]) == 13
    assert len(after) == len(before)


# --------------------------------------------------------------- activities


def activity_body(**kw):
    body = {
        "type": "tuyen_truyen",
        "date": "2023-09-14",
        "title": "Tuyên truyền Ngày hội Đại đoàn kết",
        "attendance": 120,
    }
    body.update(kw)
    return body


def test_create_activity_through_the_service_with_audit(tree, api, people):
    url = f"{API}/units/{tree['ward_a1'].pk}/activities/"
    response = api["editor_a1"].post(url, activity_body(notes="Tổ dân phố số 3"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    record = ActivityRecord.objects.get(pk=data["id"])
    assert (record.unit, record.title, record.attendance) == (
        tree["ward_a1"],
        "Tuyên truyền Ngày hội Đại đoàn kết",
        120,
    )
    assert record.created_by == people["editor_a1"]
    assert data["type"] == "tuyen_truyen" and data["unit_name"] == "Phường A1"
    event = AuditEvent.objects.get(action="activity.create", object_id=str(record.pk))
    assert event.actor == people["editor_a1"] and event.unit == tree["ward_a1"]
    # Read back, alone and in the list.
    detail = api["editor_a1"].get(f"{API}/activities/{record.pk}/").json()
    assert detail == data
    listed = (
        api["viewer_a"]
        .get(f"{API}/units/{tree['district_a'].pk}/activities/", {"period": "2023-09"})
        .json()
    )
    assert [r["id"] for r in listed["results"]] == [record.pk]
    assert_error(api["editor_a2"].get(f"{API}/activities/{record.pk}/"), 404, "not_found")


def test_a_query_parameter_the_operation_does_not_take_is_refused(records, api, tree):
    """A misspelt filter is not ignored (it would answer with other figures than asked)."""
    url = f"{API}/units/{tree['ward_a1'].pk}/activities/"
    client = api["editor_a1"]
    assert client.get(url, {"only_this_unit": "true", "page": "1"}).status_code == 200
    body = assert_error(client.get(url, {"only_this_units": "true"}), 400, "invalid")
    assert set(body["fields"]) == {"only_this_units"}
    assert "only_this_unit" in body["fields"]["only_this_units"][0]
    body = assert_error(client.get(f"{url}?only_this_unit=false&=false"), 400, "invalid")
    assert set(body["fields"]) == {"(không tên)"}
    assert_error(client.get(f"{API}/units/", {"parnet": "1"}), 400, "invalid")


def test_create_activity_access_404_and_403(tree, api):
    body = activity_body()
    # Outside the subtree: 404, as on the web.
    for unit in ("ward_a2", "district_a", "ward_b1"):
        url = f"{API}/units/{tree[unit].pk}/activities/"
        assert_error(api["editor_a1"].post(url, body, format="json"), 404, "not_found")
    # Visible but read-only: 403 with the reason.
    url = f"{API}/units/{tree['ward_a1'].pk}/activities/"
    res = assert_error(api["viewer_a"].post(url, body, format="json"), 403, "permission_denied")
    assert res["message"] == "Bạn không có quyền ghi hoạt động của Phường A1."
    assert_error(api["approver_a"].post(url, body, format="json"), 403, "permission_denied")
    assert not ActivityRecord.objects.exists()


def test_create_activity_field_errors_in_vietnamese(tree, api):
    url = f"{API}/units/{tree['district_a'].pk}/activities/"
    client = api["editor_district_a"]
    body = assert_error(client.post(url, {}, format="json"), 400, "invalid")
    assert body["fields"] == {
        "type": ["Trường này là bắt buộc."],
        "date": ["Trường này là bắt buộc."],
        "title": ["Trường này là bắt buộc."],
    }
    body = assert_error(
        client.post(
            url,
            activity_body(
                type="khong_co",
                date="14/09/2023",
                attendance=-1,
                title="x" * 301,
                supervised_units=["a"],
            ),
            format="json",
        ),
        400,
        "invalid",
    )
    assert body["fields"]["type"][0].startswith("Không có loại hoạt động mã “khong_co”")
    assert body["fields"]["date"] == ["Ngày sai định dạng; dùng YYYY-MM-DD, ví dụ 2023-09-14."]
    assert body["fields"]["attendance"] == ["“-1” là số âm; chỉ nhận số từ 0 trở lên."]
    assert body["fields"]["title"] == ["Tối đa 300 ký tự."]
    assert body["fields"]["supervised_units.0"] == ["Cần một số nguyên."]
    # Ids the unit cannot use: not a child, another district's member organisation.
    body = assert_error(
        client.post(
            url,
            activity_body(type="doan_giam_sat", supervised_units=[tree["ward_b1"].pk]),
            format="json",
        ),
        400,
        "invalid",
    )
    assert body["fields"] == {
        "supervised_units": [f"Không có đơn vị trực thuộc Quận A mã {tree['ward_b1'].pk}."]
    }
    # The service's rules: a future date.
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    body = assert_error(client.post(url, activity_body(date=future), format="json"), 400, "invalid")
    assert body["fields"] == {"date": ["Ngày hoạt động không được sau ngày hôm nay."]}
    # Not JSON, not an object, another media type.
    res = client.post(url, "{không phải json", content_type="application/json")
    assert_error(res, 400, "parse_error")
    assert_error(client.post(url, [1, 2], format="json"), 400, "invalid")
    assert_error(
        client.post(url, "title=x", content_type="text/plain"), 415, "unsupported_media_type"
    )
    assert_error(client.put(url, activity_body(), format="json"), 405, "method_not_allowed")
    assert not ActivityRecord.objects.exists()


def test_create_activity_refused_in_an_approved_period(records, api, people, tree):
    sub = report_services.submission_submit(
        actor=people["editor_a1"], unit=tree["ward_a1"], period=Period.parse("2023-Q3")
    )
    report_services.submission_approve(actor=people["approver_a"], submission=sub)
    url = f"{API}/units/{tree['ward_a1'].pk}/activities/"
    before = ActivityRecord.objects.count()
    body = assert_error(api["editor_a1"].post(url, activity_body(), format="json"), 400, "rejected")
    assert "đã được duyệt" in body["message"] or "khóa" in body["message"]
    assert ActivityRecord.objects.count() == before


def test_activity_list_query_count_does_not_grow_with_records(
    records, api, tree, django_assert_max_num_queries
):
    client = api["viewer_a"]
    url = f"{API}/units/{tree['district_a'].pk}/activities/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url).json()
    from tests.reports.conftest import record

    for i in range(25):
        record(tree["ward_a2"], "toa_dam", dt.date(2023, 8, 1 + i % 28), title=f"Tọa đàm {i}")
    with django_assert_max_num_queries(len(few)):
        data = client.get(url).json()
    assert data["count"] == first["count"] + 25
    # token (2), grants, the unit, count, page, supervised units, co-organisers
    assert len(few) <= 8


# -------------------------------------------------------------------- funds


def test_create_receipt_through_the_service(tree, api, people, fund_a):
    url = f"{API}/funds/{fund_a.pk}/receipts/"
    account = fund_a.accounts.get()
    body = {
        "amount": 1_005_000,
        "booked_on": "2023-09-14",
        "party_name": "Nguyễn Thị Hoà",
        "party_kind": "person",
        "memo": "Ung ho quy vi nguoi ngheo",
        "account": account.pk,
    }
    response = api["editor_district_a"].post(url, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["voucher"] == "PT-2023-0001" and data["amount"] == 1_005_000
    entry = LedgerEntry.objects.get(pk=data["id"])
    assert entry.created_by == people["editor_district_a"] and entry.account == account
    assert AuditEvent.objects.filter(action="ledger.receipt", object_id=str(entry.pk)).exists()
    assert api["viewer_a"].get(f"{API}/receipts/{entry.pk}/").json() == data
    funds = api["viewer_a"].get(f"{API}/funds/").json()
    assert [(f["id"], f["balance"]) for f in funds["results"]] == [(fund_a.pk, 1_005_000)]
    second = api["editor_district_a"].post(url, {**body, "account": None}, format="json")
    assert second.json()["voucher"] == "PT-2023-0002"


def test_receipt_access_and_validation(tree, api, fund_a, fund_b):
    body = {"amount": 500_000, "booked_on": "2023-09-14", "party_name": "Trần Văn Bình"}
    editor = api["editor_district_a"]
    assert_error(
        editor.post(f"{API}/funds/{fund_b.pk}/receipts/", body, format="json"), 404, "not_found"
    )
    assert_error(
        editor.post(f"{API}/funds/99999999/receipts/", body, format="json"), 404, "not_found"
    )
    url = f"{API}/funds/{fund_a.pk}/receipts/"
    res = assert_error(api["viewer_a"].post(url, body, format="json"), 403, "permission_denied")
    assert res["message"] == "Bạn không có quyền ghi thu tại Quận A."
    body_errors = assert_error(
        editor.post(url, {**body, "amount": 0, "party_kind": "robot"}, format="json"),
        400,
        "invalid",
    )
    assert body_errors["fields"] == {
        "amount": ["Giá trị phải lớn hơn hoặc bằng 1."],
        "party_kind": ["“robot” không phải là giá trị hợp lệ."],
    }
    res = assert_error(editor.post(url, {**body, "amount": 1.5}, format="json"), 400, "invalid")
    assert res["fields"] == {"amount": ["“1.5” có phần thập phân; chỉ nhận số nguyên."]}
    res = assert_error(editor.post(url, {**body, "amount": 10**16}, format="json"), 400, "invalid")
    assert "lớn hơn mức tối đa 1.000.000.000.000.000" in res["fields"]["amount"][0]
    # the same parser as the forms: text amounts the Vietnamese way, nothing ambiguous
    for text in ("1,234", "１２３", "²", "-5", True):
        res = editor.post(url, {**body, "amount": text}, format="json")
        assert list(assert_error(res, 400, "invalid")["fields"]) == ["amount"], text
    other_account = fund_b.accounts.create(kind="cash")
    res = assert_error(
        editor.post(url, {**body, "account": other_account.pk}, format="json"), 400, "invalid"
    )
    assert res["fields"] == {"account": [f"Không có tài khoản mã {other_account.pk} của quỹ này."]}
    res = assert_error(
        editor.post(url, {**body, "booked_on": "2022-12-31"}, format="json"), 400, "rejected"
    )
    assert "trước ngày mở" in res["message"]
    assert_error(editor.get(f"{API}/receipts/99999999/"), 404, "not_found")
    assert not LedgerEntry.objects.exists()


# ------------------------------------------------------------------- public


def test_public_donation_lookup_without_login(tree, api, fund_a):
    api["editor_district_a"].post(
        f"{API}/funds/{fund_a.pk}/receipts/",
        {
            "amount": 2_000_000,
            "booked_on": "2023-09-14",
            "party_name": "Lê Thị Hòa",
            "memo": "Le Thi Hoa ung ho, STK 0011001932418, DT 0912345678",
        },
        format="json",
    )
    client = APIClient()
    data = client.get(f"{API}/public/donations/", {"q": "le thi hoa"}).json()
    assert data["count"] == 1 and data["limit"] == 50
    row = data["results"][0]
    assert row["donor"] == "Lê Thị Hòa" and row["amount"] == 2_000_000
    assert "0011001932418" not in row["memo"] and "0912345678" not in row["memo"]
    assert row["voucher"] == "PT-2023-0001" and row["fund"] == fund_a.pk
    assert client.get(f"{API}/public/donations/", {"amount": 2_000_000}).json()["count"] == 1
    assert client.get(f"{API}/public/donations/").json() == {"count": 0, "limit": 50, "results": []}
    funds = client.get(f"{API}/public/funds/").json()
    assert [f["id"] for f in funds] == [fund_a.pk]
    body = assert_error(
        client.get(f"{API}/public/donations/", {"amount": "mot trieu"}), 400, "invalid"
    )
    assert body["fields"] == {
        "amount": ["“mot trieu” không phải là số nguyên (ví dụ 1.234.567 hoặc 1234567)."]
    }
    found = client.get(f"{API}/public/donations/", {"amount": "2.000.000"}).json()
    assert found["count"] == 1


def test_public_lookup_is_rate_limited_with_the_portal(tree, settings, fund_a):
    from django.core.cache import cache

    cache.clear()
    settings.MATTRAN_PUBLIC_RATE = "3/m"
    client = APIClient()
    assert client.get(f"{API}/public/donations/", {"q": "hoa"}).status_code == 200
    assert client.get("/cong-khai/", {"q": "hoa"}).status_code == 200  # the portal page
    assert client.get(f"{API}/public/funds/").status_code == 200
    assert_error(client.get(f"{API}/public/donations/", {"q": "hoa"}), 429, "throttled")
    assert client.get("/cong-khai/", {"q": "hoa"}).status_code == 429
    cache.clear()


# ---------------------------------------------------------------- schema, docs


def test_schema_and_docs_page(client):
    schema = client.get(f"{API}/schema/", {"format": "json"})
    assert schema.status_code == 200
    spec = json.loads(schema.content)
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/units/{id}/figures/",
        "/api/v1/units/{id}/activities/",
        "/api/v1/funds/{id}/receipts/",
        "/api/v1/public/donations/",
    } <= paths
    assert spec["components"]["securitySchemes"]["knoxApiToken"]["type"] == "http" or (
        spec["components"]["securitySchemes"]["knoxApiToken"]["type"] == "apiKey"
    )
    docs = client.get(f"{API}/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    csp = docs["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src-attr")[0]
    assert (
        "<script>" not in html
        and "<style" not in html
        and "http" not in html.replace("http-equiv", "")
    )
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "api/docs.js",
    ):
        assert f"/static/{asset}" in html
        from django.contrib.staticfiles import finders

        assert finders.find(asset), asset


def test_every_operation_documents_its_errors(client):
    spec = json.loads(client.get(f"{API}/schema/", {"format": "json"}).content)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            public = path.startswith("/api/v1/public/")
            assert ("429" if public else "401") in codes, (path, method)
            if "{id}" in path:
                assert "404" in codes, (path, method)


def test_any_other_api_address_is_a_json_404(tree, api):
    client = api["viewer_a"]
    for path in ("khong-co/", "units/abc/", "funds/1%0A2/receipts/", "units/1/figures/x/"):
        assert_error(client.get(f"{API}/{path}"), 404, "not_found")
        assert_error(client.post(f"{API}/{path}", {}, format="json"), 404, "not_found")


def test_nul_and_lone_surrogates_are_refused_before_the_database(tree, api):
    url = f"{API}/units/{tree['ward_a1'].pk}/activities/"
    client = api["editor_a1"]
    body = assert_error(
        client.post(url, activity_body(title="Tuyên\x00truyền"), format="json"), 400, "invalid"
    )
    assert body["fields"] == {"title": ["Không được chứa ký tự NUL."]}
    raw = '{"type": "tuyen_truyen", "date": "2023-09-14", "title": "Tuy\\ud800n"}'
    body = assert_error(client.post(url, raw, content_type="application/json"), 400, "invalid")
    assert body["fields"] == {"title": ["Chứa ký tự Unicode không hợp lệ."]}
    res = assert_error(client.get(f"{API}/units/", {"q": "a\x00b"}), 400, "invalid")
    assert res["fields"] == {"q": ["Không được chứa ký tự NUL."]}
    assert not ActivityRecord.objects.exists()


def test_public_limit_counts_each_client_behind_the_proxy(tree, settings, fund_a):
    """Behind nginx every request comes from 127.0.0.1: the limit must count the client
    the proxy saw (X-Forwarded-For, MATTRAN_TRUSTED_PROXIES), or all visitors share it."""
    from django.core.cache import cache

    cache.clear()
    settings.MATTRAN_PUBLIC_RATE = "2/m"
    settings.MATTRAN_TRUSTED_PROXIES = 1
    client = APIClient(REMOTE_ADDR="127.0.0.1")

    def ask(ip: str) -> int:
        return client.get(
            f"{API}/public/donations/", {"q": "hoa"}, HTTP_X_FORWARDED_FOR=ip
        ).status_code

    assert [ask("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert ask("198.51.100.20") == 200  # another visitor still gets answers
    page = client.get("/cong-khai/", {"q": "hoa"}, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert page.status_code == 200  # the portal page counts per client as well
    assert client.get("/cong-khai/", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 429
    cache.clear()
