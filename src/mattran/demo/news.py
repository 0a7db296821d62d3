"""Demo: the Đống Đa 9-month review (seed 003) as a news article drafted from the report.

The report itself is built by `mattran.reports` from the ward records of its
demo; the article is drafted from that report's narrative (the API other
modules call) and published as seed 003 was, on 15/09/2023 at 16:36.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from mattran.core.periods import Period
from mattran.news import services
from mattran.news.models import Article, Category
from mattran.news.reference import install
from mattran.units.models import Unit

SOURCE_LABEL = "Báo cáo 9 tháng đầu năm 2023 – Quận Đống Đa"


@transaction.atomic
def step_report_article(out) -> None:
    from mattran.reports.selectors import report_build

    install()
    if Article.objects.filter(source_label=SOURCE_LABEL).exists():
        return
    district = Unit.objects.get(version__code="2023", name="Quận Đống Đa", level=2)
    period = Period.nine_months(2023)
    report = report_build(user=None, unit=district, period=period)
    paragraphs = [s.paragraph for s in report.sections if s.paragraph]
    if not paragraphs:
        return  # no records: nothing to tell
    admin = get_user_model().objects.filter(username="quantri").first()
    article = services.article_draft_from_report(
        actor=admin,
        unit=district,
        period=period,
        paragraphs=paragraphs,
        held_on=dt.date(2023, 9, 14),
        session="afternoon",
        chair_name="Nguyễn Thị Minh Hiền",
        chair_title="UVTV, Chủ tịch Ủy ban MTTQ Việt Nam quận",
        category=Category.objects.get(slug="hoat-dong-mat-tran"),
        source_label=SOURCE_LABEL,
    )
    services.article_publish(
        actor=admin,
        article=article,
        published_at=dt.datetime(2023, 9, 15, 16, 36, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    out.write(f"  Tin đã đăng: {article.title}")


@transaction.atomic
def step_conference_article(out) -> None:
    """The news article of Thanh Xuân's conference of 13/01/2023, drafted from the
    conference record, edited and published on the portal."""
    from mattran.emulation.demo import CONFERENCE_DAY, _accounts, thanh_xuan
    from mattran.emulation.models import Conference

    install()
    district = thanh_xuan()
    conference = Conference.objects.filter(unit=district, held_on=CONFERENCE_DAY).first()
    if conference is None or Article.objects.filter(source_conference=conference).exists():
        return
    users = _accounts(district, list(Unit.objects.filter(parent=district)))
    editor, approver = users["bientap.thanhxuan"], users["pheduyet.thanhxuan"]
    article = services.article_draft_from_conference(
        actor=editor,
        conference=conference,
        category=Category.objects.get(slug="hoat-dong-mat-tran"),
    )
    # The editor reads the draft and edits it before publishing: the seed does not say how
    # many collectives and individuals were awarded, so the count is replaced by its words.
    body = article.body.replace(
        "cho 02 tập thể có thành tích xuất sắc",
        "cho các tập thể, cá nhân đã có những thành tích xuất sắc",
    )
    article = services.article_update(
        actor=editor,
        article=article,
        title=article.title,
        lead=article.lead,
        body=body,
        category=article.category,
        author_line=article.author_line,
    )
    services.article_publish(
        actor=approver,
        article=article,
        published_at=dt.datetime(2023, 1, 13, 18, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    out.write(f"  Hội nghị ngày 13/01/2023 và tin đã đăng: /tin-tuc/{article.pk}-{article.slug}/")
