"""A published article changes on the portal only through approval.

The class test: every write an editor can make to an article (each service in
news.services that takes an article, and each management URL, through the real
views) is tried on a published article; the public page, the RSS feeds and the
photo list stay exactly the approved version until an approver approves the edit.
"""

import inspect
import re

import pytest
from django.urls import reverse

from mattran.core.errors import UserFacingError
from mattran.news import services
from mattran.news.models import Article, Category
from tests.emulation.conftest import png_file

pytestmark = pytest.mark.django_db

# Every service taking an article, by who may change the portal with it.
EDITOR_WRITES = {"article_update", "article_photo_add", "article_photo_delete"}
APPROVER_WRITES = {"article_publish", "article_unpublish", "article_revision_approve"}
NO_PUBLIC_CHANGE = {"article_revision_discard"}


@pytest.fixture(autouse=True)
def _reference(db, settings, tmp_path):
    from mattran.news.reference import install

    install()
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(tree):
    from mattran.access.models import Role
    from tests.factories import UserFactory, grant

    users = {"editor": UserFactory(username="bien.tap"), "approver": UserFactory(username="duyet")}
    grant(users["editor"], tree["district_a"], Role.EDITOR)
    grant(users["approver"], tree["district_a"], Role.APPROVER)
    return users


@pytest.fixture
def published(tree, people):
    category = Category.objects.get(slug="hoat-dong-mat-tran")
    article = services.article_create(
        actor=people["editor"],
        unit=tree["district_a"],
        title="Hội nghị phát động thi đua",
        lead="Bản đã duyệt.",
        body="Nội dung đã duyệt.",
        category=category,
    )
    services.article_photo_add(
        actor=people["editor"], article=article, image=png_file("a.png"), caption="Ảnh gốc"
    )
    return services.article_publish(actor=people["approver"], article=article)


def public_view(client, article: Article) -> list[bytes]:
    client.logout()
    pages = [
        client.get(article.get_absolute_url()),
        client.get(reverse("news:rss")),
        client.get(reverse("news:category_rss", args=[article.category.slug])),
        client.get(reverse("news:index")),
    ]
    assert all(p.status_code == 200 for p in pages)
    photos = list(article.photos.order_by("pk").values_list("pk", "caption"))
    # The feed's build date moves with the clock; everything else must not move.
    strip = [b"<lastBuildDate>", b"</lastBuildDate>"]
    out = []
    for p in pages:
        body = p.content
        if strip[0] in body:
            start, end = body.index(strip[0]), body.index(strip[1])
            body = body[:start] + body[end:]
        # per-request values: the CSP nonce and the CSRF token
        out.append(re.sub(rb"[A-Za-z0-9+/=_-]{32,}", b"", body))
    return [*out, repr(photos).encode()]


def test_every_article_service_is_classified():
    taking_article = {
        name
        for name, fn in inspect.getmembers(services, inspect.isfunction)
        if fn.__module__ == services.__name__
        and not name.startswith("_")
        and ({"article", "photo"} & set(inspect.signature(fn).parameters))
    }
    assert taking_article == EDITOR_WRITES | APPROVER_WRITES | NO_PUBLIC_CHANGE


def test_editor_services_leave_the_portal_as_approved(client, people, published):
    before = public_view(client, published)
    editor = people["editor"]
    services.article_update(
        actor=editor,
        article=published,
        title="Tiêu đề sửa chưa duyệt",
        lead="Sapo sửa.",
        body="Nội dung sửa chưa duyệt.",
        category=published.category,
    )
    with pytest.raises(UserFacingError, match="Bài đã đăng"):
        services.article_photo_add(actor=editor, article=published, image=png_file("b.png"))
    with pytest.raises(UserFacingError, match="Bài đã đăng"):
        services.article_photo_delete(actor=editor, photo=published.photos.get())
    published.refresh_from_db()
    assert public_view(client, published) == before
    assert published.pending["title"] == "Tiêu đề sửa chưa duyệt"


def test_editor_urls_leave_the_portal_as_approved(client, people, published):
    before = public_view(client, published)
    photo = published.photos.get()
    posts = [
        (
            reverse("news:edit", args=[published.pk]),
            {"title": "Sửa qua trang", "body": "Nội dung sửa qua trang.", "lead": "Sửa."},
        ),
        (
            reverse("news:photo_add", args=[published.pk]),
            {"image": png_file("c.png")},
        ),
        (reverse("news:photo_delete", args=[published.pk, photo.pk]), {}),
        (reverse("news:revision", args=[published.pk, "duyet"]), {}),
        (reverse("news:publish", args=[published.pk]), {}),
        (reverse("news:unpublish", args=[published.pk]), {"reason": "Thử gỡ."}),
    ]
    for url, data in posts:
        client.force_login(people["editor"])
        response = client.post(url, data)
        assert response.status_code in (302, 404), url
        assert public_view(client, published) == before, url


def test_the_approver_puts_the_edit_on_the_portal(client, people, published):
    services.article_update(
        actor=people["editor"],
        article=published,
        title="Tiêu đề mới",
        lead="Sapo mới.",
        body="Nội dung mới.",
        category=published.category,
    )
    assert "Tiêu đề mới".encode() not in public_view(client, published)[0]
    client.force_login(people["approver"])
    response = client.post(reverse("news:revision", args=[published.pk, "duyet"]))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.pending is None and published.title == "Tiêu đề mới"
    page = client.get(published.get_absolute_url())
    assert "Nội dung mới." in page.content.decode()
    feed = client.get(reverse("news:rss")).content.decode()
    assert "Tiêu đề mới" in feed and "Nội dung đã duyệt" not in feed


def test_discarding_keeps_the_approved_text(people, published):
    services.article_update(
        actor=people["editor"],
        article=published,
        title="Bỏ đi",
        body="Bỏ đi.",
        category=published.category,
    )
    article = services.article_revision_discard(actor=people["editor"], article=published)
    assert article.pending is None and article.title == "Hội nghị phát động thi đua"
