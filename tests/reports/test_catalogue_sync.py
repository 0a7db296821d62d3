"""An existing database's default template is brought up to the catalogue in place; what an
office edited is kept (reports/catalogue_sync.py, `mattran report_catalogue_sync`)."""

import io

from django.apps import apps
from django.core.management import call_command

from mattran.reports.catalogue import SECTIONS, TEMPLATE
from mattran.reports.catalogue_sync import PREVIOUS, PREVIOUS_RECIPIENTS, catalogue_sync
from mattran.reports.models import ReportItem, ReportSection, ReportTemplate

FUNDS = "Công tác vận động quỹ và an sinh xã hội"
AWARDS = "Công tác thi đua, khen thưởng và Đại hội"
OFFICE_WORDS = "Tổ chức {hoi_nghi_dbnd} hội nghị nhân dân (đơn vị tự viết)."


def _lines(template):
    return {
        (i.section.heading, i.indicator.code if i.indicator else None, i.level, i.order, i.sentence)
        for i in ReportItem.objects.filter(section__template=template).select_related(
            "section", "indicator"
        )
    }


def _catalogue():
    out = set()
    for heading, items in SECTIONS:
        order = 0
        for code, sentence, *extra in items:
            level = extra[0] if extra else None
            if level is None or "add" in extra:
                order += 1
            out.add((heading, code, level, order, sentence))
    return out


def _make_it_old(template):
    """The template as a database installed before the catalogue grew (first version)."""
    template.recipients = PREVIOUS_RECIPIENTS[0]
    template.save()
    ReportSection.objects.filter(template=template, heading=AWARDS).delete()
    ReportItem.objects.filter(section__template=template, level__isnull=False).delete()
    money = ReportItem.objects.get(
        section__template=template, indicator__code="quy_vi_nguoi_ngheo_chi", level=None
    )
    money.sentence = PREVIOUS[(FUNDS, "quy_vi_nguoi_ngheo_chi", None)][0]
    money.save()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("report_catalogue_sync", *args, stdout=out)
    return out.getvalue()


def test_an_old_template_gets_the_catalogue_and_keeps_the_office_wording(db):
    template = ReportTemplate.objects.get(code=TEMPLATE["code"])
    assert _lines(template) == _catalogue()  # a fresh database: as the catalogue
    _make_it_old(template)
    edited = ReportItem.objects.get(section__template=template, indicator__code="hoi_nghi_dbnd")
    edited.sentence = OFFICE_WORDS
    edited.save()
    old = _lines(template)

    report = _run("--dry-run")
    assert "chạy thử" in report and "thêm:" in report and "cập nhật:" in report
    assert _lines(template) == old  # nothing written

    report = _run()
    assert "giữ nguyên (đơn vị đã sửa)" in report and "hoi_nghi_dbnd" in report
    lines = _lines(template)
    office = ("Công tác tuyên truyền, vận động", "hoi_nghi_dbnd", None)
    expected = {line if line[:3] != office else (*line[:4], OFFICE_WORDS) for line in _catalogue()}
    assert lines == expected
    template.refresh_from_db()
    assert template.recipients == TEMPLATE["recipients"]
    # run again: nothing left to do (the office's line is still reported as kept)
    again = catalogue_sync(apps)
    assert not again.changed and len(again.kept) == 1
    assert _lines(template) == expected


def test_a_level_line_does_not_hide_an_office_edited_general_line(db):
    template = ReportTemplate.objects.get(code=TEMPLATE["code"])
    _make_it_old(template)
    money = ReportItem.objects.get(
        section__template=template, indicator__code="quy_vi_nguoi_ngheo_chi", level=None
    )
    money.sentence = "Quỹ “Vì người nghèo” chi {quy_vi_nguoi_ngheo_chi} đồng (đơn vị tự viết)."
    money.save()
    result = catalogue_sync(apps)
    money.refresh_from_db()
    assert "(đơn vị tự viết)" in money.sentence
    # the ward/commune wording of that line would replace the office's in ward reports
    assert not ReportItem.objects.filter(
        section__template=template, indicator__code="quy_vi_nguoi_ngheo_chi", level=3
    ).exists()
    assert any("câu chung đã được đơn vị sửa" in k for k in result.kept)
    # the rest came: the congress and commendation section, the sea-islands ward line
    assert ReportSection.objects.filter(template=template, heading=AWARDS).exists()
    assert ReportItem.objects.filter(
        section__template=template, indicator__code="quy_bien_dao_van_dong", level=3
    ).exists()


def test_lines_an_office_added_are_left_alone(db):
    template = ReportTemplate.objects.get(code=TEMPLATE["code"])
    section = ReportSection.objects.get(template=template, heading=FUNDS)
    own = ReportItem.objects.create(section=section, order=40, sentence="Câu riêng của đơn vị.")
    result = catalogue_sync(apps)
    assert not result.changed
    own.refresh_from_db()
    assert own.sentence == "Câu riêng của đơn vị." and own.order == 40
