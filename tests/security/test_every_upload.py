"""Every upload goes through the one upload module (core/uploads.py), checked as a class.

- Every file field of every form of the project is an `UploadField` of a kind
  (type, content, that kind's size limit); no view reads `request.FILES` around a
  form; every model file field stores under a generated name.
- ENDPOINTS lists every page that takes a file. Each is sent, as a user who may
  use it and with otherwise valid data: a file whose content is not what its
  name claims, a file over its kind's limit (the limit lowered in the settings),
  and a sound file under a hostile name. The first two are refused with the
  upload module's Vietnamese message and write nothing; the third never gives a
  server error, and whatever it stores is stored under a generated name, never
  the person's. A spy on UploadField shows that every (form, field) of the first
  point was reached through a page, so a new upload must join ENDPOINTS.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

import mattran
from mattran.core.forms import UploadField
from mattran.core.uploads import KINDS
from tests.factories import UserFactory, row_counts
from tests.paths import STATEMENTS_DIR

SRC = Path(mattran.__file__).parent
UNITS_DATA = Path(__file__).resolve().parents[1] / "units" / "data"
WRONG = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(300)  # a Windows program
HOSTILE_STEM = "..\\..\\<img src=x onerror=alert(1)>\u202egpj.exe"


def _forms() -> list[type[forms.BaseForm]]:
    found = []
    for info in pkgutil.walk_packages(mattran.__path__, "mattran."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def file_fields() -> set[tuple[str, str]]:
    return {
        (f"{form.__module__}.{form.__name__}", name)
        for form in _forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    }


def test_every_form_file_field_is_an_upload_field():
    fields = file_fields()
    assert len(fields) >= 11  # the inventory below, at least
    wrong = []
    for form in _forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.FileField) and not isinstance(field, UploadField):
                wrong.append(f"{form.__module__}.{form.__name__}.{name}")
            elif isinstance(field, UploadField):
                assert field.kind in KINDS
    assert not wrong, f"file fields outside the upload module: {wrong}"


def test_no_view_reads_files_outside_a_form():
    """`request.FILES` only ever goes into a form (whose UploadField checks it)."""
    bad = []
    for path in SRC.rglob("views*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("get", "getlist", "__getitem__")
                and ast.unparse(node.value) == "request.FILES"
            ) or (isinstance(node, ast.Subscript) and ast.unparse(node.value) == "request.FILES"):
                bad.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not bad, f"request.FILES read outside a form: {bad}"


class _Stub:
    unit_id = 7
    pk = 1
    article_id = 1


def test_every_stored_file_gets_a_generated_name():
    checked = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.model.__module__.startswith("mattran"):
                stored = field.generate_filename(_Stub(), f"{HOSTILE_STEM}.pdf")
                assert "onerror" not in stored and ".." not in stored and "\\" not in stored, (
                    f"{model._meta.label}.{field.name} stores under the person's name: {stored}"
                )
                checked += 1
    assert checked >= 5


# ------------------------------------------------------------------ the pages


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _statement() -> bytes:
    with (STATEMENTS_DIR / "vcb-0011001932418-2024-09-01_part00.csv").open("rb") as f:
        return b"".join(f.readline() for _ in range(6))


@dataclass
class Endpoint:
    name: str
    url: Callable[[dict], str]
    field: str  # the file input's name
    kind: str
    good: Callable[[dict], tuple[str, bytes]]  # (file name, content) of a sound file
    data: Callable[[dict], dict] = lambda w: {}
    follow: bool = False  # the page answers a refusal with a redirect and a message


def _bulk_template(w):
    from mattran.activities.importers import bulk_template
    from mattran.core.periods import Period

    return "nhap.xlsx", bulk_template(unit=w["district"], period=Period.parse("2023-09"))


def _users_template(w):
    from mattran.access.importers import users_template

    return "nguoi-dung.xlsx", users_template()


def _page(name: str, *keys: str) -> Callable[[dict], str]:
    """The page `name` of the world's objects `keys` (their primary keys, in order)."""
    return lambda w: reverse(name, args=[w[k].pk for k in keys])


ACTIVITY = {"date": "2023-09-14", "title": "Tuyên truyền pháp luật", "attendance": "10"}

