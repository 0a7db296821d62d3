import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.core.periods import Period
from mattran.news import services
from mattran.news.models import Article, ArticleStatus, Category
from tests.emulation.conftest import png_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference(db):
    from mattran.news.reference import install

    install()  # a transactional test elsewhere may have flushed the migration's rows


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(tree):
    from mattran.access.models import Role
    from tests.factories import UserFactory, grant

    users = {
        "editor": UserFactory(username="bien.tap"),
        "approver": UserFactory(username="phe.duyet"),
        "other": UserFactory(username="quan.b"),
    }
    grant(users["editor"], tree["district_a"], Role.EDITOR)
    grant(users["approver"], tree["district_a"], Role.APPROVER)
    grant(users["other"], tree["district_b"], Role.ADMIN)
    return users


def _category():
    return Category.objects.get(slug="hoat-dong-mat-tran")


def _article(tree, people, title="Hội nghị phát động thi đua năm 2023", **kw):
    data = dict(
        actor=people["editor"],
        unit=tree["district_a"],
        title=title,
        lead="Sáng 13/01/2023, Ủy ban MTTQ quận A tổ chức Hội nghị.",
        body="Sáng 13/01/2023, Ủy ban MTTQ quận A tổ chức Hội nghị.\n\nĐoạn   thứ hai.\r\n\r\n\n",
        category=_category(),
    )
    data.update(kw)
    return services.article_create(**data)


def test_article_text_is_normalised_and_slugged(tree, people):
    a = _article(tree, people, title="Ủy ban MTTQ quận Đống Đa sơ kết 9 tháng")
    assert a.slug == "uy-ban-mttq-quan-dong-da-so-ket-9-thang"
    assert a.paragraphs == [
        "Sáng 13/01/2023, Ủy ban MTTQ quận A tổ chức Hội nghị.",
        "Đoạn thứ hai.",
    ]
    with pytest.raises(UserFacingError, match="Tiêu đề không được để trống"):
        _article(tree, people, title="  ")


def test_publishing_needs_approve_and_a_category_then_is_public(client, tree, people):
    a = _article(tree, people, category=None)
    with pytest.raises(UserFacingError, match="không có quyền"):
        services.article_publish(actor=people["editor"], article=a)
    with pytest.raises(UserFacingError, match="Chọn danh mục"):
        services.article_publish(actor=people["approver"], article=a)
    assert client.get(f"/tin-tuc/{a.pk}-{a.slug}/").status_code == 404  # drafts are not public
    services.article_update(
        actor=people["editor"], article=a, title=a.title, body=a.body, category=_category()
    )
    services.article_publish(actor=people["approver"], article=a)
    response = client.get(f"/tin-tuc/{a.pk}-{a.slug}/")  # anonymous
    assert response.status_code == 200
    assert "Đoạn thứ hai." in response.content.decode()
    assert client.get(f"/tin-tuc/{a.pk}-sai-duong-dan/").status_code == 301
    assert a.title in client.get("/tin-tuc/").content.decode()
    assert a.title in client.get("/tin-tuc/danh-muc/hoat-dong-mat-tran/").content.decode()
    assert a.title not in client.get("/tin-tuc/danh-muc/thi-dua-khen-thuong/").content.decode()
    with pytest.raises(UserFacingError, match="lý do"):
        services.article_unpublish(actor=people["approver"], article=a, reason=" ")
    services.article_unpublish(actor=people["approver"], article=a, reason="Sai số liệu")
    assert client.get(f"/tin-tuc/{a.pk}-{a.slug}/").status_code == 404
    assert AuditEvent.objects.get(action="article.unpublish").note == "Sai số liệu"


def test_other_news_links(client, tree, people):
    articles = [_article(tree, people, title=f"Tin số {i}") for i in range(4)]
    for i, a in enumerate(articles):
        services.article_publish(
            actor=people["approver"],
            article=a,
            published_at=timezone.make_aware(dt.datetime(2023, 1, 10 + i, 9)),
        )
    html = client.get(articles[0].get_absolute_url()).content.decode()
    other = html[html.index('data-testid="other-news"') :]
    assert "Tin số 3" in other and "Tin số 1" in other and "Tin số 0" not in other


