"""RSS 2.0 feeds of published articles (django.contrib.syndication)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape

from mattran.core.text import printable
from mattran.core.vietnamese import mask_personal

from . import selectors
from .models import Category


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed
    description = "Tin hoạt động của Ủy ban Mặt trận Tổ quốc Việt Nam các cấp"
    language = "vi"

    def get_object(self, request, slug: str | None = None):
        return get_object_or_404(Category, slug=slug) if slug else None

    def title(self, category):
        base = "Tin tức Mặt trận Tổ quốc"
        return f"{base} – {category.name}" if category else base

    def link(self, category):
        if category:
            return reverse("news:category", args=[category.slug])
        return reverse("news:index")

    def items(self, category):
        return selectors.articles_public(category=category)[:30]

    def item_title(self, item):
        return mask_personal(printable(item.title))

    def item_description(self, item):
        """Plain text: readers render a description as HTML, so the text is escaped for
        them (a "<b>" typed in a lead shows as those three characters, never as markup)."""
        text = item.lead or (item.paragraphs[0] if item.paragraphs else "")
        return escape(mask_personal(printable(text)))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return printable(item.author_line) or None

    def item_categories(self, item):
        return [printable(item.category.name)] if item.category_id else []