ENDPOINTS = [
    Endpoint(
        "activities:create",
        _page("activities:create", "district"),
        "attachment",
        "attachment",
        lambda w: ("bien-ban.pdf", _pdf()),
        lambda w: {**ACTIVITY, "type": w["type"].pk},
    ),
    Endpoint(
        "activities:update",
        _page("activities:update", "record"),
        "attachment",
        "attachment",
        lambda w: ("anh.png", _png()),
        lambda w: {**ACTIVITY, "type": w["type"].pk},
    ),
    Endpoint(
        "activities:bulk",
        _page("activities:bulk", "district"),
        "tep",
        "spreadsheet",
        _bulk_template,
        lambda w: {"ky": "2023-09"},
    ),
    Endpoint(
        "funds:upload",
        _page("funds:upload", "fund"),
        "file",
        "statement",
        lambda w: ("sao-ke.csv", _statement()),
        lambda w: {"account": w["bank"].pk, "layout": "vcb"},
    ),
    Endpoint(
        "access:users_bulk",
        _page("access:users_bulk"),
        "file",
        "spreadsheet",
        _users_template,
    ),
    Endpoint(
        "units:import",
        _page("units:import"),
        "file",
        "unit_list",
        lambda w: ("ha-nam.csv", (UNITS_DATA / "ha_nam_2025_01_phu_ly_duy_tien.csv").read_bytes()),
        lambda w: {"version_code": "2025-01", "valid_from": "2025-01-01"},
    ),
    Endpoint(
        "units:import (lineage)",
        _page("units:import"),
        "lineage_file",
        "unit_list",
        lambda w: (
            "ke-thua.csv",
            (UNITS_DATA / "lineage_ha_nam_2025_01_ninh_binh_2025_07.csv").read_bytes(),
        ),
        lambda w: {
            "version_code": "2025-07",
            "valid_from": "2025-07-01",
            "lineage_from": "khong-co",
            "file": SimpleUploadedFile(
                "ninh-binh.csv",
                (UNITS_DATA / "ninh_binh_2025_07_phu_ly_duy_tien.csv").read_bytes(),
            ),
        },
    ),
    Endpoint(
        "reading:upload",
        _page("reading:upload"),
        "file",
        "old_report",
        lambda w: (
            "bao-cao-cu.txt",
            "Báo cáo 9 tháng: tổ chức 12 cuộc tuyên truyền với 800 lượt người.".encode(),
        ),
    ),
    Endpoint(
        "news:photo_add",
        _page("news:photo_add", "article"),
        "image",
        "image",
        lambda w: ("anh.png", _png()),
        lambda w: {"caption": "Ảnh hội nghị"},
        follow=True,
    ),
    Endpoint(
        "emulation:program (document)",
        _page("emulation:program", "program"),
        "doc-file",
        "document",
        lambda w: ("van-ban.pdf", _pdf()),
        lambda w: {"action": "document"},
    ),
    Endpoint(
        "emulation:evidence_add",
        _page("emulation:evidence_add", "pledge", "ward"),
        "file",
        "document",
        lambda w: ("ke-hoach.pdf", _pdf()),
        lambda w: {"criterion": w["requirement"].pk, "note": "Kế hoạch giám sát"},
        follow=True,
    ),
    Endpoint(
        "emulation:decision_create",
        _page("emulation:decision_create", "district"),
        "document",
        "document",
        lambda w: ("quyet-dinh.pdf", _pdf()),
        lambda w: {
            "award_type": w["award"].pk,
            "issuer": "Ủy ban MTTQ Việt Nam quận A",
            "number": "15/QĐ-MTTQ",
            "signed_on": "2024-01-02",
            "achievement_year": "2023",
            "summary": "Tặng giấy khen",
        },
    ),
    Endpoint(
        "emulation:decision_add_many",
        _page("emulation:decision_add_many", "decision"),
        "file",
        "spreadsheet",
        lambda w: ("danh-sach.xlsx", _xlsx([["Họ và tên / tập thể"], ["Phường A1"]])),
        lambda w: {"lines": ""},
    ),
]


