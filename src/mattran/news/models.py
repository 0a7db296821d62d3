"""News articles published on the public portal.

An article belongs to the unit whose committee publishes it. It starts as a
draft (often generated from a conference record or a period report, see
`drafting.py`), is edited, gets photos, and is published; only published
articles are visible without login. The body is plain text, one paragraph per
blank-line-separated block: no HTML is stored, so nothing needs sanitising.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mattran.emulation.uploads import random_path, validate_image


def news_photo_path(instance, filename: str) -> str:
    return random_path("tin-tuc/anh", filename)


class Category(models.Model):
    name = models.CharField("tên danh mục", max_length=120, unique=True)
    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "danh mục tin"
        verbose_name_plural = "danh mục tin"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    PUBLISHED = "published", "Đã đăng"


class Article(models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị đăng tin",
        on_delete=models.PROTECT,
        related_name="articles",
    )
    category = models.ForeignKey(
        Category,
        verbose_name="danh mục",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    title = models.CharField("tiêu đề", max_length=300)
    slug = models.SlugField("đường dẫn", max_length=200, allow_unicode=False)
    lead = models.TextField("tóm tắt", blank=True)
    body = models.TextField("nội dung")
    author_line = models.CharField("đơn vị / tác giả", max_length=200, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField("đăng lúc", null=True, blank=True, db_index=True)
    source_conference = models.ForeignKey(
        "emulation.Conference",
        verbose_name="từ hội nghị",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    source_label = models.CharField("nguồn dữ liệu", max_length=300, blank=True)
    search_key = models.CharField(max_length=300, editable=False, db_index=True)
    # An edit of a published article waiting for approval: {title, lead, body, category,
    # author_line, by, at}. The public page and the feeds show the approved fields above
    # until an approver applies it (services.article_revision_approve).
    pending = models.JSONField("bản sửa chờ duyệt", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bài viết"
        verbose_name_plural = "bài viết"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="article_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("news:article", args=[self.pk, self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class ArticlePhoto(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        "ảnh",
        upload_to=news_photo_path,
        validators=[validate_image],
        width_field="width",
        height_field="height",
        max_length=200,
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    caption = models.CharField("chú thích", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ảnh"
        verbose_name_plural = "ảnh"
        ordering = ["article", "order", "id"]

    def __str__(self) -> str:
        return self.caption or f"Ảnh {self.pk}"
