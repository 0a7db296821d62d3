"""One text normaliser on every input, clean text in every export (core/text.py).

Class tests: every text field of every form class and of every API serializer in the
project is walked (a new form cannot skip the check); exports and feeds are fetched
over rows written before the check, holding the control characters the outside probe
used (ESC, \\x1b), and must answer and parse.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
import pkgutil
import zipfile

import pytest
from defusedxml import ElementTree as ET
from django import forms
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

import mattran
from mattran.access.models import Role
from mattran.core.text import normalise_text, printable
from tests.factories import UserFactory, grant
from tests.reports.conftest import people, records  # noqa: F401 - shared fixtures

ESC = "\x1b"
DECOMPOSED = "Hoa\u0300 Bi\u0300nh"  # "Hoà Bình" typed with combining marks


def project_modules(leaf: str):
    for info in pkgutil.walk_packages(mattran.__path__, "mattran."):
        if info.name.rsplit(".", 1)[-1] == leaf:
            yield importlib.import_module(info.name)


def project_form_classes():
    for module in project_modules("forms"):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_normalise_text():
    assert normalise_text(DECOMPOSED) == "Hoà Bình"
    assert normalise_text("dòng 1\r\ndòng 2", multiline=True) == "dòng 1\ndòng 2"
    for bad in (f"Tổ dân phố{ESC}98", "a\x00b", "a\x85b", "a\ud800b"):
        with pytest.raises(ValidationError, match="ký tự điều khiển"):
            normalise_text(bad, multiline=True)
    with pytest.raises(ValidationError, match="một dòng"):
        normalise_text("dòng 1\ndòng 2")
    with pytest.raises(ValidationError, match="một dòng"):
        normalise_text("cột\tcột")
    assert printable(f"Tổ dân phố{ESC}98\n") == "Tổ dân phố98\n"


def test_every_form_text_field_is_normalised():
    checked = 0
    for form_class in project_form_classes():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, forms.JSONField):
                continue
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            with pytest.raises(ValidationError):
                field.to_python(f"a{ESC}b")
            if type(field).to_python is not forms.CharField.to_python:
                checked += 1
                continue  # parses its own format (money, a number): refusing is enough
            assert field.to_python(DECOMPOSED) == "Hoà Bình", where
            multiline = isinstance(field.widget, forms.Textarea)
            if multiline:
                assert field.to_python("a\nb") == "a\nb", where
            else:
                with pytest.raises(ValidationError):
                    field.to_python("a\nb")
            checked += 1
    assert checked > 50


def test_every_api_text_field_is_normalised():
    from rest_framework import fields, serializers
    from rest_framework.exceptions import ValidationError as APIError

    checked = 0
    for module in project_modules("serializers"):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, serializers.Serializer) or cls.__module__ != module.__name__:
                continue
            try:
                instance = cls()
            except TypeError:
                continue
            for name, field in instance.fields.items():
                if not isinstance(field, fields.CharField) or field.read_only:
                    continue
                with pytest.raises(APIError):
                    field.to_internal_value(f"a{ESC}b")
                assert field.to_internal_value(DECOMPOSED) == "Hoà Bình", (cls, name)
                checked += 1
    assert checked > 3


def test_a_form_names_the_field(client, tree):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    ward = tree["ward_a1"]
    response = client.post(
        f"/don-vi/{ward.pk}/them-khu-dan-cu/", {"name": f"Tổ dân phố{ESC}98", "kind": "Tổ dân phố"}
    )
    assert response.status_code == 200
    assert "ký tự điều khiển" in response.content.decode()
    assert not ward.children.filter(name__contains=ESC).exists()


# ------------------------------------------------- exports over rows written before


@pytest.fixture
def old_rows(tree):
    """The probe's rows, written past the forms as rows from before the check were."""
    from mattran.units.models import Unit

    area = tree["area_a1"]
    Unit.objects.filter(pk=area.pk).update(name=f"Tổ dân phố{ESC}98")
    return area


def xml_parts(data: bytes) -> None:
    """Every XML part of an Office file parses (Word and Excel refuse the file otherwise)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ET.fromstring(z.read(name))


def test_ward_report_and_bulk_template_with_a_control_character(client, tree, people, old_rows):  # noqa: F811
    ward = tree["ward_a1"]
    client.force_login(people["editor_a1"])
    xlsx = client.get(f"/bao-cao/{ward.pk}/2023-9M/bao-cao.xlsx")
    assert xlsx.status_code == 200
    xml_parts(xlsx.content)
    load_workbook(io.BytesIO(xlsx.content))
    docx = client.get(f"/bao-cao/{ward.pk}/2023-9M/bao-cao.docx")
    assert docx.status_code == 200
    xml_parts(docx.content)
    template = client.get(f"/hoat-dong/don-vi/{ward.pk}/nhap-excel/", {"ky": "2023-09", "tai": 1})
    assert template.status_code == 200
    names = [
        c.value
        for ws in load_workbook(io.BytesIO(template.content)).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "Tổ dân phố" in c.value
    ]
    assert "Tổ dân phố98" in names


def test_voucher_with_a_control_character(client, tree):
    from mattran.funds import services as funds
    from mattran.funds.models import FundKind, LedgerEntry

    editor = UserFactory()
    grant(editor, tree["district_a"], Role.EDITOR)
    fund = funds.fund_create(
        actor=editor,
        unit=tree["district_a"],
        name="Quỹ Vì người nghèo",
        kind=FundKind.POOR,
        opened_on=dt.date(2023, 1, 1),
    )
    # The ledger is append-only: a row written before the check keeps its text, so the
    # document must cope (the service is called directly, past the forms).
    entry = funds.receipt_create(
        actor=editor,
        fund=fund,
        amount=1_000_000,
        booked_on=dt.date(2023, 9, 14),
        party_name=f"Nguyễn{ESC} Văn A",
        memo="ủng hộ",
    )
    entry = LedgerEntry.objects.get(pk=getattr(entry, "pk", entry))
    assert ESC in entry.party_name
    client.force_login(editor)
    response = client.get(f"/quy/but-toan/{entry.pk}/phieu.docx")
    assert response.status_code == 200, response.content[:300]
    xml_parts(response.content)


def test_rss_with_a_control_character_and_markup_stays_plain_text(client, tree):
    from mattran.news import services as news
    from mattran.news.models import Article, Category
    from mattran.news.reference import install

    install()
    editor, approver = UserFactory(), UserFactory()
    grant(editor, tree["district_a"], Role.EDITOR)
    grant(approver, tree["district_a"], Role.APPROVER)
    article = news.article_create(
        actor=editor,
        unit=tree["district_a"],
        title="Tin thử",
        lead="<b>Đậm</b> & sapo",
        body="Nội dung.",
        category=Category.objects.get(slug="hoat-dong-mat-tran"),
    )
    news.article_publish(actor=approver, article=article)
    Article.objects.filter(pk=article.pk).update(lead=f"<b>Đậm</b>{ESC} & sapo")
    response = client.get("/tin-tuc/rss/")
    assert response.status_code == 200
    item = ET.fromstring(response.content).find("channel/item")
    # After XML decoding the reader gets HTML that shows the text, not markup.
    assert item.findtext("description") == "&lt;b&gt;Đậm&lt;/b&gt; &amp; sapo"
