"""Reads for news: public reads see published articles only; staff reads start from
the units the user may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from mattran.access.policy import Perm, policy_for

from .models import Article, ArticlePhoto, ArticleStatus, Category


def published() -> QuerySet[Article]:
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__isnull=False)
        .select_related("category", "unit")
        .order_by("-published_at", "-id")
    )


def articles_public(*, category: Category | None = None) -> QuerySet[Article]:
    qs = published().prefetch_related(
        Prefetch("photos", queryset=ArticlePhoto.objects.order_by("order", "id"))
    )
    if category is not None:
        qs = qs.filter(category=category)
    return qs


def article_get_public(*, pk: int) -> Article:
    article = (
        published()
        .prefetch_related(Prefetch("photos", queryset=ArticlePhoto.objects.order_by("order", "id")))
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise Http404("Không tìm thấy bài viết")
    return article


def other_articles(*, article: Article, limit: int = 6) -> list[Article]:
    """ "Các tin tức khác": newest published articles, same category first (2 queries at most)."""
    base = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__isnull=False)
        .exclude(pk=article.pk)
        .order_by("-published_at", "-id")
        .only("id", "slug", "title", "published_at", "category_id")
    )
    others = (
        list(base.filter(category_id=article.category_id)[:limit]) if article.category_id else []
    )
    if len(others) < limit:
        seen = [a.pk for a in others]
        others += list(base.exclude(pk__in=seen)[: limit - len(others)])
    return others


def categories_with_counts() -> list[Category]:
    return list(
        Category.objects.annotate(
            n=Count("articles", filter=Q(articles__status=ArticleStatus.PUBLISHED))
        ).order_by("order", "name")
    )


def articles_visible(*, user) -> QuerySet[Article]:
    return (
        Article.objects.filter(policy_for(user).unit_q(Perm.VIEW, prefix="unit__"))
        .select_related("unit", "category", "created_by")
        .order_by("status", "-published_at", "-updated_at", "-id")
    )


def article_get_visible(*, user, pk: int) -> Article:
    article = articles_visible(user=user).filter(pk=pk).first()
    if article is None:
        raise Http404("Không tìm thấy bài viết")
    return article


def articles_from_conference(*, user, conference) -> list[Article]:
    return list(articles_visible(user=user).filter(source_conference=conference))


def photo_get_public_or_visible(*, user, pk: int) -> ArticlePhoto:
    photo = ArticlePhoto.objects.select_related("article", "article__unit").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if photo.article.is_published:
        return photo
    if getattr(user, "is_authenticated", False) and policy_for(user).can(
        Perm.VIEW, photo.article.unit
    ):
        return photo
    raise Http404
