"""Public news pages (no login) and the editors' pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError, errors_as_messages

from . import selectors, services
from .forms import ArticleForm, PhotoForm, UnpublishForm
from .models import Category

# ------------------------------------------------------------------------------ public


def index(request, slug: str | None = None):
    category = get_object_or_404(Category, slug=slug) if slug else None
    page = Paginator(selectors.articles_public(category=category), 10).get_page(
        request.GET.get("trang")
    )
    return render(
        request,
        "news/index.html",
        {
            "page": page,
            "category": category,
            "categories": selectors.categories_with_counts(),
        },
    )


def article(request, pk: int, slug: str):
    item = selectors.article_get_public(pk=pk)
    if item.slug != slug:
        return redirect(item, permanent=True)
    return render(
        request,
        "news/article.html",
        {
            "article": item,
            "others": selectors.other_articles(article=item),
            "categories": selectors.categories_with_counts(),
        },
    )


def photo(request, pk: int):
    item = selectors.photo_get_public_or_visible(user=request.user, pk=pk)
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle)
    if item.article.is_published:
        response["Cache-Control"] = "public, max-age=86400"
    return response


# ----------------------------------------------------------------------------- editors


@login_required
def manage(request):
    policy = policy_for(request.user)
    return render(
        request,
        "news/manage.html",
        {
            "articles": selectors.articles_visible(user=request.user)[:200],
            "units": list(policy.top_units(Perm.EDIT).order_by("path")[:20]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request, unit_id: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.article_create(actor=request.user, unit=unit, **form.cleaned_data)
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lưu bản nháp.")
            return redirect("news:edit", pk=item.pk)
    return render(request, "news/edit.html", {"form": form, "unit": unit, "article": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    item = selectors.article_get_visible(user=request.user, pk=pk)
    policy = policy_for(request.user)
    can_edit = policy.can(Perm.EDIT, item.unit)
    can_publish = policy.can(Perm.APPROVE, item.unit)
    # A published article's pending revision is what the editor goes on editing.
    text = item.pending or {
        "title": item.title,
        "category": item.category_id,
        "lead": item.lead,
        "body": item.body,
        "author_line": item.author_line,
    }
    form = ArticleForm(
        request.POST or None, initial={k: text[k] for k in ArticleForm.base_fields if k in text}
    )
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.article_update(actor=request.user, article=item, **form.cleaned_data)
            except UserFacingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    "Đã lưu bản sửa; bài trên cổng thông tin giữ nguyên đến khi được duyệt."
                    if item.is_published
                    else "Đã lưu bài viết.",
                )
                return redirect("news:edit", pk=item.pk)
    return render(
        request,
        "news/edit.html",
        {
            "form": form,
            "unit": item.unit,
            "article": item,
            "photos": item.photos.order_by("order", "id"),
            "photo_form": PhotoForm(),
            "unpublish_form": UnpublishForm(),
            "can_edit": can_edit,
            "can_publish": can_publish,
        },
    )


@login_required
@require_POST
def photo_add(request, pk: int):
    item = selectors.article_get_visible(user=request.user, pk=pk)
    if not policy_for(request.user).can(Perm.EDIT, item.unit):
        raise Http404
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        with errors_as_messages(request):
            services.article_photo_add(actor=request.user, article=item, **form.cleaned_data)
            messages.success(request, "Đã thêm ảnh.")
    return redirect("news:edit", pk=item.pk)


@login_required
@require_POST
def photo_delete(request, pk: int, photo_id: int):
    item = selectors.article_get_visible(user=request.user, pk=pk)
    if not policy_for(request.user).can(Perm.EDIT, item.unit):
        raise Http404
    target = get_object_or_404(item.photos, pk=photo_id)
    with errors_as_messages(request):
        services.article_photo_delete(actor=request.user, photo=target)
        messages.success(request, "Đã xóa ảnh.")
    return redirect("news:edit", pk=item.pk)


@login_required
@require_POST
def publish(request, pk: int):
    item = selectors.article_get_visible(user=request.user, pk=pk)
    if not policy_for(request.user).can(Perm.APPROVE, item.unit):
        raise Http404
    with errors_as_messages(request):
        services.article_publish(
            actor=request.user, article=item, allow_slips=request.POST.get("van_dang") == "1"
        )
        messages.success(request, "Đã đăng bài lên cổng thông tin.")
    return redirect("news:edit", pk=item.pk)


@login_required
@require_POST
def revision(request, pk: int, action: str):
    """Approve (APPROVE) or discard (EDIT or APPROVE) a published article's pending edit."""
    item = selectors.article_get_visible(user=request.user, pk=pk)
    policy = policy_for(request.user)
    with errors_as_messages(request):
        if action == "duyet" and policy.can(Perm.APPROVE, item.unit):
            services.article_revision_approve(actor=request.user, article=item)
            messages.success(request, "Đã duyệt bản sửa; cổng thông tin hiển thị bản mới.")
        elif action == "huy" and (
            policy.can(Perm.EDIT, item.unit) or policy.can(Perm.APPROVE, item.unit)
        ):
            services.article_revision_discard(actor=request.user, article=item)
            messages.success(request, "Đã hủy bản sửa chờ duyệt.")
        else:
            raise Http404
    return redirect("news:edit", pk=item.pk)


