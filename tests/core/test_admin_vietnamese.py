"""The Django admin speaks Vietnamese, third-party apps and models included: the index,
every model's list and add pages, and the change pages of the packages' models, down to
the column names, field labels, help texts, filters, fieldset titles and raw values."""

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.utils import timezone

VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I
)
# Words a label may be made of without a Vietnamese letter.
PLAIN = {"ID", "IP", "TOTP", "API", "GET", "POST", "HTTP", "Accept", "sha256", "Unix", "Xong", "QR"}
THIRD_PARTY = ("axes", "knox", "otp_totp", "django_tasks_database")


def _labels(page: str) -> list[str]:
    """The texts the admin writes itself: title, headings, breadcrumbs, column names,
    field labels, help texts, filter titles and options, actions."""
    patterns = [
        r"<title>(.*?)</title>",
        r"<h1[^>]*>(.*?)</h1>",
        r"<h2[^>]*>(.*?)</h2>",
        r"<h3[^>]*>(.*?)</h3>",
        r'<th scope="col"[^>]*>\s*<div class="text">\s*(?:<a [^>]*>|<span>)(.*?)</(?:a|span)>',
        r"<label[^>]*>(.*?)</label>",
        r'<div class="help"[^>]*>(?:<div>)?(.*?)</',
        r'aria-label="([^"]*)"',
        r'<a [^>]*href="[^"]*/(?:config|qrcode)/"[^>]*>(.*?)</a>',
        r'<div class="breadcrumbs">(.*?)</div>',
        r'<select name="action"[^>]*>(.*?)</select>',
    ]
    out = []
    for pattern in patterns:
        for found in re.findall(pattern, page, re.S):
            text = unescape(re.sub(r"<[^>]+>", " ", found))
            for part in re.split(r"\s*(?:›|\n)\s*", text):
                part = " ".join(part.split()).strip(" :")
                if part and re.search(r"[A-Za-z]", part):
                    out.append(part)
    return out


def _raw_values(page: str) -> list[str]:
    """Read-only values the admin printed raw: "None", "True", an ISO or UTC time."""
    values = re.findall(r'<div class="readonly">([^<]*)</div>', page)
    raw = re.compile(r"^(None|True|False)$|\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\+00:00")
    return [v.strip() for v in values if raw.search(v.strip())]


def _english(labels: list[str]) -> list[str]:
    bad = []
    for label in labels:
        if VIETNAMESE.search(label):
            continue
        words = re.findall(r"[A-Za-z][A-Za-z0-9]*", label)
        if all(w in PLAIN for w in words):
            continue
        bad.append(label)
    return bad


@pytest.fixture
def superuser(client, django_user_model, settings):
    settings.MATTRAN_REQUIRE_2FA = False
    user = django_user_model.objects.create_superuser("qt", password="x" * 12)
    client.force_login(user)
    return user


def test_admin_index_names_every_app_and_model_in_vietnamese(client, superuser):
    page = client.get("/quan-tri/").content.decode()
    for english in ("Access attempts", "Access failures", "Auth tokens", "TOTP devices", "Task"):
        assert english not in page, english
    for vietnamese in (
        "Đăng nhập sai và khóa tài khoản",
        "Lần đăng nhập sai",
        "Khóa truy cập API",
        "Thiết bị xác thực hai bước (TOTP)",
        "Công việc chạy nền",
        "Quản trị hệ thống",
    ):
        assert vietnamese in page, vietnamese
    assert _english(_labels(page)) == []


def test_every_admin_page_is_vietnamese(client, superuser):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult
    from knox.models import AuthToken

    common = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "10.0.0.1",
        "username": "qt",
        "http_accept": "text/html",
        "path_info": "/dang-nhap/",
    }
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=3)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common, locked_out=True)
    AuthToken.objects.create(user=superuser, expiry=dt.timedelta(days=1))
    TOTPDevice.objects.create(user=superuser, name="Điện thoại")
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="mattran.core.jobs.probe",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    problems = []
    pages = 0
    request = type("Request", (), {"user": superuser})()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/quan-tri/{opts.app_label}/{opts.model_name}/"
        urls = [base, f"/quan-tri/{opts.app_label}/"]
        if opts.app_label in THIRD_PARTY:  # and every page of theirs, with a row to show
            obj = model.objects.first()
            assert obj is not None, opts.label
            urls.append(f"{base}{obj.pk}/change/")
        if model_admin.has_add_permission(request):
            urls.append(f"{base}add/")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            pages += 1
            page = response.content.decode()
            problems += [f"{url}: {label}" for label in _english(_labels(page))]
            problems += [f"{url}: raw value {v}" for v in _raw_values(page)]
    assert pages >= 60
    assert problems == [], "\n".join(problems)


def test_naming_the_packages_models_changes_no_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogue_is_the_po_file(domain):
    """The committed .mo is the .po compiled (edit the .po, then run msgfmt)."""
    import ast
    import gettext
    from pathlib import Path

    import mattran

    folder = Path(mattran.__file__).parent / "locale" / "vi" / "LC_MESSAGES"
    with (folder / f"{domain}.mo").open("rb") as fh:
        compiled = dict(gettext.GNUTranslations(fh)._catalog)
    text = (folder / f"{domain}.po").read_text(encoding="utf-8")

    def string(block: str, keyword: str) -> str | None:
        found = re.search(rf'^{re.escape(keyword)} ((?:".*"\n?)+)', block, re.M)
        if not found:
            return None
        return "".join(ast.literal_eval(part) for part in re.findall(r'".*"', found.group(1)))

    entries = {}
    for block in text.split("\n\n"):
        msgid = string(block, "msgid")
        if not msgid:
            continue
        ctx = string(block, "msgctxt")
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        if string(block, "msgid_plural") is not None:
            entries[(key, 0)] = string(block, "msgstr[0]")
        else:
            entries[key] = string(block, "msgstr")
    compiled.pop("", None)
    assert entries and compiled == entries
