"""Pages of emulation pledges: set-up (clusters, criteria, targets), activation,
progress, unit ratings and entered figures."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import NumberError, format_number, parse_integer

from .. import forms, selectors, services
from ._common import form_view
from .planning import _planning_url

# =========================================================================== emulation


def _criterion_input(data) -> services.CriterionInput:
    return services.CriterionInput(
        code=data["code"],
        short_name=data["short_name"],
        text=data["text"],
        kind=data["kind"],
        points=data["points"],
        measure_key=data["measure_key"] or "",
        target=data["target"],
        target_max=data["target_max"],
        bonus_points=data["bonus_points"] or 0,
        penalty_points=data["penalty_points"] or 0,
        partial_credit=data["partial_credit"],
        points_good=data["points_good"],
        points_done=data["points_done"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.PledgeForm(
        request.POST or None,
        unit=unit,
        initial={"title": f"Giao ước thi đua năm {year} giữa Ủy ban MTTQ Việt Nam các phường"},
    )
    return form_view(
        request,
        form=form,
        save=lambda data: services.pledge_create(
            actor=request.user,
            unit=unit,
            year=year,
            title=data["title"],
            members=list(data["members"]) or None,
            cluster=data["cluster"],
            scale_points=data["scale_points"],
            note=data["note"],
        ),
        success="Đã tạo giao ước. Thêm các tiêu chí rồi ghi nhận ký kết.",
        done=lambda pledge: reverse("emulation:pledge", args=[pledge.pk]),
        title=f"Tạo giao ước thi đua năm {year}",
        back=_planning_url(unit.pk, year),
        unit=unit,
        intro="Giao ước gồm các đơn vị được chọn, hoặc các đơn vị của một cụm thi đua, hoặc "
        "(nếu không chọn gì) tất cả đơn vị trực thuộc.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def cluster_create(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.ClusterForm(request.POST or None, unit=unit)
    return form_view(
        request,
        form=form,
        save=lambda data: services.cluster_create(
            actor=request.user,
            unit=unit,
            name=data["name"],
            members=list(data["members"]),
            note=data["note"],
        ),
        success="Đã tạo cụm thi đua.",
        done=reverse("emulation:pledge_create", args=[unit.pk, year]),
        title="Tạo cụm thi đua",
        back=reverse("emulation:pledge_create", args=[unit.pk, year]),
        unit=unit,
    )


def _pledge_context(request, pledge):
    members = selectors.pledge_members_visible(user=request.user, pledge=pledge)
    access = selectors.pledge_access(user=request.user, pledge=pledge, members=members)
    return members, access


@login_required
def pledge_detail(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    members, access = _pledge_context(request, pledge)
    criteria = selectors.criteria_of(pledge=pledge)
    sheets = {s.unit_id: s for s in pledge.sheets.all()}
    from ..measures import get as measure_get

    context = {
        "pledge": pledge,
        "unit": pledge.unit,
        "members": [(u, sheets.get(u.pk)) for u in members],
        "criteria": [(c, measure_get(c.measure_key) if c.measure_key else None) for c in criteria],
        "total_points": sum((c.points for c in criteria), 0),
        "access": access,
        "can_targets": policy_for(request.user).can(Perm.EDIT, pledge.unit),
        "activate_form": forms.ActivateForm(prefix="act"),
        "reopen_form": forms.ReasonForm(prefix="reopen"),
        # Only the conferences the user may see: an organiser's conference is not a
        # member unit's record.
        "conferences": selectors.conferences_visible(user=request.user).filter(pledges=pledge),
    }
    return render(request, "emulation/pledge.html", context)


def _pledge_for_setup(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.EDIT)
    return pledge


@login_required
@require_http_methods(["GET", "POST"])
def criterion_create(request, pk: int):
    pledge = _pledge_for_setup(request, pk)
    form = forms.CriterionForm(
        request.POST or None, initial={"code": f"CT{pledge.criteria.count() + 1}"}
    )
    return form_view(
        request,
        form=form,
        save=lambda data: services.criterion_create(
            actor=request.user, pledge=pledge, data=_criterion_input(data)
        ),
        success="Đã thêm tiêu chí.",
        done=reverse("emulation:pledge", args=[pledge.pk]),
        title="Thêm tiêu chí thi đua",
        back=reverse("emulation:pledge", args=[pledge.pk]),
        unit=pledge.unit,
        intro=pledge.title,
    )


def _criterion_visible(request, pk: int):
    from ..models import Criterion

    criterion = get_object_or_404(Criterion.objects.select_related("pledge"), pk=pk)
    pledge = selectors.pledge_get_visible(user=request.user, pk=criterion.pledge_id)
    return criterion, pledge


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk: int):
    criterion, pledge = _criterion_visible(request, pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.EDIT)
    initial = {
        f: getattr(criterion, f) for f in forms.CriterionForm.base_fields if hasattr(criterion, f)
    }
    form = forms.CriterionForm(request.POST or None, initial=initial)
    return form_view(
        request,
        form=form,
        save=lambda data: services.criterion_update(
            actor=request.user, criterion=criterion, data=_criterion_input(data)
        ),
        success="Đã sửa tiêu chí.",
        done=reverse("emulation:pledge", args=[pledge.pk]),
        title=f"Sửa tiêu chí {criterion.code}",
        back=reverse("emulation:pledge", args=[pledge.pk]),
        unit=pledge.unit,
    )


@login_required
@require_POST
def criterion_delete(request, pk: int):
    criterion, pledge = _criterion_visible(request, pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.EDIT)
    try:
        services.criterion_delete(actor=request.user, criterion=criterion)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã xóa tiêu chí.")
    return redirect("emulation:pledge", pk=pledge.pk)


def _int_or_none(raw: str | None, label: str, errors: list[str]) -> int | None:
    try:
        return parse_integer(raw)
    except NumberError as exc:
        errors.append(f"{label}: {exc.message}")
        return None


@login_required
@require_http_methods(["GET", "POST"])
def criterion_targets(request, pk: int):
    criterion, pledge = _criterion_visible(request, pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.EDIT)
    if not criterion.uses_measure:
        raise Http404
    from ..measures import get as measure_get

    members = selectors.pledge_members(pledge=pledge)
    existing = {t.unit_id: t for t in criterion.targets.all()}
    errors: list[str] = []
    if request.method == "POST":
        targets = {}
        for unit in members:
            target = _int_or_none(request.POST.get(f"t_{unit.pk}"), unit.name, errors)
            target_max = _int_or_none(request.POST.get(f"max_{unit.pk}"), unit.name, errors)
            if target is not None or target_max is not None or unit.pk in existing:
                targets[unit.pk] = (target, target_max)
        if not errors:
            try:
                n = services.criterion_targets_set(
                    actor=request.user, criterion=criterion, targets=targets
                )
            except UserFacingError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, f"Đã lưu chỉ tiêu ({format_number(n)} thay đổi).")
                return redirect("emulation:pledge", pk=pledge.pk)
    rows = [
        (
            u,
            request.POST.get(f"t_{u.pk}")
            if request.method == "POST"
            else (existing[u.pk].target if u.pk in existing else ""),
            request.POST.get(f"max_{u.pk}")
            if request.method == "POST"
            else (
                existing[u.pk].target_max
                if u.pk in existing and existing[u.pk].target_max is not None
                else ""
            ),
        )
        for u in members
    ]
    return render(
        request,
        "emulation/targets.html",
        {
            "pledge": pledge,
            "unit": pledge.unit,
            "criterion": criterion,
            "measure": measure_get(criterion.measure_key),
            "rows": rows,
            "errors": errors,
        },
    )


@login_required
@require_POST
def pledge_activate(request, pk: int):
    pledge = _pledge_for_setup(request, pk)
    form = forms.ActivateForm(request.POST, prefix="act")
    if not form.is_valid():
        messages.error(request, "Ngày ký kết không hợp lệ.")
    else:
        try:
            services.pledge_activate(
                actor=request.user, pledge=pledge, signed_on=form.cleaned_data["signed_on"]
            )
        except UserFacingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, "Đã ghi nhận ký kết giao ước. Tiến độ được theo dõi từ dữ liệu."
            )
    return redirect("emulation:pledge", pk=pledge.pk)


@login_required
def pledge_progress(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    form = forms.ProgressFilterForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    progress = selectors.pledge_progress(user=request.user, pledge=pledge, as_of=as_of)
    charts = [{"id": f"chart-{cp.criterion.pk}", **cp.chart} for cp in progress.criteria]
    return render(
        request,
        "emulation/progress.html",
        {
            "pledge": pledge,
            "unit": pledge.unit,
            "progress": progress,
            "form": form,
            "charts": charts,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_ratings(request, pk: int):
    """The organiser rates each member unit's year (Hoàn thành xuất sắc … Không hoàn thành)."""
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.APPROVE)
    from ..models import UnitRating

    members = selectors.pledge_members(pledge=pledge)
    current = {r.unit_id: r for r in UnitRating.objects.filter(unit__in=members, year=pledge.year)}
    if request.method == "POST":
        changed, errors = 0, []
        for unit in members:
            form = forms.RatingForm(request.POST, prefix=f"u{unit.pk}")
            if not form.is_valid() or not form.cleaned_data["rating"]:
                continue
            data = form.cleaned_data
            old = current.get(unit.pk)
            if old and old.rating == data["rating"] and old.note == data["note"]:
                continue
            try:
                services.unit_rating_set(
                    actor=request.user,
                    unit=unit,
                    year=pledge.year,
                    rating=data["rating"],
                    note=data["note"],
                )
                changed += 1
            except UserFacingError as exc:
                errors.append(f"{unit.name}: {exc.message}")
        for e in errors:
            messages.error(request, e)
        if changed:
            messages.success(request, f"Đã lưu xếp loại của {format_number(changed)} đơn vị.")
        return redirect("emulation:pledge_ratings", pk=pledge.pk)
    rows = [
        (
            u,
            forms.RatingForm(
                prefix=f"u{u.pk}",
                initial={
                    "rating": current[u.pk].rating if u.pk in current else "",
                    "note": current[u.pk].note if u.pk in current else "",
                },
            ),
        )
        for u in members
    ]
    return render(
        request,
        "emulation/ratings.html",
        {"pledge": pledge, "unit": pledge.unit, "rows": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_entries(request, pk: int):
    """Figures entered by hand for the pledge's manual measures."""
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    members = selectors.pledge_members_visible(user=request.user, pledge=pledge)
    policy = policy_for(request.user)
    editable = [u for u in members if policy.can(Perm.EDIT, u)]
    from ..measures import get as measure_get
    from ..models import MeasureEntry

    form = forms.MeasureEntryForm(
        request.POST or None, initial={"on": dt.date(pledge.year, 12, 31)}
    )
    unit_choice = request.POST.get("unit") if request.method == "POST" else None
    if request.method == "POST":
        unit = next((u for u in editable if str(u.pk) == unit_choice), None)
        if unit is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.measure_entry_create(
                    actor=request.user,
                    measure_key=data["measure_key"],
                    unit=unit,
                    on=data["on"],
                    value=data["value"],
                    note=data["note"],
                )
            except UserFacingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Đã ghi số liệu.")
                return redirect("emulation:pledge_entries", pk=pledge.pk)
    entries = (
        MeasureEntry.objects.filter(unit__in=members, on__year=pledge.year)
        .select_related("unit", "created_by")
        .order_by("-on", "-id")
    )
    return render(
        request,
        "emulation/entries.html",
        {
            "pledge": pledge,
            "unit": pledge.unit,
            "form": form,
            "editable_units": editable,
            "entries": [(e, measure_get(e.measure_key)) for e in entries],
        },
    )
