"""Counts typed in the activity pages go through the one Vietnamese number parser."""

import pytest

from mattran.access.models import Role
from mattran.activities.models import AggregateEntry
from tests.factories import UserFactory, grant


@pytest.fixture
def client_editor(client, tree):
    user = UserFactory()
    grant(user, tree["ward_a1"], Role.EDITOR)
    client.force_login(user)
    return client


def test_aggregate_entry_reads_grouped_thousands(tree, client_editor):
    """The bug: "201.000.000" was stored as 201 and the page said "Đã lưu"."""
    url = f"/hoat-dong/don-vi/{tree['ward_a1'].pk}/so-lieu/?loai=month&ky=2023-09"
    page = client_editor.get(url)
    assert page.status_code == 200
    response = client_editor.post(
        url, {"don_thu_tiep_nhan": "201.000.000", "don_thu_da_chuyen": "1 500"}, follow=True
    )
    assert "Đã lưu" in response.content.decode()
    values = {e.element.code: e.value for e in AggregateEntry.objects.select_related("element")}
    assert values == {"don_thu_tiep_nhan": 201_000_000, "don_thu_da_chuyen": 1_500}
    assert 'value="201.000.000"' in response.content.decode()  # shown back as typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [("1.5", "có phần thập phân"), ("1,234", "không rõ nghĩa"), ("１２３", "0–9"), ("-3", "âm")],
)
def test_aggregate_entry_refuses_ambiguous_numbers(tree, client_editor, typed, message):
    url = f"/hoat-dong/don-vi/{tree['ward_a1'].pk}/so-lieu/?loai=month&ky=2023-09"
    response = client_editor.post(url, {"don_thu_tiep_nhan": typed})
    page = response.content.decode()
    assert response.status_code == 200 and "Đã lưu" not in page
    assert message in page
    assert not AggregateEntry.objects.exists()
