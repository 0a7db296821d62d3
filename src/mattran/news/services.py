"""Writes for news articles: draft (by hand, from a conference, from a period report),
edit, attach photos, publish and withdraw. Drafting and editing need EDIT on the
publishing unit; publishing and withdrawing need APPROVE."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mattran.access.policy import Perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.periods import Period
from mattran.core.vietnamese import fold, nfc
from mattran.emulation.uploads import file_safe_snapshot as snapshot
from mattran.units.models import Unit

from . import drafting
from .models import Article, ArticlePhoto, ArticleStatus, Category

MAX_PHOTOS = 20


def _body(text: str) -> str:
    """NFC paragraphs separated by one blank line; whitespace inside a paragraph collapses."""
    blocks = (text or "").replace("\r\n", "\n").split("\n\n")
    paragraphs = [nfc(b) for b in blocks]
    return "\n\n".join(p for p in paragraphs if p)


def _slug(title: str) -> str:
    return (slugify(fold(title)) or "bai-viet")[:200]


def _fill(article: Article, *, title, lead, body, category, author_line) -> None:
    article.title = nfc(title)
    article.lead = _body(lead)
    article.body = _body(body)
    article.category = category
    article.author_line = nfc(author_line)
    if not article.title:
        raise UserFacingError("Tiêu đề không được để trống.")
    if not article.body:
        raise UserFacingError("Nội dung bài viết không được để trống.")
    article.slug = _slug(article.title)
    article.search_key = fold(article.title)[:300]


@transaction.atomic
def article_create(
    *,
    actor,
    unit: Unit,
    title: str,
    body: str,
    lead: str = "",
    category: Category | None = None,
    author_line: str = "",
    source_conference=None,
    source_label: str = "",
) -> Article:
    require_perm(actor, Perm.EDIT, unit)
    article = Article(
        unit=unit,
        source_conference=source_conference,
        source_label=nfc(source_label)[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _fill(article, title=title, lead=lead, body=body, category=category, author_line=author_line)
    full_clean_or_raise(article, exclude=["created_by"])
    article.save()
    audit_record(
        actor=actor, action="article.create", obj=article, unit=unit, after=snapshot(article)
    )
    return article


PENDING_FIELDS = ("title", "lead", "body", "author_line")


@transaction.atomic
def article_update(
    *,
    actor,
    article: Article,
    title: str,
    body: str,
    lead: str = "",
    category: Category | None = None,
    author_line: str = "",
) -> Article:
    """Edit a draft in place. A published article keeps its approved text on the portal
    and in the feeds: the edit is stored as its pending revision until an approver
    applies it (article_revision_approve) or it is discarded."""
    require_perm(actor, Perm.EDIT, article.unit)
    _lock(article)
    before = snapshot(article)
    if article.is_published:
        revision = Article(unit=article.unit)
        _fill(
            revision, title=title, lead=lead, body=body, category=category, author_line=author_line
        )
        full_clean_or_raise(revision, exclude=["created_by", "slug", "status"])
        article.pending = {
            **{f: getattr(revision, f) for f in PENDING_FIELDS},
            "category": revision.category_id,
            "by": getattr(actor, "username", "") or "",
            "at": timezone.now().isoformat(),
        }
        article.save(update_fields=["pending", "updated_at"])
        audit_record(
            actor=actor,
            action="article.revise",
            obj=article,
            unit=article.unit,
            before=before,
            after=snapshot(article),
        )
        return article
    _fill(article, title=title, lead=lead, body=body, category=category, author_line=author_line)
    full_clean_or_raise(article, exclude=["created_by"])
    article.save()
    audit_record(
        actor=actor,
        action="article.update",
        obj=article,
        unit=article.unit,
        before=before,
        after=snapshot(article),
    )
    return article


def _lock(article: Article) -> None:
    """Lock the row and reload it: decisions are taken on the committed state."""
    Article.objects.select_for_update().filter(pk=article.pk).exists()
    article.refresh_from_db()


def _ensure_not_published(article: Article, what: str) -> None:
    """Photos show on the portal at once; changing them on a published article would
    skip approval, so the approver withdraws it first."""
    if Article.objects.filter(pk=article.pk, status=ArticleStatus.PUBLISHED).exists():
        raise UserFacingError(
            f"Bài đã đăng: không thể {what} khi bài đang trên cổng thông tin. "
            "Người phê duyệt gỡ bài, sửa xong rồi đăng lại."
        )


@transaction.atomic
def article_photo_add(*, actor, article: Article, image, caption: str = "") -> ArticlePhoto:
    require_perm(actor, Perm.EDIT, article.unit)
    _ensure_not_published(article, "thêm ảnh")
    if article.photos.count() >= MAX_PHOTOS:
        raise UserFacingError(f"Mỗi bài viết có tối đa {MAX_PHOTOS} ảnh.")
    last = article.photos.order_by("-order").values_list("order", flat=True).first() or 0
    photo = ArticlePhoto(article=article, image=image, caption=nfc(caption), order=last + 1)
    full_clean_or_raise(photo)
    photo.save()
    audit_record(
        actor=actor,
        action="article.photo_add",
        obj=article,
        unit=article.unit,
        after=snapshot(photo),
    )
    return photo


@transaction.atomic
def article_photo_delete(*, actor, photo: ArticlePhoto) -> None:
    article = photo.article
    require_perm(actor, Perm.EDIT, article.unit)
    _ensure_not_published(article, "xóa ảnh")
    audit_record(
        actor=actor,
        action="article.photo_delete",
        obj=article,
        unit=article.unit,
        before=snapshot(photo),
    )
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def article_publish(
    *,
    actor,
    article: Article,
    published_at: dt.datetime | None = None,
    allow_slips: bool = False,
) -> Article:
    """Publish a draft. Its figures are checked first (mattran.reading.checker: a rate
    that does not match its counts, parts above their total, a wrong product); a
    slip refuses publishing unless the publisher says the print is right."""
    from mattran.reading.checker import check_text

    require_perm(actor, Perm.APPROVE, article.unit)
    if article.is_published:
        raise UserFacingError("Bài viết đã được đăng.")
    if article.category_id is None:
        raise UserFacingError("Chọn danh mục trước khi đăng bài.")
    slips = check_text("\n".join([article.title, article.lead, article.body]))
    if slips and not allow_slips:
        listed = " ".join(f"• {w.message}" for w in slips)
        raise UserFacingError(
            f"Chưa đăng: bài có số liệu chưa khớp. {listed} Sửa lại, hoặc nếu số in là đúng "
            "thì đánh dấu “Vẫn đăng dù có cảnh báo số liệu” rồi đăng."
        )
    before = snapshot(article)
    article.status = ArticleStatus.PUBLISHED
    article.published_at = published_at or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="article.publish",
        obj=article,
        unit=article.unit,
        before=before,
        after=snapshot(article),
        note="; ".join(f"Đăng dù có cảnh báo: {w.message}" for w in slips),
    )
    return article


@transaction.atomic
def article_revision_approve(*, actor, article: Article) -> Article:
    """Put the pending revision of a published article on the portal (APPROVE)."""
    require_perm(actor, Perm.APPROVE, article.unit)
    _lock(article)
    if not article.pending:
        raise UserFacingError("Bài viết không có bản sửa nào chờ duyệt.")
    before = snapshot(article)
    pending = article.pending
    category = Category.objects.filter(pk=pending.get("category")).first()
    _fill(
        article,
        title=pending["title"],
        lead=pending["lead"],
        body=pending["body"],
        category=category,
        author_line=pending["author_line"],
    )
    article.pending = None
    full_clean_or_raise(article, exclude=["created_by"])
    article.save()
    audit_record(
        actor=actor,
        action="article.revision_approve",
        obj=article,
        unit=article.unit,
        before=before,
        after=snapshot(article),
    )
    return article


@transaction.atomic
def article_revision_discard(*, actor, article: Article) -> Article:
    """Drop the pending revision; the approved text stays (EDIT or APPROVE)."""
    from mattran.access.policy import require_any_perm

    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), article.unit)
    _lock(article)
    if not article.pending:
        raise UserFacingError("Bài viết không có bản sửa nào chờ duyệt.")
    before = snapshot(article)
    article.pending = None
    article.save(update_fields=["pending", "updated_at"])
    audit_record(
        actor=actor,
        action="article.revision_discard",
        obj=article,
        unit=article.unit,
        before=before,
        after=snapshot(article),
    )
    return article


@transaction.atomic
def article_unpublish(*, actor, article: Article, reason: str) -> Article:
    require_perm(actor, Perm.APPROVE, article.unit)
    if not article.is_published:
        raise UserFacingError("Bài viết chưa được đăng.")
    reason = nfc(reason)
    if not reason:
        raise UserFacingError("Cần ghi lý do gỡ bài.")
    before = snapshot(article)
    article.status = ArticleStatus.DRAFT
    article.published_at = None
    if article.pending:  # back to a draft: the pending edit becomes the draft's text
        pending, article.pending = article.pending, None
        _fill(
            article,
            title=pending["title"],
            lead=pending["lead"],
            body=pending["body"],
            category=Category.objects.filter(pk=pending.get("category")).first(),
            author_line=pending["author_line"],
        )
    article.save()
    audit_record(
        actor=actor,
        action="article.unpublish",
        obj=article,
        unit=article.unit,
        before=before,
        after=snapshot(article),
        note=reason,
    )
    return article


# ----------------------------------------------------------------------------- drafts


@transaction.atomic
def article_draft_from_conference(
    *, actor, conference, category: Category | None = None
) -> Article:
    """A draft article telling what the conference did (see `drafting.draft_from_conference`)."""
    from mattran.emulation.selectors import conference_record

    draft = drafting.draft_from_conference(conference_record(conference=conference))
    return article_create(
        actor=actor,
        unit=conference.unit,
        title=draft.title,
        lead=draft.lead,
        body=draft.body,
        category=category,
        author_line=draft.author_line,
        source_conference=conference,
        source_label=f"Hội nghị ngày {conference.held_on:%d/%m/%Y}",
    )


@transaction.atomic
def article_draft_from_report(
    *,
    actor,
    unit: Unit,
    period: Period,
    paragraphs: list[str],
    held_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    session: str = "",
    chair_name: str = "",
    chair_title: str = "",
    category: Category | None = None,
    source_label: str = "",
) -> Article:
    """API for the reports module: a draft article from a period report's narrative.

    `paragraphs` are the report's sentences as it renders them (e.g. "Phối hợp tổ
    chức 103 cuộc tuyên truyền với 9.856 lượt người tham dự ..."). The title and
    opening follow seed 003: "Ủy ban MTTQ Việt Nam quận Đống Đa sơ kết công tác
    Mặt trận 9 tháng đầu năm 2023".
    """
    draft = drafting.draft_from_report(
        unit=unit,
        period=period,
        paragraphs=paragraphs,
        held_on=held_on,
        starts_at=starts_at,
        session=session,
        chair_name=chair_name,
        chair_title=chair_title,
    )
    return article_create(
        actor=actor,
        unit=unit,
        title=draft.title,
        lead=draft.lead,
        body=draft.body,
        category=category,
        author_line=draft.author_line,
        source_label=source_label or f"Báo cáo {period.label} – {unit.name}",
    )
