"""API writes with an Idempotency-Key are made once, however often they are sent;
each user's calls are rate-limited."""

import threading
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from mattran.activities.models import ActivityRecord
from mattran.api.models import IdempotentRequest
from mattran.core.models import AuditEvent
from mattran.funds.models import LedgerEntry
from tests.api.conftest import token_client

API = "/api/v1"
RECEIPT = {
    "amount": 1_005_000,
    "booked_on": "2023-09-14",
    "party_name": "Nguyễn Thị Hoà",
    "party_kind": "person",
    "memo": "Ung ho quy vi nguoi ngheo",
}


def _post(client, url, body, key):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_receipt_is_booked_once_and_the_first_answer_replayed(api, fund_a):
    client, url, key = api["editor_district_a"], f"{API}/funds/{fund_a.pk}/receipts/", "a1b2-c3"
    first = _post(client, url, RECEIPT, key)
    assert first.status_code == 201, first.content
    again = _post(client, url, RECEIPT, key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert LedgerEntry.objects.filter(fund=fund_a).count() == 1
    assert AuditEvent.objects.filter(action="ledger.receipt").count() == 1
    # A new key is a new receipt with the next voucher number.
    other = _post(client, url, RECEIPT, "a1b2-c4")
    assert other.json()["voucher"] == "PT-2023-0002"
    # Without a key nothing is remembered.
    assert client.post(url, RECEIPT, format="json").json()["voucher"] == "PT-2023-0003"
    assert IdempotentRequest.objects.count() == 2


def test_the_same_key_for_another_body_or_address_is_refused(api, fund_a, tree):
    client, url = api["editor_district_a"], f"{API}/funds/{fund_a.pk}/receipts/"
    assert _post(client, url, RECEIPT, "khoa-1").status_code == 201
    changed = _post(client, url, {**RECEIPT, "amount": 2_000_000}, "khoa-1")
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    assert changed.json()["message"].startswith("Khóa Idempotency-Key này đã dùng")
    activity = {"type": "hoi_nghi", "date": "2023-09-14", "title": "Hội nghị"}
    other_url = f"{API}/units/{tree['district_a'].pk}/activities/"
    assert _post(client, other_url, activity, "khoa-1").status_code == 422
    assert LedgerEntry.objects.filter(fund=fund_a).count() == 1
    assert not ActivityRecord.objects.exists()


def test_keys_belong_to_their_user(api, fund_a):
    url = f"{API}/funds/{fund_a.pk}/receipts/"
    from tests.factories import UserFactory, grant

    colleague = UserFactory(username="ke_toan")
    grant(colleague, fund_a.unit, "editor")
    mine = _post(api["editor_district_a"], url, RECEIPT, "chung")
    theirs = _post(token_client(colleague), url, RECEIPT, "chung")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refused_request_is_not_remembered_and_can_be_corrected(api, fund_a):
    client, url = api["editor_district_a"], f"{API}/funds/{fund_a.pk}/receipts/"
    bad = _post(client, url, {**RECEIPT, "amount": 0}, "sua-lai")
    assert bad.status_code == 400
    assert not IdempotentRequest.objects.exists()
    viewer = _post(api["viewer_a"], url, RECEIPT, "sua-lai")
    assert viewer.status_code == 403 and not IdempotentRequest.objects.exists()
    assert _post(client, url, RECEIPT, "sua-lai").status_code == 201


@pytest.mark.parametrize("key", ["", "có dấu", "x" * 256, "a b"])
def test_malformed_keys_are_refused_in_vietnamese(api, fund_a, key):
    client, url = api["editor_district_a"], f"{API}/funds/{fund_a.pk}/receipts/"
    response = client.post(
        url, RECEIPT, format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not LedgerEntry.objects.exists()


def test_an_activity_retried_is_recorded_once(api, tree):
    client, url = api["editor_a1"], f"{API}/units/{tree['ward_a1'].pk}/activities/"
    body = {"type": "hoi_nghi", "date": "2023-09-14", "title": "Hội nghị tổ dân phố"}
    key = str(uuid.uuid4())
    ids = {_post(client, url, body, key).json()["id"] for _ in range(3)}
    assert len(ids) == 1 and ActivityRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_receipt(api, fund_a):
    """Four connections send the same keyed receipt at once: one write, four equal answers."""
    url, key = f"{API}/funds/{fund_a.pk}/receipts/", str(uuid.uuid4())
    user = fund_a.unit.grants.get(user__username="editor_district_a").user
    clients = [token_client(user) for _ in range(4)]
    barrier, answers = threading.Barrier(4), []

    def send(client):
        try:
            barrier.wait()
            response = _post(client, url, RECEIPT, key)
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and {a for a in answers} == {(201, answers[0][1])}
    assert LedgerEntry.objects.filter(fund=fund_a).count() == 1


def test_each_user_has_a_call_budget(api, settings):
    settings.MATTRAN_API_RATE = "3/minute"
    cache.clear()
    client = api["viewer_a"]
    assert [client.get(f"{API}/units/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"{API}/units/")
    assert refused.status_code == 429
    assert refused.json()["message"] == "Bạn gửi quá nhiều yêu cầu; vui lòng thử lại sau ít phút."
    assert int(refused["Retry-After"]) > 0
    # Another user's budget is untouched.
    assert api["editor_a1"].get(f"{API}/units/").status_code == 200
