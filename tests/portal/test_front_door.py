"""The public front door (issue 11, item 8): "/" shows a visitor the public portal
with a login link; public pages link to each other; the login page links back."""

from mattran.news import services
from mattran.news.models import Category
from tests.factories import UserFactory


def test_a_visitor_at_the_root_sees_lookup_funds_news_and_a_login_link(client, db):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tra cứu khoản ủng hộ" in body and "Công khai quỹ" in body and "Tin tức" in body
    assert 'href="/dang-nhap/"' in body and 'action="/cong-khai/"' in body
    assert 'href="/tin-tuc/"' in body
    # Every public page carries the same links; the login page links back to "/".
    for url in ("/cong-khai/", "/tin-tuc/", "/dang-nhap/"):
        page = client.get(url).content.decode()
        assert 'href="/cong-khai/"' in page and 'href="/tin-tuc/"' in page, url
    assert 'data-testid="back-to-portal"' in client.get("/dang-nhap/").content.decode()


def test_published_news_is_on_the_front_page_and_users_go_on_to_the_app(client, tree):
    admin = UserFactory(is_superuser=True)
    article = services.article_create(
        actor=admin,
        unit=tree["district_a"],
        title="Ra mắt mô hình tự quản",
        body="Nội dung.",
        # (get_or_create: a transactional test before this one may have emptied it)
        category=Category.objects.get_or_create(
            slug="hoat-dong-mat-tran", defaults={"name": "Hoạt động Mặt trận"}
        )[0],
    )
    draft = services.article_create(
        actor=admin, unit=tree["district_a"], title="Bản nháp chưa đăng", body="Nháp."
    )
    services.article_publish(actor=admin, article=article)
    body = client.get("/").content.decode()
    assert "Ra mắt mô hình tự quản" in body and article.get_absolute_url() in body
    assert draft.title not in body
    user = UserFactory()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] != "/"
