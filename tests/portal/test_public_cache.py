"""Public lookup and disclosure cached by the ledger's version (portal/cached.py):
served from the cache while the ledger is unchanged, a booked donation shows at once."""

import datetime as dt

import pytest
from django.core.cache import cache

from mattran.funds import services
from mattran.funds.models import FundKind
from mattran.portal import selectors


@pytest.fixture
def data_cache(settings):
    settings.MATTRAN_DATA_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fund(tree, editor):
    fund = services.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ cứu trợ",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2024, 1, 1),
    )
    services.receipt_create(
        actor=editor,
        fund=fund,
        amount=500_000,
        booked_on=dt.date(2024, 9, 3),
        party_name="Nguyễn Thị Hoà",
    )
    return fund


@pytest.fixture
def counted(monkeypatch):
    calls = {"lookup": 0, "disclosure": 0}
    page, disclosure = selectors.donation_page, selectors.fund_disclosure

    def donation_page(**kw):
        calls["lookup"] += 1
        return page(**kw)

    def fund_disclosure(**kw):
        calls["disclosure"] += 1
        return disclosure(**kw)

    monkeypatch.setattr(selectors, "donation_page", donation_page)
    monkeypatch.setattr(selectors, "fund_disclosure", fund_disclosure)
    return calls


def test_a_booked_donation_shows_at_once(
    client, fund, editor, data_cache, counted, django_capture_on_commit_callbacks
):
    url = "/cong-khai/?q=pham+van+moi"
    assert "Phạm Văn Mới" not in client.get(url).content.decode()
    assert "Phạm Văn Mới" not in client.get(url).content.decode()
    assert counted["lookup"] == 1  # the second visitor read the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=700_000,
            booked_on=dt.date(2024, 9, 4),
            party_name="Phạm Văn Mới",
        )
    assert "Phạm Văn Mới" in client.get(url).content.decode()
    assert counted["lookup"] == 2


def test_disclosure_figures_follow_the_ledger(
    client, fund, editor, data_cache, counted, django_capture_on_commit_callbacks
):
    url = f"/cong-khai/quy/{fund.pk}/?ky=2024"
    first = client.get(url)
    assert 'data-testid="money-in">500.000 đ' in first.content.decode()
    # the figures are shared, the page is rendered for each visitor: a signed-in
    # user's page carries their own CSRF token and name, never someone else's
    client.force_login(editor)
    mine = client.get(url).content.decode()
    assert counted["disclosure"] == 1
    assert editor.username in mine and editor.username not in first.content.decode()
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=250_000,
            booked_on=dt.date(2024, 9, 5),
            party_name="Người mới",
        )
    assert 'data-testid="money-in">750.000 đ' in client.get(url).content.decode()
    assert counted["disclosure"] == 2


def test_a_ledger_row_saved_outside_a_service_bumps_the_version(
    client, fund, data_cache, counted, django_capture_on_commit_callbacks
):
    url = "/cong-khai/?q=nguyen+thi+hoa"
    assert "Nguyễn Thị Hoà" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        fund.is_public = False
        fund.save()  # e.g. the admin: no service, no audit event
    assert "Nguyễn Thị Hoà" not in client.get(url).content.decode()
    assert counted["lookup"] == 2


def test_lookup_results_html_is_rendered_once_per_search_and_ledger_version(
    client, fund, editor, data_cache, counted, monkeypatch, django_capture_on_commit_callbacks
):
    from mattran.portal import views

    rendered = []
    real = views.render_to_string

    def spy(name, context=None, *args, **kwargs):
        if name == views.RESULTS:
            rendered.append(dict(context or {}).get("querystring"))
        return real(name, context, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", spy)
    url = "/cong-khai/?q=nguyen+thi+hoa"
    first = client.get(url).content.decode()
    assert "Nguyễn Thị Hoà" in first and len(rendered) == 1
    second = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Nguyễn Thị Hoà" in second and len(rendered) == 1  # the cached HTML
    assert second.strip() in first
    # another search (here the same name with a date) is its own entry
    other = client.get(url + "&tu_ngay=2024-09-04").content.decode()
    assert "Nguyễn Thị Hoà" not in other.split('id="results"')[1].split("</div>")[0]
    assert len(rendered) == 2
    # a booked donation: the next visitor's results are rendered afresh and show it
    with django_capture_on_commit_callbacks(execute=True):
        services.receipt_create(
            actor=editor,
            fund=fund,
            amount=900_000,
            booked_on=dt.date(2024, 9, 5),
            party_name="Nguyễn Thị Hoà",
        )
    third = client.get(url).content.decode()
    assert third.count("900.000") >= 1 and len(rendered) == 3