@login_required
@require_POST
def unpublish(request, pk: int):
    item = selectors.article_get_visible(user=request.user, pk=pk)
    if not policy_for(request.user).can(Perm.APPROVE, item.unit):
        raise Http404
    form = UnpublishForm(request.POST)
    with errors_as_messages(request):
        if not form.is_valid():
            raise UserFacingError("Cần ghi lý do gỡ bài.")
        services.article_unpublish(actor=request.user, article=item, **form.cleaned_data)
        messages.success(request, "Đã gỡ bài khỏi cổng thông tin.")
    return redirect("news:edit", pk=item.pk)


@login_required
@require_POST
def draft_from_conference(request, conference_id: int):
    from mattran.emulation.selectors import conference_get_visible

    conference = conference_get_visible(user=request.user, pk=conference_id)
    if not policy_for(request.user).can(Perm.EDIT, conference.unit):
        raise Http404
    category = Category.objects.filter(slug="hoat-dong-mat-tran").first()
    try:
        item = services.article_draft_from_conference(
            actor=request.user, conference=conference, category=category
        )
    except UserFacingError as exc:
        messages.error(request, exc.message)
        return redirect("emulation:conference", pk=conference.pk)
    messages.success(request, "Đã soạn bản nháp từ hội nghị. Hãy đọc lại, sửa, thêm ảnh rồi đăng.")
    return redirect("news:edit", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def draft_from_report(request, unit_id: int):
    """Draft an article from the unit's period report (built by `mattran.reports`)."""
    from mattran.core.periods import Period
    from mattran.reports.selectors import report_build

    from .forms import ReportDraftForm

    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = ReportDraftForm(
        request.POST or None,
        initial={
            "period": request.GET.get("ky", ""),
            "category": Category.objects.filter(slug="hoat-dong-mat-tran").first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = Period.parse(data["period"])
            report = report_build(user=request.user, unit=unit, period=period)
            item = services.article_draft_from_report(
                actor=request.user,
                unit=unit,
                period=period,
                paragraphs=[paragraph for _, paragraph in report.shown_sections],
                held_on=data["held_on"],
                session=data["session"],
                chair_name=data["chair_name"],
                chair_title=data["chair_title"],
                category=data["category"],
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã soạn bản nháp từ báo cáo kỳ. Hãy đọc lại rồi đăng.")
            return redirect("news:edit", pk=item.pk)
    return render(
        request,
        "emulation/form.html",
        {
            "form": form,
            "title": "Soạn tin từ báo cáo kỳ",
            "back": "/tin-tuc/quan-ly/",
            "unit": unit,
            "intro": "Bản nháp lấy tiêu đề và phần tường thuật của báo cáo sơ kết, tổng kết "
            "(số liệu tính từ hồ sơ hoạt động và sổ quỹ).",
        },
    )
