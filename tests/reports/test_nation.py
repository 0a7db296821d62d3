"""The national and provincial reports are pages and API answers (issue 10 item 4): the
scope is chosen by a user whose grants cover it; a grant that does not cover it gets 404."""

import datetime as dt

import pytest
from django.urls import reverse

from mattran.access.models import Role
from tests.api.conftest import token_client
from tests.factories import UserFactory, grant, make_unit
from tests.reports.conftest import record


@pytest.fixture
def country(tree):
    """Two provinces of one structure version: the tree's city and a second province."""
    other = make_unit("Tỉnh Thử Hai", version=tree["city"].version, code="92")
    district = make_unit("Huyện Hai", other, code="921", kind="Huyện")
    commune = make_unit("Xã Hai Một", district, code="92101", kind="Xã")
    d = dt.date
    record(tree["ward_a1"], "tuyen_truyen", d(2023, 3, 1), title="Tuyên truyền A1", attendance=40)
    record(tree["ward_b1"], "tuyen_truyen", d(2023, 4, 1), title="Tuyên truyền B1", attendance=60)
    record(commune, "tuyen_truyen", d(2023, 5, 1), title="Tuyên truyền Hai", attendance=25)
    record(commune, "tuyen_truyen", d(2022, 5, 1), title="Năm trước", attendance=5)
    users = {
        "both": UserFactory(username="xem_ca_nuoc"),
        "one": UserFactory(username="xem_mot_tinh"),
        "district": UserFactory(username="xem_quan"),
        "super": UserFactory(username="quan_tri", is_superuser=True, is_staff=True),
    }
    grant(users["both"], tree["city"], Role.VIEWER)
    grant(users["both"], other, Role.VIEWER)
    grant(users["one"], tree["city"], Role.VIEWER)
    grant(users["district"], tree["district_a"], Role.VIEWER)
    return {"version": tree["city"].version, "other": other, "commune": commune, **users}


def _nation(country, code="2023-9M"):
    return reverse("reports:nation", args=[country["version"].code, code])


@pytest.mark.parametrize("who", ["both", "super"])
def test_a_user_covering_every_province_reads_the_national_report(client, tree, country, who):
    client.force_login(country[who])
    html = client.get(_nation(country)).content.decode()
    assert "Phối hợp tổ chức 3 cuộc tuyên truyền với 125 lượt người tham dự." in html
    # the breakdown is by province, each opening its own report
    assert reverse("reports:report", args=[tree["city"].pk, "2023-9M"]) in html
    assert reverse("reports:report", args=[country["other"].pk, "2023-9M"]) in html
    assert "Tỉnh Thử Hai" in html and "Toàn quốc" in html


def test_the_national_drill_down_lists_the_records_of_the_country_or_of_a_province(
    client, tree, country
):
    client.force_login(country["both"])
    url = reverse(
        "reports:nation_drilldown", args=[country["version"].code, "2023-9M", "tuyen_truyen"]
    )
    page = client.get(url).content.decode()
    assert all(t in page for t in ("Tuyên truyền A1", "Tuyên truyền B1", "Tuyên truyền Hai"))
    assert "Năm trước" not in page
    page = client.get(f"{url}?o={country['other'].pk}").content.decode()
    assert "Tuyên truyền Hai" in page and "Tuyên truyền A1" not in page
    page = client.get(f"{url}?o={tree['city'].pk}&ky=1").content.decode()
    assert "0 bản ghi" in page  # the city had nothing the year before
    # a unit that is not a province of the report, and a malformed bucket: 404
    assert client.get(f"{url}?o={tree['district_a'].pk}").status_code == 404
    assert client.get(f"{url}?o=self").status_code == 404


@pytest.mark.parametrize("who", ["one", "district"])
def test_a_grant_that_does_not_cover_the_country_gets_404(client, country, who):
    client.force_login(country[who])
    assert client.get(_nation(country)).status_code == 404
    drill = reverse(
        "reports:nation_drilldown", args=[country["version"].code, "2023-9M", "tuyen_truyen"]
    )
    assert client.get(drill).status_code == 404
    api = token_client(country[who])
    r = api.get(f"/api/v1/figures/?period=2023-9M&structure={country['version'].code}")
    assert r.status_code == 404
    # the picker does not offer it, and asking by hand is refused the same way
    index = client.get(reverse("reports:index")).content.decode()
    assert "Toàn quốc (" not in index
    r = client.get(
        reverse("reports:index"), {"don-vi": f"toan-quoc-{country['version'].code}", "ky": "2023"}
    )
    assert r.status_code == 404


