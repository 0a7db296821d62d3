"""Upload or paste, review, confirm: access-checked, nothing written before confirmation."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mattran.access.models import Role
from mattran.core.models import AuditEvent
from mattran.reading import legacy
from tests.factories import UserFactory, grant

DATA = Path(__file__).parent / "data"
WRITES = ["aggregate.create", "aggregate.update", "entered_total.set", "reading.confirm"]


def written() -> int:
    """Audited writes of figures, wherever they go (aggregate entries or entered totals)."""
    return AuditEvent.objects.filter(action__in=WRITES).count()


TEXT = "Phối hợp tổ chức 5 cuộc tuyên truyền với 400 lượt người; Hòa giải 86/92 (đạt 93.4%)."


@pytest.fixture
def editor(tree):
    user = UserFactory(username="bientap")
    grant(user, tree["district_a"], Role.EDITOR)
    return user


@pytest.fixture
def viewer(tree):
    user = UserFactory(username="xem")
    grant(user, tree["district_a"], Role.VIEWER)
    return user


def test_pasted_text_without_unit_reads_and_checks_writes_nothing(client, editor):
    client.force_login(editor)
    before = AuditEvent.objects.count()
    response = client.post(reverse("reading:upload"), {"text": TEXT})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tỷ lệ “93.4%” sai" in body and "93,5%" in body
    assert "Số cuộc tuyên truyền" in body
    assert 'data-testid="confirm-form"' not in body
    assert AuditEvent.objects.count() == before


def test_uploaded_legacy_file_is_converted(client, editor):
    client.force_login(editor)
    data = legacy.unicode_to_vni(TEXT).encode("cp1252")
    response = client.post(
        reverse("reading:upload"), {"file": SimpleUploadedFile("cu.txt", data, "text/plain")}
    )
    body = response.content.decode()
    assert '<strong data-testid="encoding">vni</strong>' in body
    assert "Tỷ lệ “93.4%” sai" in body


def test_review_then_confirm_writes_entered_totals_audited(client, editor, tree):
    client.force_login(editor)
    response = client.post(
        reverse("reading:upload"), {"text": TEXT, "unit": "911", "period": "2022"}
    )
    body = response.content.decode()
    assert 'data-testid="confirm-form"' in body
    assert written() == 0  # nothing written by reading
    rows = response.context["analysis"].proposals
    keys = [f.key for f in rows]
    assert keys == ["tuyen_truyen", "tuyen_truyen_luot", "hoa_giai_thanh", "hoa_giai_tiep_nhan"]
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "unit": str(tree["district_a"].pk),
        "period": "2022",
        "source": "nội dung dán vào",
    }
    for i, f in enumerate(rows):
        data |= {
            f"form-{i}-key": f.key,
            f"form-{i}-value": str(f.value),
            f"form-{i}-decision": "accept",
        }
    data["form-1-decision"] = "reject"  # the attendance is left out
    data["form-0-key"] = "toa_dam"  # the person changes a key
    response = client.post(reverse("reading:confirm"), data)
    assert response.status_code == 302
    from mattran.core.periods import Period
    from mattran.reading.selectors import history_of

    # the accepted figures, as entered totals of the district for 2022, nothing else
    assert history_of(unit=tree["district_a"], period=Period.parse("2022")) == {
        "toa_dam": 5,
        "hoa_giai_thanh": 86,
        "hoa_giai_tiep_nhan": 92,
    }
    assert history_of(unit=tree["district_a"], period=Period.parse("2021")) == {}
    event = AuditEvent.objects.get(action="reading.confirm")
    assert event.actor == editor and event.unit == tree["district_a"]
    assert event.after["entries"] == {"toa_dam": 5, "hoa_giai_thanh": 86, "hoa_giai_tiep_nhan": 92}


def test_viewer_sees_the_reading_but_cannot_confirm(client, viewer, tree):
    client.force_login(viewer)
    response = client.post(
        reverse("reading:upload"), {"text": TEXT, "unit": "911", "period": "2022"}
    )
    assert 'data-testid="confirm-form"' not in response.content.decode()
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "unit": str(tree["district_a"].pk),
        "period": "2022", "form-0-key": "tuyen_truyen", "form-0-value": "5",
        "form-0-decision": "accept",
    }  # fmt: skip
    assert client.post(reverse("reading:confirm"), data).status_code == 404
    assert written() == 0


def test_bad_input_writes_nothing(client, editor, tree):
    client.force_login(editor)
    response = client.post(reverse("reading:upload"), {"text": TEXT, "unit": "911"})
    assert "cần cả đơn vị và kỳ" in response.content.decode()
    base = {
        "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "unit": str(tree["district_a"].pk),
        "period": "2022", "form-0-key": "tuyen_truyen", "form-0-value": "5",
        "form-0-decision": "accept", "form-1-key": "tuyen_truyen", "form-1-value": "7",
        "form-1-decision": "accept",
    }  # fmt: skip
    response = client.post(reverse("reading:confirm"), base, follow=True)
    assert "được chọn hai lần" in response.content.decode()
    response = client.post(
        reverse("reading:confirm"),
        base | {"form-1-key": "toa_dam", "form-1-value": "-3"},
        follow=True,
    )
    assert "không hợp lệ" in response.content.decode()
    assert written() == 0
    assert not AuditEvent.objects.filter(action="reading.confirm").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("reading:upload"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_news_with_a_slip_is_not_published_unless_the_publisher_says_so(tree):
    from mattran.core.errors import UserFacingError
    from mattran.news import services as news
    from mattran.news.models import Category

    approver = UserFactory(username="duyet")
    grant(approver, tree["district_a"], Role.ADMIN)
    category = Category.objects.first() or Category.objects.create(name="Tin", slug="tin")
    article = news.article_create(
        actor=approver, unit=tree["district_a"], title="Sơ kết 9 tháng",
        lead="", body="Hòa giải 86/92 (đạt 93.4%).", category=category, author_line="",
    )  # fmt: skip
    with pytest.raises(UserFacingError, match="93,5%"):
        news.article_publish(actor=approver, article=article)
    article.refresh_from_db()
    assert not article.is_published
    news.article_publish(actor=approver, article=article, allow_slips=True)
    event = AuditEvent.objects.get(action="article.publish")
    assert "Đăng dù có cảnh báo" in event.note and article.is_published


def test_generated_report_is_checked_on_its_page(client, editor, tree, monkeypatch):
    import datetime as dt

    from mattran.activities import services as act
    from mattran.reports.selectors import Report

    for i, outcome in enumerate(["resolved", "resolved", "failed"]):
        act.mediation_case_create(
            actor=None, unit=tree["ward_a1"], received_on=dt.date(2023, 3, 1 + i),
            title=f"Vụ {i}", outcome=outcome, closed_on=dt.date(2023, 4, 1),
        )  # fmt: skip
    client.force_login(editor)
    url = reverse("reports:report", args=[tree["district_a"].pk, "2023-9M"])
    body = client.get(url).content.decode()
    assert "Hòa giải 2/3 (đạt 66,7%)" in body  # the generated rate, rounded right
    assert 'data-testid="report-slips"' not in body
    # were the narrative to print a truncated rate, the page would say so
    monkeypatch.setattr(Report, "narrative", property(lambda self: "Hòa giải 2/3 (đạt 66,6%)."))
    body = client.get(url).content.decode()
    assert 'data-testid="report-slips"' in body and "66,7%" in body
