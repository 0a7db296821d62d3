"""In the browser: htmx and the page scripts work under the Content-Security-Policy
with no violation, and an approver enrols a TOTP app and logs in with its codes."""

import re

import pytest
from playwright.sync_api import expect

from mattran.demo.loader import DEMO_PASSWORD
from tests.access.test_two_factor import code_for

from .conftest import login

pytestmark = pytest.mark.browser

RECORD_CSP_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def watch(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_unit_tree_and_version_switch_work_under_the_csp(page, live_server, demo):
    problems = watch(page)
    login(page, live_server.url, "xem.thanhxuan", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/don-vi/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    tree = page.get_by_test_id("unit-tree")
    expand = tree.get_by_role("button", name="Mở đơn vị con của Quận Thanh Xuân")
    expand.click()  # htmx loads the children
    expect(tree.get_by_role("link")).to_have_count(12)
    expect(expand).to_have_count(0)  # app.js removed the button after the request

    # <select data-autosubmit>: app.js submits the form on change.
    tree.get_by_role("link", name="Quận Thanh Xuân").click()
    terms = page.get_by_label("Nhiệm kỳ")
    other = next(
        value
        for value in terms.locator("option").evaluate_all("os => os.map(o => o.value)")
        if value != terms.input_value()
    )
    terms.select_option(value=other)
    expect(page).to_have_url(re.compile(rf"nhiem-ky={other}$"))

    assert page.evaluate("window.__csp") == []
    assert problems == []


def test_approver_enrols_a_totp_app_and_logs_in_with_it(page, live_server, demo, settings):
    settings.MATTRAN_REQUIRE_2FA = True
    problems = watch(page)
    login(page, live_server.url, "pheduyet.dongda", DEMO_PASSWORD)

    expect(page).to_have_url(re.compile(r"/xac-thuc-hai-buoc/dang-ky/"))
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Mã xác thực (6 chữ số)").fill(code_for(secret))
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã bật xác thực hai bước")
    expect(page.get_by_test_id("home-units")).to_contain_text("Quận Đống Đa")

    page.get_by_role("button", name="Đăng xuất").click()
    login(page, live_server.url, "pheduyet.dongda", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/xac-thuc-hai-buoc/\?next="))
    # The code used at enrolment cannot be used again: the app's next code.
    page.get_by_label("Mã xác thực (6 chữ số)").fill(code_for(secret, later_steps=1))
    page.get_by_role("button", name="Xác thực").click()
    expect(page).to_have_url(re.compile(r"/bao-cao/viec-can-lam/$"))
    expect(page.get_by_test_id("home-units")).to_contain_text("Quận Đống Đa")

    assert page.evaluate("window.__csp") == []
    assert problems == []
