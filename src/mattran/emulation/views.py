"""Thin views: read through selectors, write through services, 404 outside what the user sees."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import NumberError, fold, format_number, parse_integer
from mattran.units.models import Level, Unit

from . import forms, selectors, services
from .models import ProgramItem, ProgramSignatory, ProgramStatus


def _this_year() -> int:
    return dt.date.today().year  # noqa: DTZ011 - a calendar year, not an instant


def _download(file_field, name: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp không còn trên máy chủ") from None
    return FileResponse(handle, as_attachment=True, filename=name or file_field.name)


def _form_page(request, *, form, title: str, back: str, unit=None, multipart=False, intro=""):
    return render(
        request,
        "emulation/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "unit": unit,
            "multipart": multipart,
            "intro": intro,
        },
    )


# ============================================================================ overview


@login_required
def index(request):
    policy = policy_for(request.user)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        found = list(
            Unit.objects.filter(
                policy.unit_q(Perm.VIEW),
                search_key__contains=fold(query),
                level__lte=Level.COMMUNE,
            )
            .select_related("parent", "version")
            .order_by("level", "name")[:30]
        )
    context = {
        "top_units": list(policy.top_units().order_by("-version__valid_from", "path")[:10]),
        "query": query,
        "found": found,
        "pledges": selectors.pledges_visible(user=request.user)[:50],
        "conferences": selectors.conferences_visible(user=request.user)[:20],
        "decisions": selectors.decisions_visible(user=request.user)[:20],
        "year": selectors.planning_default_year(user=request.user),
    }
    return render(request, "emulation/index.html", context)


# ============================================================================ planning


@login_required
def planning(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id)
    policy = policy_for(request.user)
    tasks = selectors.key_tasks_of(unit=unit, year=year)
    years = selectors.planning_years(unit=unit)
    context = {
        "unit": unit,
        "year": year,
        "years": sorted(set(years) | {year, _this_year()}, reverse=True),
        "tasks": tasks,
        "task_progress": selectors.key_task_progress(
            unit=unit, year=year, tasks=tasks, user=request.user
        ),
        "programs": selectors.programs_of(unit=unit, year=year),
        "member_org_count": unit.member_organisations.count(),
        "pledges": selectors.pledges_visible(user=request.user).filter(unit=unit, year=year),
        "conferences": selectors.conferences_visible(user=request.user).filter(
            unit=unit, held_on__year=year
        ),
        "can_edit": policy.can(Perm.EDIT, unit),
        "can_commend": policy.can(Perm.EDIT, unit) or policy.can(Perm.APPROVE, unit),
    }
    return render(request, "emulation/planning.html", context)


def _planning_url(unit_id: int, year: int) -> str:
    return reverse("emulation:planning", args=[unit_id, year])


@login_required
@require_http_methods(["GET", "POST"])
def key_task_create(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.KeyTaskForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.key_task_create(
                actor=request.user,
                unit=unit,
                year=year,
                text=data["text"],
                owner_person=data["owner_person"],
                owner_member_organisation=data["owner_member_organisation"],
                note=data["note"],
                measures=form.measures(),
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã thêm nhiệm vụ trọng tâm.")
            return redirect(_planning_url(unit.pk, year))
    return _form_page(
        request,
        form=form,
        title=f"Thêm nhiệm vụ trọng tâm năm {year}",
        back=_planning_url(unit.pk, year),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def key_task_edit(request, pk: int):
    task = selectors.key_task_get_visible(user=request.user, pk=pk)
    unit = unit_get_visible(user=request.user, pk=task.unit_id, perm=Perm.EDIT)
    form = forms.KeyTaskForm(
        request.POST or None, unit=unit, initial=forms.KeyTaskForm.initial_for(task)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.key_task_update(
                actor=request.user,
                task=task,
                text=data["text"],
                owner_person=data["owner_person"],
                owner_member_organisation=data["owner_member_organisation"],
                note=data["note"],
                measures=form.measures(),
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã cập nhật nhiệm vụ.")
            return redirect(_planning_url(unit.pk, task.year))
    return _form_page(
        request,
        form=form,
        title=f"Sửa nhiệm vụ trọng tâm số {task.order}",
        back=_planning_url(unit.pk, task.year),
        unit=unit,
    )


@login_required
@require_POST
def key_task_delete(request, pk: int):
    task = selectors.key_task_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=task.unit_id, perm=Perm.EDIT)
    try:
        services.key_task_delete(actor=request.user, task=task)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã xóa nhiệm vụ.")
    return redirect(_planning_url(task.unit_id, task.year))


@login_required
@require_POST
def key_task_move(request, pk: int):
    task = selectors.key_task_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=task.unit_id, perm=Perm.EDIT)
    step = -1 if request.POST.get("huong") == "len" else 1
    services.key_task_move(actor=request.user, task=task, step=step)
    return redirect(_planning_url(task.unit_id, task.year) + "#nhiem-vu")


# -------------------------------------------------------------- coordination programs


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.ProgramForm(request.POST or None, unit=unit, year=year)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = data["member_organisation"]
        try:
            program = services.program_create(
                actor=request.user,
                unit=unit,
                member_organisation=org,
                year=year,
                title=data["title"] or services.program_title(unit, org, year),
                note=data["note"],
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã tạo chương trình phối hợp (dự thảo).")
            return redirect("emulation:program", pk=program.pk)
    return _form_page(
        request,
        form=form,
        title=f"Thêm chương trình phối hợp năm {year}",
        back=_planning_url(unit.pk, year),
        unit=unit,
    )


@login_required
@require_POST
def programs_create_all(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    try:
        created = services.programs_create_for_all(actor=request.user, unit=unit, year=year)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Đã tạo {len(created)} dự thảo chương trình phối hợp, mỗi chương trình gồm các "
            "nhiệm vụ trọng tâm của năm.",
        )
    return redirect(_planning_url(unit.pk, year) + "#chuong-trinh")


@login_required
@require_http_methods(["GET", "POST"])
def program_detail(request, pk: int):
    program = selectors.program_get_visible(user=request.user, pk=pk)
    unit = program.unit
    can_edit = policy_for(request.user).can(Perm.EDIT, unit)
    editable = can_edit and program.status == ProgramStatus.DRAFT
    item_form = forms.ProgramItemForm(unit=unit, year=program.year, prefix="item")
    signatory_form = forms.SignatoryForm(prefix="sig")
    sign_form = forms.SignForm(prefix="sign")
    document_form = forms.DocumentForm(prefix="doc")
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "item":
                item_form = forms.ProgramItemForm(
                    request.POST, unit=unit, year=program.year, prefix="item"
                )
                if item_form.is_valid():
                    services.program_item_add(
                        actor=request.user, program=program, **item_form.cleaned_data
                    )
                    messages.success(request, "Đã thêm nội dung phối hợp.")
                    return redirect("emulation:program", pk=pk)
            elif action == "signatory":
                signatory_form = forms.SignatoryForm(request.POST, prefix="sig")
                if signatory_form.is_valid():
                    services.program_signatory_add(
                        actor=request.user, program=program, **signatory_form.cleaned_data
                    )
                    messages.success(request, "Đã thêm người ký.")
                    return redirect("emulation:program", pk=pk)
            elif action == "sign":
                sign_form = forms.SignForm(request.POST, prefix="sign")
                if sign_form.is_valid():
                    services.program_sign(
                        actor=request.user,
                        program=program,
                        signed_on=sign_form.cleaned_data["signed_on"],
                    )
                    messages.success(request, "Đã ghi nhận ký kết chương trình.")
                    return redirect("emulation:program", pk=pk)
            elif action == "document":
                document_form = forms.DocumentForm(request.POST, request.FILES, prefix="doc")
                if document_form.is_valid():
                    services.program_document_attach(
                        actor=request.user, program=program, file=document_form.cleaned_data["file"]
                    )
                    messages.success(request, "Đã lưu văn bản đã ký.")
                    return redirect("emulation:program", pk=pk)
            else:
                raise Http404
        except UserFacingError as exc:
            messages.error(request, exc.message)
    activities, activity_count = selectors.program_activities(program=program)
    policy = policy_for(request.user)
    context = {
        "program": program,
        "unit": unit,
        "activities": activities,
        "activity_count": activity_count,
        "can_record": policy.can(Perm.EDIT, unit)
        or program.member_organisation_id in policy.member_organisation_ids(unit),
        "items": program.items.select_related("key_task").order_by("order", "id"),
        "signatories": program.signatories.order_by("side", "id"),
        "can_edit": can_edit,
        "editable": editable,
        "item_form": item_form,
        "signatory_form": signatory_form,
        "sign_form": sign_form,
        "document_form": document_form,
    }
    return render(request, "emulation/program.html", context)


@login_required
@require_POST
def program_item_delete(request, pk: int):
    item = get_object_or_404(ProgramItem.objects.select_related("program"), pk=pk)
    program = selectors.program_get_visible(user=request.user, pk=item.program_id)
    unit_get_visible(user=request.user, pk=program.unit_id, perm=Perm.EDIT)
    try:
        services.program_item_delete(actor=request.user, item=item)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    return redirect("emulation:program", pk=program.pk)


@login_required
@require_POST
def program_signatory_delete(request, pk: int):
    signatory = get_object_or_404(ProgramSignatory.objects.select_related("program"), pk=pk)
    program = selectors.program_get_visible(user=request.user, pk=signatory.program_id)
    unit_get_visible(user=request.user, pk=program.unit_id, perm=Perm.EDIT)
    try:
        services.program_signatory_delete(actor=request.user, signatory=signatory)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    return redirect("emulation:program", pk=program.pk)


@login_required
def program_document(request, pk: int):
    program = selectors.program_get_visible(user=request.user, pk=pk)
    if not program.document:
        raise Http404
    return _download(program.document, program.document_name)


def chart_json(data) -> str:
    return json.dumps(data, ensure_ascii=False)


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = services.pledge_create(
                actor=request.user,
                unit=unit,
                year=year,
                title=data["title"],
                members=list(data["members"]) or None,
                cluster=data["cluster"],
                scale_points=data["scale_points"],
                note=data["note"],
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã tạo giao ước. Thêm các tiêu chí rồi ghi nhận ký kết.")
            return redirect("emulation:pledge", pk=pledge.pk)
    return _form_page(
        request,
        form=form,
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cluster_create(
                actor=request.user,
                unit=unit,
                name=data["name"],
                members=list(data["members"]),
                note=data["note"],
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã tạo cụm thi đua.")
            return redirect("emulation:pledge_create", unit_id=unit.pk, year=year)
    return _form_page(
        request,
        form=form,
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
    from .measures import get as measure_get

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
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_create(
                actor=request.user, pledge=pledge, data=_criterion_input(form.cleaned_data)
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã thêm tiêu chí.")
            return redirect("emulation:pledge", pk=pledge.pk)
    return _form_page(
        request,
        form=form,
        title="Thêm tiêu chí thi đua",
        back=reverse("emulation:pledge", args=[pledge.pk]),
        unit=pledge.unit,
        intro=pledge.title,
    )


def _criterion_visible(request, pk: int):
    from .models import Criterion

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
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(
                actor=request.user, criterion=criterion, data=_criterion_input(form.cleaned_data)
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã sửa tiêu chí.")
            return redirect("emulation:pledge", pk=pledge.pk)
    return _form_page(
        request,
        form=form,
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
    from .measures import get as measure_get

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
    from .models import UnitRating

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
    from .measures import get as measure_get
    from .models import MeasureEntry

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


# ---------------------------------------------------------------------------- scoring


def _sheet_value_text(cell) -> str:
    if cell is None:
        return ""
    if cell.criterion.uses_measure:
        text = cell.value_text
        if cell.target_text:
            text += f" / chỉ tiêu {cell.target_text}"
        return text
    if cell.rating:
        from .models import Rating

        return Rating(cell.rating).label
    if cell.evidence_count:
        return f"{cell.evidence_count} minh chứng"
    return "Chưa có minh chứng"


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, pk: int, unit_id: int):
    from decimal import Decimal, InvalidOperation

    from .models import SheetStatus

    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit = selectors.member_get_visible(user=request.user, pledge=pledge, unit_id=unit_id)
    members = [unit]
    access = selectors.pledge_access(user=request.user, pledge=pledge, members=members)
    can_self = unit.pk in access.editable_unit_ids
    current = selectors.sheet_for(pledge=pledge, unit=unit)
    criteria = selectors.criteria_of(pledge=pledge)
    progress = selectors.compute_progress(
        pledge=pledge,
        units=[unit],
        period=selectors.progress_period(pledge, dt.date.today()),  # noqa: DTZ011
        criteria=criteria,
        user=request.user,
    )
    cells = {c.criterion.pk: c for c in progress.by_unit.get(unit.pk, [])}

    if request.method == "POST":
        action = request.POST.get("action")
        errors = []

        def points_of(name, c):
            raw = (request.POST.get(name) or "").strip().replace(",", ".")
            if raw == "":
                errors.append(f"Tiêu chí {c.code}: chưa nhập điểm.")
                return None
            try:
                return Decimal(raw)
            except InvalidOperation:
                errors.append(f"Tiêu chí {c.code}: '{raw}' không phải là số.")
                return None

        try:
            if action in ("self", "submit"):
                if not can_self:
                    raise Http404
                entries = []
                for c in criteria:
                    if request.POST.get(f"self_{c.pk}", "").strip() == "" and action == "self":
                        continue
                    p = points_of(f"self_{c.pk}", c)
                    if p is not None:
                        entries.append(
                            services.SelfScore(
                                criterion_id=c.pk,
                                points=p,
                                note=request.POST.get(f"note_{c.pk}", ""),
                                value_text=_sheet_value_text(cells.get(c.pk)),
                            )
                        )
                if errors:
                    raise UserFacingError("; ".join(errors))
                services.sheet_self_score_save(
                    actor=request.user,
                    pledge=pledge,
                    unit=unit,
                    entries=entries,
                    submit=action == "submit",
                )
                if action == "submit":
                    messages.success(request, "Đã gửi phiếu tự chấm lên cấp trên thẩm định.")
                else:
                    messages.success(request, "Đã lưu điểm tự chấm.")
            elif action == "verify":
                if not access.can_verify or current is None:
                    raise Http404
                entries = []
                for c in criteria:
                    p = points_of(f"ver_{c.pk}", c)
                    if p is not None:
                        entries.append(
                            services.Verification(
                                criterion_id=c.pk,
                                points=p,
                                reason=request.POST.get(f"reason_{c.pk}", ""),
                            )
                        )
                if errors:
                    raise UserFacingError("; ".join(errors))
                services.sheet_verify(actor=request.user, sheet=current, entries=entries)
                messages.success(request, f"Đã thẩm định phiếu của {unit.name}.")
            elif action == "return":
                if not access.can_verify or current is None:
                    raise Http404
                services.sheet_return(
                    actor=request.user, sheet=current, reason=request.POST.get("reason", "")
                )
                messages.success(request, "Đã trả phiếu về đơn vị.")
            else:
                raise Http404
        except UserFacingError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("emulation:sheet", pk=pledge.pk, unit_id=unit.pk)

    scores = selectors.sheet_scores(sheet=current)
    evidence = selectors.evidence_for(pledge=pledge, unit=unit)
    status = current.status if current else SheetStatus.DRAFT
    active = pledge.status == "active"
    rows = [
        {
            "criterion": c,
            "cell": cells.get(c.pk),
            "score": scores.get(c.pk),
            "evidence": evidence.get(c.pk, []),
            "posted_self": request.POST.get(f"self_{c.pk}") if request.method == "POST" else None,
            "posted_ver": request.POST.get(f"ver_{c.pk}") if request.method == "POST" else None,
        }
        for c in criteria
    ]
    return render(
        request,
        "emulation/sheet.html",
        {
            "pledge": pledge,
            "unit": pledge.unit,
            "member": unit,
            "sheet": current,
            "status": status,
            "rows": rows,
            "can_self": can_self and active and status == SheetStatus.DRAFT,
            "can_verify": access.can_verify and active and status != SheetStatus.DRAFT,
            "can_evidence": can_self and active and status == SheetStatus.DRAFT,
            "evidence_form": forms.EvidenceForm(),
            "total_self": sum(
                (s.self_points for s in scores.values() if s.self_points is not None), Decimal(0)
            ),
            "total_final": sum(
                (s.final_points for s in scores.values() if s.final_points is not None), Decimal(0)
            ),
        },
    )


@login_required
@require_POST
def evidence_add(request, pk: int, unit_id: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit = selectors.member_get_visible(user=request.user, pledge=pledge, unit_id=unit_id)
    if not policy_for(request.user).can(Perm.EDIT, unit):
        raise Http404
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for e in field_errors:
                messages.error(request, e)
    else:
        criterion = get_object_or_404(pledge.criteria, pk=form.cleaned_data["criterion"])
        try:
            services.evidence_add(
                actor=request.user,
                criterion=criterion,
                unit=unit,
                file=form.cleaned_data.get("file"),
                note=form.cleaned_data.get("note") or "",
            )
        except UserFacingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Đã nộp minh chứng cho tiêu chí {criterion.code}.")
    return redirect("emulation:sheet", pk=pledge.pk, unit_id=unit.pk)


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = selectors.evidence_get_visible(user=request.user, pk=pk, with_file=False)
    if not policy_for(request.user).can(Perm.EDIT, evidence.unit):
        raise Http404
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    return redirect("emulation:sheet", pk=evidence.criterion.pledge_id, unit_id=evidence.unit_id)


@login_required
def evidence_file(request, pk: int):
    evidence = selectors.evidence_get_visible(user=request.user, pk=pk)
    return _download(evidence.file, evidence.file_name)


@login_required
@require_POST
def pledge_lock(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.APPROVE)
    try:
        services.pledge_lock(actor=request.user, pledge=pledge)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã khóa kết quả và xếp hạng.")
    return redirect("emulation:ranking", pk=pledge.pk)


@login_required
@require_POST
def pledge_reopen(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.ADMINISTER)
    form = forms.ReasonForm(request.POST, prefix="reopen")
    try:
        if not form.is_valid():
            raise UserFacingError("Cần ghi lý do mở lại.")
        services.pledge_reopen(
            actor=request.user, pledge=pledge, reason=form.cleaned_data["reason"]
        )
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã mở lại kết quả để thẩm định lại.")
    return redirect("emulation:pledge", pk=pledge.pk)


@login_required
def ranking(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    table = selectors.ranking_visible(user=request.user, pledge=pledge)
    policy = policy_for(request.user)
    return render(
        request,
        "emulation/ranking.html",
        {
            "pledge": pledge,
            "unit": pledge.unit,
            "table": table,
            "can_lock": policy.can(Perm.APPROVE, pledge.unit) and pledge.status == "active",
            "can_propose": pledge.is_locked
            and (policy.can(Perm.EDIT, pledge.unit) or policy.can(Perm.APPROVE, pledge.unit)),
            "proposal_form": forms.RankingProposalForm(),
            # Members see the locked ranking, not the organiser's commendation proposals.
            "proposals": selectors.proposals_visible(user=request.user).filter(pledge=pledge),
        },
    )


@login_required
def ranking_export(request, pk: int, fmt: str):
    from django.http import HttpResponse

    from . import exports

    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    table = selectors.ranking_visible(user=request.user, pledge=pledge)
    name = f"bang-diem-thi-dua-{pledge.year}-{pledge.pk}"
    if fmt == "xlsx":
        data = exports.ranking_xlsx(table)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "docx":
        chair = selectors.committee_chair(unit=pledge.unit, year=pledge.year)
        data = exports.ranking_docx(
            table,
            on=dt.date.today(),  # noqa: DTZ011 - the document's date line
            signer_name=chair.person.full_name if chair else "",
        )
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def ranking_propose(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    form = forms.RankingProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chọn hình thức khen thưởng và số đơn vị đề nghị.")
        return redirect("emulation:ranking", pk=pledge.pk)
    try:
        created = services.proposals_from_ranking(
            actor=request.user,
            pledge=pledge,
            award_type=form.cleaned_data["award_type"],
            top=form.cleaned_data["top"],
        )
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Đã lập {len(created)} đề nghị khen thưởng theo kết quả xếp hạng."
        )
    return redirect("emulation:ranking", pk=pledge.pk)


# ======================================================================= commendations


@login_required
def proposals(request):
    rows = selectors.proposals_visible(user=request.user)
    return render(request, "emulation/proposals.html", {"proposals": rows[:300]})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request, unit_id: int):
    unit = unit_get_visible(user=request.user, pk=unit_id)
    policy = policy_for(request.user)
    if not (policy.can(Perm.EDIT, unit) or policy.can(Perm.APPROVE, unit)):
        raise Http404
    form = forms.ProposalForm(request.POST or None, unit=unit, initial={"year": _this_year() - 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_create(
                actor=request.user,
                unit=unit,
                year=data["year"],
                award_type=data["award_type"],
                recipient=services.Recipient(
                    unit=data["recipient_unit"],
                    member_organisation=data["recipient_member_organisation"],
                    person_name=data["person_name"],
                    title=data["person_title"],
                ),
                achievement=data["achievement"],
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã lập đề nghị khen thưởng.")
            return redirect("emulation:proposals")
    return _form_page(
        request,
        form=form,
        title="Lập đề nghị khen thưởng",
        back=reverse("emulation:proposals"),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, unit_id: int):
    unit = unit_get_visible(user=request.user, pk=unit_id)
    policy = policy_for(request.user)
    if not (policy.can(Perm.EDIT, unit) or policy.can(Perm.APPROVE, unit)):
        raise Http404
    from .wording import committee_name

    form = forms.DecisionForm(
        request.POST or None,
        request.FILES or None,
        unit=unit,
        initial={"issuer": committee_name(unit), "achievement_year": _this_year() - 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_create(actor=request.user, unit=unit, **data)
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã ghi quyết định. Thêm người, tập thể được khen.")
            return redirect("emulation:decision", pk=decision.pk)
    return _form_page(
        request,
        form=form,
        title="Ghi quyết định khen thưởng",
        back=reverse("emulation:index"),
        unit=unit,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_detail(request, pk: int):
    from .models import CommendationProposal, ProposalStatus

    decision = selectors.decision_get_visible(user=request.user, pk=pk)
    policy = policy_for(request.user)
    can_edit = policy.can(Perm.EDIT, decision.unit) or policy.can(Perm.APPROVE, decision.unit)
    pending = (
        CommendationProposal.objects.filter(
            Unit.subtree_q(decision.unit.path, prefix="unit__"),
            status=ProposalStatus.PROPOSED,
            award_type=decision.award_type,
        )
        .select_related("recipient_unit", "recipient_member_organisation", "recipient_person")
        .order_by("rank", "id")
    )
    form = forms.AddProposalsForm(request.POST or None, queryset=pending)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                for proposal in form.cleaned_data["proposals"]:
                    services.commendation_add(
                        actor=request.user, decision=decision, proposal=proposal
                    )
            except UserFacingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Đã thêm người, tập thể được khen theo đề nghị.")
                return redirect("emulation:decision", pk=decision.pk)
    return render(
        request,
        "emulation/decision.html",
        {
            "decision": decision,
            "commendations": selectors.commendations_of_decision(decision=decision),
            "can_edit": can_edit,
            "form": form,
            "has_pending": pending.exists() if can_edit else False,
            "conferences": selectors.conferences_visible(user=request.user).filter(
                decisions=decision
            ),
        },
    )


@login_required
def decision_add_many(request, pk: int):
    """One decision, many recipients pasted or uploaded; all or nothing."""
    from mattran.core.errors import ImportValidationError

    from .recipients import lines_from_text, lines_from_xlsx, recipients_resolve

    decision = selectors.decision_get_visible(user=request.user, pk=pk)
    policy = policy_for(request.user)
    if not (policy.can(Perm.EDIT, decision.unit) or policy.can(Perm.APPROVE, decision.unit)):
        raise Http404
    form = forms.RecipientsForm(request.POST or None, request.FILES or None)
    row_errors, total = [], 0
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            # (the file's type, content and size: checked by the form, core/uploads.py)
            lines = lines_from_xlsx(d["file"].read()) if d["file"] else lines_from_text(d["lines"])
            resolved = recipients_resolve(
                scope=decision.unit, award_type=decision.award_type, lines=lines
            )
            added = services.commendations_add_many(
                actor=request.user, decision=decision, lines=resolved
            )
        except ImportValidationError as exc:
            row_errors, total = exc.errors, exc.total
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            collectives = sum(1 for c in added if c.is_collective)
            messages.success(
                request,
                f"Đã thêm {len(added)} người, tập thể được khen "
                f"({collectives} tập thể, {len(added) - collectives} cá nhân).",
            )
            return redirect("emulation:decision", pk=decision.pk)
    return render(
        request,
        "emulation/recipients.html",
        {"decision": decision, "form": form, "row_errors": row_errors, "total": total},
    )


@login_required
def decision_document(request, pk: int):
    decision = selectors.decision_get_visible(user=request.user, pk=pk)
    if not decision.document:
        raise Http404
    return _download(decision.document, decision.document_name)


@login_required
def unit_history(request, unit_id: int):
    unit = unit_get_visible(user=request.user, pk=unit_id)
    return render(
        request,
        "emulation/history.html",
        {
            "subject": unit.name,
            "unit": unit,
            "commendations": selectors.commendations_of_unit(user=request.user, unit=unit),
            "sheets": selectors.sheets_of_unit(user=request.user, unit=unit),
        },
    )


@login_required
def person_history(request, pk: int):
    person = selectors.person_get_visible(user=request.user, pk=pk)
    return render(
        request,
        "emulation/history.html",
        {
            "subject": person.full_name,
            "person": person,
            "commendations": selectors.commendations_of_person(user=request.user, person=person),
            "sheets": [],
        },
    )


# ========================================================================= conferences


def _conference_input(data) -> services.ConferenceInput:
    return services.ConferenceInput(**data)


@login_required
@require_http_methods(["GET", "POST"])
def conference_create(request, unit_id: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.ConferenceForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            conference = services.conference_create(
                actor=request.user, unit=unit, data=_conference_input(form.cleaned_data)
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã tạo hội nghị.")
            return redirect("emulation:conference", pk=conference.pk)
    return _form_page(
        request,
        form=form,
        title="Thêm hội nghị",
        back=reverse("emulation:index"),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_edit(request, pk: int):
    conference = selectors.conference_get_visible(user=request.user, pk=pk)
    unit = unit_get_visible(user=request.user, pk=conference.unit_id, perm=Perm.EDIT)
    initial = {f: getattr(conference, f) for f in forms.ConferenceForm.base_fields}
    form = forms.ConferenceForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.conference_update(
                actor=request.user, conference=conference, data=_conference_input(form.cleaned_data)
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã cập nhật hội nghị.")
            return redirect("emulation:conference", pk=conference.pk)
    return _form_page(
        request,
        form=form,
        title="Sửa thông tin hội nghị",
        back=reverse("emulation:conference", args=[conference.pk]),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_detail(request, pk: int):
    from .models import CommendationDecision, CoordinationProgram, Pledge

    conference = selectors.conference_get_visible(user=request.user, pk=pk)
    unit = conference.unit
    can_edit = policy_for(request.user).can(Perm.EDIT, unit)
    subtree = Unit.subtree_q(unit.path, prefix="unit__")
    attendee_form = forms.AttendeeForm(prefix="att")
    agenda_form = forms.AgendaForm(prefix="ag")
    links_form = None
    if can_edit:
        links_form = forms.ConferenceLinksForm(
            prefix="ln",
            pledges=Pledge.objects.filter(subtree),
            programs=CoordinationProgram.objects.filter(subtree).select_related(
                "member_organisation"
            ),
            decisions=CommendationDecision.objects.filter(subtree).select_related("award_type"),
            initial={
                "pledges": conference.pledges.all(),
                "programs": conference.programs.all(),
                "decisions": conference.decisions.all(),
            },
        )
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "attendee":
                attendee_form = forms.AttendeeForm(request.POST, prefix="att")
                if attendee_form.is_valid():
                    services.conference_attendee_add(
                        actor=request.user, conference=conference, **attendee_form.cleaned_data
                    )
                    return redirect("emulation:conference", pk=pk)
            elif action == "agenda":
                agenda_form = forms.AgendaForm(request.POST, prefix="ag")
                if agenda_form.is_valid():
                    services.conference_agenda_add(
                        actor=request.user, conference=conference, **agenda_form.cleaned_data
                    )
                    return redirect("emulation:conference", pk=pk)
            elif action == "links":
                links_form = forms.ConferenceLinksForm(
                    request.POST,
                    prefix="ln",
                    pledges=Pledge.objects.filter(subtree),
                    programs=CoordinationProgram.objects.filter(subtree),
                    decisions=CommendationDecision.objects.filter(subtree),
                )
                if links_form.is_valid():
                    services.conference_links_set(
                        actor=request.user, conference=conference, **links_form.cleaned_data
                    )
                    messages.success(
                        request, "Đã cập nhật văn bản ký kết và khen thưởng trao tại hội nghị."
                    )
                    return redirect("emulation:conference", pk=pk)
            elif action in ("attendee_delete", "agenda_delete"):
                model = conference.attendees if action == "attendee_delete" else conference.agenda
                obj = get_object_or_404(model, pk=request.POST.get("id"))
                if action == "attendee_delete":
                    services.conference_attendee_delete(actor=request.user, attendee=obj)
                else:
                    services.conference_agenda_delete(actor=request.user, item=obj)
                return redirect("emulation:conference", pk=pk)
            else:
                raise Http404
        except UserFacingError as exc:
            messages.error(request, exc.message)
    record = selectors.conference_record(conference=conference)
    from .extensions import conference_context

    return render(
        request,
        "emulation/conference.html",
        {
            "conference": conference,
            "unit": unit,
            "record": record,
            "can_edit": can_edit,
            "attendee_form": attendee_form,
            "agenda_form": agenda_form,
            "links_form": links_form,
            # the news articles drafted from it (news registers them: extensions.py)
            **conference_context(user=request.user, conference=conference),
        },
    )