def test_rss_is_valid_xml_with_published_items_only(client, tree, people):
    published = _article(tree, people, title="Tin đã đăng & có dấu <b>")
    services.article_publish(actor=people["approver"], article=published)
    _article(tree, people, title="Bản nháp chưa đăng")
    response = client.get("/tin-tuc/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("language") == "vi"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Tin đã đăng & có dấu <b>"]
    assert items[0].findtext("link").endswith(published.get_absolute_url())
    assert items[0].findtext("category") == "Hoạt động Mặt trận"
    assert items[0].findtext("pubDate")
    ET.fromstring(client.get("/tin-tuc/danh-muc/hoat-dong-mat-tran/rss/").content)  # noqa: S314
    assert client.get("/tin-tuc/danh-muc/khong-co/rss/").status_code == 404


def test_photos_are_validated_and_served_only_when_public(client, tree, people, settings):
    a = _article(tree, people)
    with pytest.raises(UserFacingError, match="không phải là ảnh"):
        services.article_photo_add(
            actor=people["editor"],
            article=a,
            image=SimpleUploadedFile("x.jpg", b"\xff\xd8\xffnot really"),
        )
    settings.MATTRAN_UPLOAD_MAX_BYTES = {"image": 100}
    with pytest.raises(UserFacingError, match="quá lớn"):
        services.article_photo_add(actor=people["editor"], article=a, image=png_file())
    settings.MATTRAN_UPLOAD_MAX_BYTES = {"image": 5 * 1024 * 1024}
    with pytest.raises(UserFacingError, match="Chỉ nhận ảnh"):
        services.article_photo_add(
            actor=people["editor"], article=a, image=SimpleUploadedFile("x.gif", b"GIF89a")
        )
    photo = services.article_photo_add(
        actor=people["editor"], article=a, image=png_file(size=(64, 48)), caption="Quang cảnh"
    )
    assert (photo.width, photo.height) == (64, 48)
    url = f"/tin-tuc/anh/{photo.pk}/"
    assert client.get(url).status_code == 404  # draft: not public
    client.force_login(people["editor"])
    assert client.get(url).status_code == 200  # but its editors see it
    client.logout()
    services.article_publish(actor=people["approver"], article=a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "Quang cảnh" in client.get(a.get_absolute_url()).content.decode()


def test_decompression_bomb_is_refused(tree, people, monkeypatch):
    from mattran.core import uploads

    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 1000)
    a = _article(tree, people)
    with pytest.raises(UserFacingError, match="Ảnh quá lớn"):
        services.article_photo_add(actor=people["editor"], article=a, image=png_file(size=(50, 50)))


def test_draft_from_report_api(tree, people):
    article = services.article_draft_from_report(
        actor=people["editor"],
        unit=tree["district_a"],
        period=Period.nine_months(2023),
        paragraphs=["Phối hợp tổ chức 103 cuộc tuyên truyền với 9.856 lượt người tham dự."],
        held_on=dt.date(2023, 9, 14),
        starts_at=dt.time(14, 30),
        chair_name="Nguyễn Thị Minh Hiền",
        chair_title="UVTV, Chủ tịch Ủy ban MTTQ Việt Nam quận",
    )
    assert (
        article.title == "Ủy ban MTTQ Việt Nam quận A sơ kết công tác Mặt trận 9 tháng đầu năm 2023"
    )
    assert article.paragraphs[0] == (
        "Chiều ngày 14/9, Ủy ban MTTQ Việt Nam quận A đã tổ chức Hội nghị Sơ kết công tác Mặt "
        "trận 9 tháng đầu năm 2023. Đồng chí Nguyễn Thị Minh Hiền – UVTV, Chủ tịch Ủy ban MTTQ "
        "Việt Nam quận chủ trì Hội nghị."
    )
    assert article.paragraphs[1].startswith("Phối hợp tổ chức 103 cuộc")
    assert article.status == ArticleStatus.DRAFT
    assert article.source_label == "Báo cáo 9 tháng đầu năm 2023 – Quận A"
    yearly = services.article_draft_from_report(
        actor=people["editor"], unit=tree["district_a"], period=Period.year(2023), paragraphs=[]
    )
    assert yearly.title.endswith("tổng kết công tác Mặt trận năm 2023")


