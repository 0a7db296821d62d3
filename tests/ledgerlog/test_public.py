"""The public pages and API of the ledger log; the downloaded verifier run against them."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import sys

import pytest
from django.urls import reverse

from mattran.funds import services
from mattran.ledgerlog.keys import public_bytes, signing_key
from mattran.ledgerlog.services import head_sign

D = dt.date


@pytest.fixture
def signed(fund, editor, key_file):
    made = [
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=amount,
            booked_on=D(2024, 9, day),
            party_name="Trần Thị Bình",
            memo=f"TRAN THI BINH ung ho lan {day}",
        )
        for day, amount in ((2, 100_000), (3, 250_000), (4, 75_000))
    ]
    head_sign()
    return made


class ClientSource:
    """The verifier's HttpSource, through Django's test client instead of the network."""

    def __init__(self, client):
        self.client = client

    def _get(self, path, **params):
        response = self.client.get(f"/api/v1/public/log/{path}", params)
        assert response.status_code == 200, response.content
        return response.json()

    def heads(self):
        return self._get("heads/")

    def leaves(self, start, end):
        return self._get("leaves/", start=start, end=end)["leaves"]

    def inclusion(self, entry, size):
        return self._get("inclusion/", entry=entry, size=size)

    def consistency(self, first, second):
        return self._get("consistency/", first=first, second=second)


def _downloaded_verifier(client, tmp_path):
    response = client.get(reverse("portal:verifier"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "kiem_tra_so_cai.py"
    path.write_bytes(response.content)
    spec = importlib.util.spec_from_file_location("kiem_tra_so_cai", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.pop("kiem_tra_so_cai", None)
    spec.loader.exec_module(module)
    return module


def test_the_downloaded_verifier_checks_a_donation_through_the_api(client, signed, tmp_path):
    script = _downloaded_verifier(client, tmp_path)
    tree = ast.parse((tmp_path / "kiem_tra_so_cai.py").read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    # standalone: the standard library and cryptography only
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}
    private, _ = signing_key()
    lines = []
    ok, state = script.verify_log(
        ClientSource(client),
        pinned_key=public_bytes(private),
        entry=signed[1].pk,
        out=lines.append,
    )
    assert ok, lines
    assert state["size"] == 3
    assert any("250.000 đ" in line for line in lines)


def test_lookup_links_each_donation_to_its_verification(client, signed):
    page = client.get(reverse("portal:lookup"), {"q": "tran thi binh"}).content.decode()
    assert page.count('data-testid="verify-link"') == 3
    assert reverse("portal:ledger_verify", args=[signed[0].pk]) in page


def test_verify_page_shows_leaf_proof_and_how_to_check(client, signed):
    response = client.get(reverse("portal:ledger_verify", args=[signed[0].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="leaf-ok"' in page
    assert "--entry " + str(signed[0].pk) in page
    assert page.count('<li class="text-break">') == 2  # 3 leaves: 2 hashes to the root


def test_verify_page_for_an_entry_not_in_the_log(client, signed):
    response = client.get(reverse("portal:ledger_verify", args=[999_999]))
    assert response.status_code == 404
    assert "không có trong sổ cái công khai" in response.content.decode()


def test_log_page_lists_heads_keys_and_gives_consistency_proofs(client, signed, fund, editor):
    services.receipt_create(actor=editor, fund=fund, amount=5_000, booked_on=D(2024, 9, 5))
    head_sign()
    page = client.get(reverse("portal:ledger_log"), {"tu": 3, "den": 4}).content.decode()
    _, key = signing_key()
    assert key.key_id in page
    assert page.count('<tr><td class="text-end">') == 2  # two heads
    assert 'data-testid="consistency-proof"' in page
    bad = client.get(reverse("portal:ledger_log"), {"tu": 5, "den": 4}).content.decode()
    assert "Kích thước không hợp lệ" in bad


def test_api_errors_are_json_and_vietnamese(client, signed):
    response = client.get("/api/v1/public/log/leaves/", {"start": "x", "end": 3})
    assert response.status_code == 400
    assert response.json()["fields"]["start"] == ["Cần một số nguyên không âm, tối đa 18 chữ số."]
    # Beyond a BIGINT, negative, non-ASCII digits: refused by name, never a 500.
    for value in ("9" * 30, "-1", "١٢٣", " 7"):
        response = client.get("/api/v1/public/log/inclusion/", {"entry": value})
        assert response.status_code == 400, value
        assert "entry" in response.json()["fields"], value
    response = client.get("/api/v1/public/log/leaves/", {"start": 0, "end": 5000})
    assert response.status_code == 400 and "tối đa 1000 lá" in response.json()["message"]
    response = client.get("/api/v1/public/log/inclusion/", {"entry": 999_999})
    assert response.status_code == 400


def test_an_inclusion_proof_takes_two_queries_and_a_consistency_proof_one(
    signed, django_assert_num_queries
):
    from mattran.ledgerlog import selectors

    with django_assert_num_queries(2):  # leaf + sizes + ledger row; tiles
        answer = selectors.inclusion_public(entry_id=signed[2].pk)
    assert (answer["index"], answer["size"]) == (2, 3)
    with django_assert_num_queries(1):  # the log's size with the tiles
        assert len(selectors.consistency_public(first=1, second=3)["proof"]) == 2
