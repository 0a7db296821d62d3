"""The API docs page: Swagger UI from the sidecar package, under the CSP, calling the API."""

import pytest
from playwright.sync_api import expect

from mattran.access.models import Role
from mattran.api.services import api_token_create
from tests.factories import UserFactory, grant, make_unit

from .test_security import watch

pytestmark = pytest.mark.browser


def test_swagger_ui_runs_under_the_csp_and_calls_the_api_with_a_token(
    page, live_server, transactional_db
):
    city = make_unit("Thành phố Thử", code="91")
    make_unit("Quận A", city, code="911")
    user = UserFactory(username="ketnoi")
    grant(user, city, Role.VIEWER)
    _, token = api_token_create(actor=None, user=user)
    problems = watch(page)
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("mattran API")).to_be_visible()
    operation = page.locator("#operations-Đơn_vị-units_list")
    expect(operation).to_be_visible()

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.locator(".auth-container input").fill(f"Token {token}")
    dialog.get_by_role("button", name="Apply credentials").click()
    dialog.get_by_role("button", name="Close", exact=True).click()

    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    result = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(result).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("Quận A")

    assert page.evaluate("window.__csp") == []
    assert problems == []
    assert external == []
