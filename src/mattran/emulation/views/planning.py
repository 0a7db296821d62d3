"""Pages of the emulation overview and of planning: key tasks, coordination
programs."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import fold
from mattran.units.models import Level, Unit

from .. import forms, selectors, services
from ..models import ProgramItem, ProgramSignatory, ProgramStatus
from ._common import _download, _this_year, form_view

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


def _key_task_fields(form, data) -> dict:
    return {
        "text": data["text"],
        "owner_person": data["owner_person"],
        "owner_member_organisation": data["owner_member_organisation"],
        "note": data["note"],
        "measures": form.measures(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def key_task_create(request, unit_id: int, year: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.KeyTaskForm(request.POST or None, unit=unit)
    return form_view(
        request,
        form=form,
        save=lambda data: services.key_task_create(
            actor=request.user, unit=unit, year=year, **_key_task_fields(form, data)
        ),
        success="Đã thêm nhiệm vụ trọng tâm.",
        done=_planning_url(unit.pk, year),
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
    return form_view(
        request,
        form=form,
        save=lambda data: services.key_task_update(
            actor=request.user, task=task, **_key_task_fields(form, data)
        ),
        success="Đã cập nhật nhiệm vụ.",
        done=_planning_url(unit.pk, task.year),
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
    return form_view(
        request,
        form=form,
        save=lambda data: services.program_create(
            actor=request.user,
            unit=unit,
            member_organisation=data["member_organisation"],
            year=year,
            title=data["title"] or services.program_title(unit, data["member_organisation"], year),
            note=data["note"],
        ),
        success="Đã tạo chương trình phối hợp (dự thảo).",
        done=lambda program: reverse("emulation:program", args=[program.pk]),
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
    actor = request.user
    # The page's four forms, each with the one service its POST calls.
    actions = {
        "item": (
            lambda *data: forms.ProgramItemForm(*data, unit=unit, year=program.year, prefix="item"),
            lambda cd: services.program_item_add(actor=actor, program=program, **cd),
            "Đã thêm nội dung phối hợp.",
        ),
        "signatory": (
            lambda *data: forms.SignatoryForm(*data, prefix="sig"),
            lambda cd: services.program_signatory_add(actor=actor, program=program, **cd),
            "Đã thêm người ký.",
        ),
        "sign": (
            lambda *data: forms.SignForm(*data, prefix="sign"),
            lambda cd: services.program_sign(
                actor=actor, program=program, signed_on=cd["signed_on"]
            ),
            "Đã ghi nhận ký kết chương trình.",
        ),
        "document": (
            lambda *data: forms.DocumentForm(*data, prefix="doc"),
            lambda cd: services.program_document_attach(
                actor=actor, program=program, file=cd["file"]
            ),
            "Đã lưu văn bản đã ký.",
        ),
    }
    page_forms = {name: make() for name, (make, _save, _done) in actions.items()}
    if request.method == "POST":
        action = request.POST.get("action")
        if not can_edit or action not in actions:
            raise Http404
        make, save, done = actions[action]
        form = page_forms[action] = make(request.POST, request.FILES)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except UserFacingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, done)
                return redirect("emulation:program", pk=pk)
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
        "item_form": page_forms["item"],
        "signatory_form": page_forms["signatory"],
        "sign_form": page_forms["sign"],
        "document_form": page_forms["document"],
    }
    return render(request, "emulation/program.html", context)


def _program_part_delete(request, model, pk: int, delete):
    """Delete a program's item or signatory (`delete(part)` calls its one service)."""
    part = get_object_or_404(model.objects.select_related("program"), pk=pk)
    program = selectors.program_get_visible(user=request.user, pk=part.program_id)
    unit_get_visible(user=request.user, pk=program.unit_id, perm=Perm.EDIT)
    try:
        delete(part)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    return redirect("emulation:program", pk=program.pk)


@login_required
@require_POST
def program_item_delete(request, pk: int):
    return _program_part_delete(
        request,
        ProgramItem,
        pk,
        lambda item: services.program_item_delete(actor=request.user, item=item),
    )


@login_required
@require_POST
def program_signatory_delete(request, pk: int):
    return _program_part_delete(
        request,
        ProgramSignatory,
        pk,
        lambda sig: services.program_signatory_delete(actor=request.user, signatory=sig),
    )


@login_required
def program_document(request, pk: int):
    program = selectors.program_get_visible(user=request.user, pk=pk)
    if not program.document:
        raise Http404
    return _download(program.document, program.document_name)


def chart_json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