@pytest.fixture
def world(tree, settings, tmp_path):
    from mattran.activities import services as act
    from mattran.activities.models import ActivityType
    from mattran.emulation import reference
    from mattran.emulation import services as emu
    from mattran.emulation.models import AwardType
    from mattran.funds import services as funds
    from mattran.news import reference as news_reference
    from mattran.news import services as news
    from mattran.units.models import MemberOrganisation

    settings.MEDIA_ROOT = tmp_path / "media"
    reference.install()
    news_reference.install()
    district, ward = tree["district_a"], tree["ward_a1"]
    kind = ActivityType.objects.get(code="tuyen_truyen")
    w = {"district": district, "ward": ward, "type": kind, "media": settings.MEDIA_ROOT}
    w["record"] = act.activity_record_create(
        actor=None, unit=district, type=kind, date=dt.date(2023, 9, 1), title="Có sẵn",
        attendance=5,
    )  # fmt: skip
    w["fund"] = funds.fund_create(
        actor=None, unit=district, name="Quỹ Vì người nghèo quận A", kind="poor",
        opened_on=dt.date(2022, 1, 1),
    )  # fmt: skip
    w["bank"] = funds.fund_account_create(
        actor=None, fund=w["fund"], kind="bank", bank_name="Vietcombank",
        account_number="0011001932418",
    )  # fmt: skip
    w["article"] = news.article_create(
        actor=None, unit=district, title="Bản nháp", body="Nội dung."
    )
    org = MemberOrganisation.objects.create(unit=district, name="Hội Phụ nữ quận A")
    w["program"] = emu.program_create(
        actor=None, unit=district, member_organisation=org, year=2023, title="Chương trình"
    )
    pledge = emu.pledge_create(
        actor=None, unit=district, year=2023, title="Giao ước 2023", members=[ward]
    )
    w["requirement"] = emu.criterion_create(
        actor=None,
        pledge=pledge,
        data=emu.CriterionInput(
            code="CT1", short_name="Kế hoạch", text="Xây dựng kế hoạch", kind="requirement",
            points=Decimal(100),
        ),
    )  # fmt: skip
    emu.pledge_activate(actor=None, pledge=pledge, signed_on=dt.date(2023, 1, 13))
    w["pledge"] = pledge
    w["award"] = AwardType.objects.get(code="giay-khen")
    w["decision"] = emu.decision_create(
        actor=None, unit=district, award_type=w["award"], issuer="Ủy ban MTTQ quận A",
        number="1/QĐ-MTTQ", signed_on=dt.date(2024, 1, 2), achievement_year=2023,
        summary="Tặng giấy khen",
    )  # fmt: skip
    return w


@pytest.fixture
def reached(monkeypatch):
    """(form, field) pairs whose UploadField cleaned a file during the test."""
    seen: set[tuple[str, str]] = set()
    real = forms.BaseForm._clean_fields

    def spy(self):
        for name, field in self.fields.items():
            if isinstance(field, UploadField) and self.files.get(self.add_prefix(name)):
                seen.add((f"{type(self).__module__}.{type(self).__name__}", name))
        return real(self)

    monkeypatch.setattr(forms.BaseForm, "_clean_fields", spy)
    return seen


def _stored_files(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def _send(client, ep: Endpoint, w, name: str, content: bytes):
    data = dict(ep.data(w))
    data[ep.field] = SimpleUploadedFile(name, content)
    return client.post(ep.url(w), data, follow=ep.follow)


def _refused(client, ep: Endpoint, w, file: tuple[str, bytes], message: str, case: str) -> list:
    """Send `file`: the page must answer with `message` (no server error) and write nothing."""
    before = row_counts()
    response = _send(client, ep, w, *file)
    failures = []
    if response.status_code >= 500 or message not in response.content.decode():
        failures.append(f"{ep.name}: {case}: {response.status_code} without message")
    if row_counts() != before:
        failures.append(f"{ep.name}: {case} wrote something")
    return failures


def test_every_upload_refuses_wrong_content_and_oversize_and_stores_hostile_names_safely(
    client, world, settings, reached
):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    failures = []
    for ep in ENDPOINTS:
        good_name, good = ep.good(world)
        ext = Path(good_name).suffix

        # 1. content that is not what the name says
        failures += _refused(client, ep, world, (f"tep{ext}", WRONG), "không phải", "wrong content")

        # 2. over the kind's limit (one byte less than the sound file)
        settings.MATTRAN_UPLOAD_MAX_BYTES = {ep.kind: len(good) - 1}
        failures += _refused(client, ep, world, (good_name, good), "quá lớn", "oversize")
        del settings.MATTRAN_UPLOAD_MAX_BYTES

        # 3. a sound file under a hostile name
        files_before = _stored_files(world["media"])
        response = _send(client, ep, world, f"{HOSTILE_STEM}{ext}", good)
        if response.status_code >= 500:
            failures.append(f"{ep.name}: hostile name: {response.status_code}")
        for path in _stored_files(world["media"]) - files_before:
            if "onerror" in path.name or "exe" in path.name or "\u202e" in path.name:
                failures.append(f"{ep.name}: stored under the person's name: {path}")
    assert not failures, "\n".join(failures)
    missing = file_fields() - reached
    assert not missing, f"upload fields no page of ENDPOINTS reached: {sorted(missing)}"


def test_a_stored_attachment_keeps_the_persons_name_for_download_only(client, world):
    from mattran.activities.models import ActivityRecord

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    ep = ENDPOINTS[0]
    response = _send(client, ep, world, "../../Biên bản <họp> lần 1.pdf", _pdf())
    assert response.status_code == 302
    record = ActivityRecord.objects.exclude(pk=world["record"].pk).get()
    assert record.attachment_name == "Biên bản <họp> lần 1.pdf"  # folders dropped
    stored = Path(record.attachment.name)
    assert stored.suffix == ".pdf" and "Bi" not in stored.name and len(stored.stem) == 32
    download = client.get(reverse("activities:attachment", args=[record.pk]))
    assert download.status_code == 200
    assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n" in download["Content-Disposition"]
