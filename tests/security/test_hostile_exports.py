"""Formula injection: user text that a spreadsheet would run (= + - @, tab, CR first)
never starts a cell of any export. Each export is downloaded from its page and opened."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from mattran.access.models import Role
from mattran.activities.models import ActivityType
from mattran.funds import services as funds
from mattran.funds.models import FundKind
from mattran.units.models import Unit
from tests.factories import UserFactory, grant

from .hostile import FORMULA_STARTS, FORMULAS, TALLY

DAY = dt.date(2023, 9, 14)


def strip(text: str) -> str:
    """What the forms keep of a payload (NFC, whitespace trimmed)."""
    return " ".join(text.split())


def assert_inert_workbook(data: bytes, payloads: list[str], name: str) -> int:
    """No formula cell, no text cell starting with a formula character; returns how many
    cells carried a payload (each shown with its leading apostrophe)."""
    wb = load_workbook(io.BytesIO(data))
    found = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, ws.title, cell.coordinate, cell.value)
                value = cell.value
                if isinstance(value, str):
                    assert not value.startswith(FORMULA_STARTS), (name, cell.coordinate, value)
                    if any(p in value for p in payloads):
                        found += 1
                        if value.lstrip("'") in payloads:
                            assert value.startswith("'"), value
    TALLY.cases[name] += found
    return found


def test_report_xlsx(client, tree, people):
    ward = tree["ward_a1"]
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    for p in FORMULAS:  # residential areas named with a formula: rows of the report
        response = client.post(
            f"/don-vi/{ward.pk}/them-khu-dan-cu/", {"name": p, "kind": "Tổ dân phố"}
        )
        assert response.status_code == 302
    names = [strip(p) for p in FORMULAS]
    assert sorted(
        Unit.objects.filter(parent=ward).exclude(name="Tổ dân phố 1").values_list("name", flat=True)
    ) == sorted(names)
    client.force_login(people["editor_a1"])
    phan_bien = ActivityType.objects.get(code="phan_bien")
    for p in FORMULAS:  # proposals named in the narrative sheet
        client.post(
            f"/hoat-dong/don-vi/{ward.pk}/them/",
            {"type": phan_bien.pk, "date": DAY, "title": p, "subject": p},
        )
    response = client.get(f"/bao-cao/{ward.pk}/2023-9M/bao-cao.xlsx")
    assert response.status_code == 200
    assert assert_inert_workbook(response.content, names, "reports XLSX") >= len(FORMULAS)


def test_bulk_entry_template(client, tree, people):
    ward = tree["ward_a1"]
    for i, p in enumerate(FORMULAS):  # administrators extend the catalogue
        ActivityType.objects.create(code=f"loai_thu_{i}", name=p, subject_label=p, order=99)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    for p in FORMULAS:
        client.post(f"/don-vi/{ward.pk}/them-khu-dan-cu/", {"name": p, "kind": "Tổ dân phố"})
    client.force_login(people["editor_a1"])
    response = client.get(f"/hoat-dong/don-vi/{ward.pk}/nhap-excel/", {"ky": "2023-09", "tai": 1})
    assert response.status_code == 200
    payloads = [strip(p) for p in FORMULAS] + FORMULAS
    assert assert_inert_workbook(response.content, payloads, "bulk template XLSX") >= 2 * len(
        FORMULAS
    )


def test_public_ledger_csv(client, tree):
    editor = UserFactory()
    grant(editor, tree["district_a"], Role.EDITOR)
    fund = funds.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ Vì người nghèo",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    for p in FORMULAS:
        funds.receipt_create(
            actor=editor, fund=fund, amount=1_000_000, booked_on=DAY, party_name=p, memo=p
        )
    funds.disbursement_create(
        actor=editor,
        fund=fund,
        amount=100_000,
        booked_on=DAY,
        purpose="gifts",
        payee_name=FORMULAS[0],
        memo=FORMULAS[1],
    )
    response = client.get(f"/cong-khai/quy/{fund.pk}/so-quy.csv", {"ky": "2023"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    payloads = [strip(p) for p in FORMULAS]
    found = 0
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value
            if value.lstrip("'") in payloads:
                assert value.startswith("'")
                found += 1
    assert found == 2 * len(FORMULAS) + 2
    TALLY.cases["ledger CSV"] += found