def test_the_report_picker_offers_the_country_to_who_covers_it(client, country):
    client.force_login(country["both"])
    code = country["version"].code
    index = client.get(reverse("reports:index")).content.decode()
    assert f'value="toan-quoc-{code}"' in index
    r = client.get(reverse("reports:index"), {"don-vi": f"toan-quoc-{code}", "ky": "9 tháng 2023"})
    assert r.status_code == 302 and r["Location"] == _nation(country)


def test_unknown_structure_or_period_is_404_not_an_error(client, country):
    client.force_login(country["super"])
    assert client.get(reverse("reports:nation", args=["khong-co", "2023-9M"])).status_code == 404
    assert client.get(_nation(country, "abc")).status_code == 404


def test_the_api_gives_the_national_figures_by_province(tree, country):
    api = token_client(country["both"])
    code = country["version"].code
    r = api.get(f"/api/v1/figures/?period=2023-9M&structure={code}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["unit"] is None and data["structure"] == code
    fig = next(f for f in data["figures"] if f["code"] == "tuyen_truyen")
    assert fig["total"]["value"] == 3 and fig["previous"]["value"] == 1
    by_unit = {row["label"]: row["value"] for row in fig["by_unit"]}
    assert by_unit == {"Thành phố Thử": 2, "Tỉnh Thử Hai": 1}
    assert any("3 cuộc tuyên truyền" in s["text"] for s in data["narrative"])
    # without `structure`: the version in force at the period's end (the only one here)
    r = api.get("/api/v1/figures/?period=2023-9M")
    assert r.status_code == 200 and r.json()["structure"] == code
    # a structure that does not exist: a Vietnamese message on the field
    r = api.get("/api/v1/figures/?period=2023-9M&structure=khong-co")
    assert r.status_code == 400
    assert "Không có phiên bản địa giới" in r.json()["fields"]["structure"][0]


def test_a_provincial_report_is_a_page_and_an_api_answer_for_its_province(client, tree, country):
    """A province is a unit: its report page, drill-down and API work for a grant on it,
    and answer 404 to a grant below it."""
    city = tree["city"]
    client.force_login(country["one"])
    html = client.get(reverse("reports:report", args=[city.pk, "2023-9M"])).content.decode()
    assert "Phối hợp tổ chức 2 cuộc tuyên truyền với 100 lượt người tham dự." in html
    drill = reverse("reports:drilldown", args=[city.pk, "2023-9M", "tuyen_truyen"])
    assert "Tuyên truyền B1" in client.get(drill).content.decode()
    r = token_client(country["one"]).get(f"/api/v1/units/{city.pk}/figures/?period=2023-9M")
    assert r.status_code == 200 and r.json()["unit"]["id"] == city.pk
    client.force_login(country["district"])
    assert client.get(reverse("reports:report", args=[city.pk, "2023-9M"])).status_code == 404
    r = token_client(country["district"]).get(f"/api/v1/units/{city.pk}/figures/?period=2023-9M")
    assert r.status_code == 404


def test_the_national_figures_are_in_the_api_schema(client):
    spec = client.get("/api/v1/schema/", {"format": "json"}).json()
    get = spec["paths"]["/api/v1/figures/"]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"period", "structure"}
    assert {"200", "400", "401", "404"} <= set(get["responses"])
    assert "toàn quốc" in get["description"].lower()


def test_the_national_page_costs_the_same_queries_for_more_provinces(client, tree, country):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(country["both"])
    client.get(_nation(country))  # warm: sessions, reference data
    with CaptureQueriesContext(connection) as two:
        assert client.get(_nation(country)).status_code == 200
    third = make_unit("Tỉnh Thử Ba", version=country["version"], code="93")
    commune = make_unit("Xã Ba Một", make_unit("Huyện Ba", third, kind="Huyện"), kind="Xã")
    for day in (dt.date(2023, 2, 1), dt.date(2023, 6, 1)):
        record(commune, "tuyen_truyen", day, attendance=10)
    grant(country["both"], third, Role.VIEWER)
    client.force_login(country["both"])
    with CaptureQueriesContext(connection) as three:
        html = client.get(_nation(country)).content.decode()
    assert "Phối hợp tổ chức 5 cuộc tuyên truyền với 145 lượt người tham dự." in html
    assert len(three.captured_queries) == len(two.captured_queries)