def test_editor_pages_visibility(client, tree, people):
    a = _article(tree, people)
    client.force_login(people["other"])
    assert client.get(f"/tin-tuc/quan-ly/{a.pk}/").status_code == 404
    assert client.post(f"/tin-tuc/quan-ly/{a.pk}/dang/").status_code == 404
    client.force_login(people["editor"])
    assert client.post(f"/tin-tuc/quan-ly/{a.pk}/dang/").status_code == 404  # editors draft only
    response = client.post(
        f"/tin-tuc/quan-ly/{a.pk}/anh/",
        {"image": png_file(), "caption": "Ảnh hội nghị"},
    )
    assert response.status_code == 302 and a.photos.count() == 1
    client.force_login(people["approver"])
    assert client.post(f"/tin-tuc/quan-ly/{a.pk}/dang/").status_code == 302
    a.refresh_from_db()
    assert a.is_published
    page = client.get("/tin-tuc/quan-ly/").content.decode()
    assert a.title in page


def test_public_list_queries_are_bounded(client, tree, people, django_assert_max_num_queries):
    for i in range(12):
        a = _article(tree, people, title=f"Tin {i}")
        services.article_photo_add(actor=people["editor"], article=a, image=png_file())
        services.article_publish(actor=people["approver"], article=a)
    with django_assert_max_num_queries(6):
        response = client.get("/tin-tuc/")
    assert response.status_code == 200
    assert Article.objects.count() == 12
    assert io.BytesIO(response.content).getvalue().count(b"<article") == 10


def test_draft_from_a_period_report_page(client, tree, people):
    from django.apps import apps

    from mattran.activities import services as activities
    from mattran.activities.catalogue import install
    from mattran.activities.models import ActivityType

    install(apps)
    activities.activity_record_create(
        actor=None,
        unit=tree["ward_a1"],
        type=ActivityType.objects.get(code="tuyen_truyen"),
        date=dt.date(2023, 3, 8),
        title="Tuyên truyền Ngày Quốc tế Phụ nữ",
        attendance=85,
    )
    url = f"/tin-tuc/quan-ly/tu-bao-cao/{tree['district_a'].pk}/"
    client.force_login(people["other"])
    assert client.get(url).status_code == 404
    client.force_login(people["editor"])
    assert 'value="2023-9M"' in client.get(url + "?ky=2023-9M").content.decode()
    response = client.post(
        url, {"period": "2023-9M", "held_on": "2023-09-14", "session": "afternoon"}
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert (
        article.title == "Ủy ban MTTQ Việt Nam quận A sơ kết công tác Mặt trận 9 tháng đầu năm 2023"
    )
    assert article.paragraphs[0].startswith("Chiều ngày 14/9, Ủy ban MTTQ Việt Nam quận A")
    assert "Phối hợp tổ chức 1 cuộc tuyên truyền với 85 lượt người tham dự." in article.paragraphs
    bad = client.post(url, {"period": "2023-13"})
    assert "không hợp lệ" in bad.content.decode()


def test_public_news_text_is_masked(client, tree, people):
    a = _article(
        tree,
        people,
        title="Trao quà cho gia đình anh Tâm 0912.345678",
        lead="Ngày 12/09/2024 trao 5.000.000 đồng, liên hệ (091) 2345678.",
        body="Đoạn một.\n\nGia đình anh Tâm (sđt 0987 654321, STK 0071 0001 23456) đã nhận.",
    )
    services.article_publish(actor=people["approver"], article=a)
    for url in (a.get_absolute_url(), "/tin-tuc/", "/tin-tuc/rss/"):
        page = client.get(url).content.decode()
        assert "Trao quà cho gia đình anh Tâm ****.***678" in page, url
        for raw in ("0912.345678", "(091) 2345678", "0987 654321", "0071 0001 23456"):
            assert raw not in page, (url, raw)
    page = client.get(a.get_absolute_url()).content.decode()
    assert "(sđt **** ***321, STK **** **** **456)" in page
    assert "Ngày 12/09/2024 trao 5.000.000 đồng" in client.get("/tin-tuc/").content.decode()
