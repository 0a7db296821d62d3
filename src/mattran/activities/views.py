from __future__ import annotations

import uuid
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from mattran.access.cached import user_data_cached
from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core import versions
from mattran.core.errors import UserFacingError
from mattran.core.jobs import job_progress, job_start
from mattran.core.models import Job, JobStatus
from mattran.core.periods import Period
from mattran.core.uploads import max_bytes
from mattran.units.models import MemberOrganisation, Unit

from . import importers, selectors, services
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    AggregateForm,
    BulkFileForm,
    DeleteForm,
    MediationForm,
)
from .jobs import BULK_IMPORT
from .models import MediationOutcome, PeriodType
from .services import FieldErrors

RECORDS = "activities/_records.html"


def _add_errors(form, exc: UserFacingError) -> None:
    if isinstance(exc, FieldErrors):
        for field, msgs in exc.errors.items():
            for m in msgs:
                form.add_error(field if field in form.fields else None, m)
    else:
        form.add_error(None, exc.message)


@login_required
def home(request):
    """The first unit the user records for (or sees), then its activities."""
    policy = policy_for(request.user)
    unit = policy.top_units(Perm.EDIT).first() or policy.top_units(Perm.VIEW).first()
    if unit is None:
        raise Http404("Bạn chưa được phân quyền đơn vị nào")
    return redirect("activities:list", unit_pk=unit.pk)


def _can_add(user, unit: Unit) -> bool:
    policy = policy_for(user)
    return policy.can(Perm.EDIT, unit) or bool(
        policy.can(Perm.REPORT_MEMBER_ORG, unit) and policy.member_organisation_ids(unit)
    )


@login_required
def activity_list(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    form = ActivityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    period = None
    if filters.get("ky"):
        try:
            period = Period.parse(filters["ky"])
        except UserFacingError as exc:
            form.add_error("ky", exc.message)

    def records_html() -> str:
        records = selectors.activity_list_visible(
            user=request.user,
            unit=unit,
            type=filters.get("type"),
            period=period,
            only_this_unit=bool(filters.get("chi_don_vi_nay")),
            query=filters.get("q") or "",
        )
        page = Paginator(records, 50).get_page(request.GET.get("trang"))
        return render_to_string(RECORDS, {"page": page, "request": request})

    # The records' table is the same for every request with the same filters, grants
    # and data (no CSRF token or nonce in it): rendered once per version of the
    # unit's subtree (any write in it, a unit renamed) and of the activity types.
    html = user_data_cached(
        "activity-list",
        (unit.pk, sorted(request.GET.lists())),
        user=request.user,
        names=[versions.REF, f"u:{unit.pk}"],
        compute=records_html,
    )
    html = mark_safe(html)  # noqa: S308 - our template's output, escaped there
    if request.htmx:
        return HttpResponse(html)
    context = {
        "unit": unit,
        "form": form,
        "records_html": html,
        "can_add": _can_add(request.user, unit),
    }
    return render(request, "activities/list.html", context)


def _activity_form(request, unit: Unit, data=None, files=None, initial=None):
    policy = policy_for(request.user)
    reporter_orgs = None
    if not policy.can(Perm.EDIT, unit):
        reporter_orgs = MemberOrganisation.objects.filter(
            pk__in=policy.member_organisation_ids(unit)
        )
    return ActivityForm(
        data,
        files,
        initial=initial,
        unit=unit,
        supervisable=Unit.objects.filter(parent=unit).order_by("path"),
        organisations=selectors.member_organisations_for(unit=unit),
        reporter_orgs=reporter_orgs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    if not _can_add(request.user, unit):
        raise Http404
    form = _activity_form(
        request,
        unit,
        request.POST or None,
        request.FILES or None,
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = services.activity_record_create(
                actor=request.user,
                unit=unit,
                type=d["type"],
                date=d["date"],
                title=d["title"],
                notes=d["notes"],
                attendance=d["attendance"],
                subject=d["subject"],
                supervised_units=d["supervised_units"],
                co_organisers=d["co_organisers"],
                member_organisation=d.get("member_organisation"),
                attachment=d["attachment"],
            )
        except UserFacingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Đã ghi hoạt động “{record.title}”.")
            return redirect("activities:list", unit_pk=unit.pk)
    return render(
        request,
        "activities/form.html",
        {"unit": unit, "form": form, "title": "Ghi hoạt động", "record": None},
    )


@login_required
def activity_detail(request, pk: int):
    record = selectors.activity_get_visible(user=request.user, pk=pk)
    context = {
        "record": record,
        "unit": record.unit,
        "supervised": selectors.activity_supervised_units(record=record),
        "co_organisers": list(record.co_organisers.all()),
        "can_change": services.can_record(request.user, record.unit, record.member_organisation),
        "show_notes": selectors.notes_visible(
            user=request.user,
            unit=record.unit,
            member_organisation_id=record.member_organisation_id,
        ),
    }
    return render(request, "activities/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_update(request, pk: int):
    record = selectors.activity_get_visible(user=request.user, pk=pk)
    if not services.can_record(request.user, record.unit, record.member_organisation):
        raise Http404
    initial = {
        "type": record.type,
        "date": record.date,
        "title": record.title,
        "attendance": record.attendance,
        "subject": record.subject,
        "supervised_units": selectors.activity_supervised_units(record=record),
        "co_organisers": list(record.co_organisers.all()),
        "member_organisation": record.member_organisation,
        "notes": record.notes,
    }
    form = _activity_form(
        request, record.unit, request.POST or None, request.FILES or None, initial=initial
    )
    if "member_organisation" in form.fields:
        form.fields["member_organisation"].disabled = True
        form.fields["member_organisation"].required = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.activity_record_update(
                actor=request.user,
                record=record,
                type=d["type"],
                date=d["date"],
                title=d["title"],
                notes=d["notes"],
                attendance=d["attendance"],
                subject=d["subject"],
                supervised_units=d["supervised_units"],
                co_organisers=d["co_organisers"],
                attachment=d["attachment"],
                remove_attachment=request.POST.get("remove_attachment") == "1",
            )
        except UserFacingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Đã lưu thay đổi.")
            return redirect("activities:detail", pk=record.pk)
    return render(
        request,
        "activities/form.html",
        {"unit": record.unit, "form": form, "title": "Sửa hoạt động", "record": record},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk: int):
    record = selectors.activity_get_visible(user=request.user, pk=pk)
    if not services.can_record(request.user, record.unit, record.member_organisation):
        raise Http404
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record_delete(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã xóa hoạt động.")
            return redirect("activities:list", unit_pk=record.unit_id)
    return render(
        request,
        "activities/confirm_delete.html",
        {"record": record, "unit": record.unit, "form": form},
    )


@login_required
def activity_attachment(request, pk: int):
    record = selectors.activity_get_visible(user=request.user, pk=pk)
    if not record.attachment:
        raise Http404
    try:
        handle = record.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp không còn trên máy chủ") from None
    name = record.attachment_name or PurePath(record.attachment.name).name
    return FileResponse(handle, as_attachment=True, filename=name)


# -------------------------------------------------------------------- mediation


@login_required
def mediation_list(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    code = request.GET.get("ky", "").strip()
    period, error = None, ""
    if code:
        try:
            period = Period.parse(code)
        except UserFacingError as exc:
            error = exc.message
    outcome = request.GET.get("ket-qua", "")
    if outcome not in MediationOutcome.values:
        outcome = ""
    cases = selectors.mediation_list_visible(
        user=request.user, unit=unit, period=period, outcome=outcome
    )
    page = Paginator(cases, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "activities/mediation_list.html",
        {
            "unit": unit,
            "page": page,
            "code": code,
            "error": error,
            "outcome": outcome,
            "outcomes": MediationOutcome.choices,
            "can_edit": policy_for(request.user).can(Perm.EDIT, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mediation_create(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk, perm=Perm.EDIT)
    form = MediationForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.mediation_case_create(actor=request.user, unit=unit, **form.cleaned_data)
        except UserFacingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Đã ghi vụ việc hòa giải.")
            return redirect("activities:mediation_list", unit_pk=unit.pk)
    return render(
        request,
        "activities/simple_form.html",
        {
            "unit": unit,
            "form": form,
            "title": "Ghi vụ việc hòa giải",
            "back": reverse("activities:mediation_list", args=[unit.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mediation_update(request, pk: int):
    case = selectors.mediation_get_visible(user=request.user, pk=pk)
    if not policy_for(request.user).can(Perm.EDIT, case.unit):
        raise Http404
    initial = {
        "received_on": case.received_on,
        "title": case.title,
        "outcome": case.outcome,
        "closed_on": case.closed_on,
        "notes": case.notes,
    }
    form = MediationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.mediation_case_update(actor=request.user, case=case, **form.cleaned_data)
        except UserFacingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Đã lưu vụ việc hòa giải.")
            return redirect("activities:mediation_list", unit_pk=case.unit_id)
    return render(
        request,
        "activities/simple_form.html",
        {
            "unit": case.unit,
            "form": form,
            "title": "Cập nhật vụ việc hòa giải",
            "back": reverse("activities:mediation_list", args=[case.unit_id]),
        },
    )


# ------------------------------------------------------------------- aggregates


@login_required
@require_http_methods(["GET", "POST"])
def aggregate_form(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period_type = request.GET.get("loai", PeriodType.MONTH)
    if period_type not in PeriodType.values:
        period_type = PeriodType.MONTH
    code = (
        request.GET.get("ky")
        or selectors.aggregate_default_period(unit=unit, period_type=period_type).code
    )
    try:
        period = selectors.period_of_type(period_type, code)
    except (UserFacingError, ValueError):
        messages.error(
            request, f"Kỳ “{code}” không phải một {PeriodType(period_type).label.lower()}."
        )
        return redirect(
            f"{reverse('activities:aggregate', args=[unit.pk])}?loai={period_type}"
            f"&ky={selectors.aggregate_default_period(unit=unit, period_type=period_type).code}"
        )
    elements = selectors.data_elements_for(period_type=period_type)
    existing = selectors.aggregate_values(unit=unit, start=period.start, end=period.end)
    can_edit = policy_for(request.user).can(Perm.EDIT, unit)
    form = AggregateForm(
        request.POST if request.method == "POST" else None,
        elements=elements,
        initial_values={k: v.value for k, v in existing.items()},
    )
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.aggregate_entries_save(
                    actor=request.user,
                    unit=unit,
                    period_start=period.start,
                    period_end=period.end,
                    values=form.values(),
                )
            except UserFacingError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Đã lưu số liệu {period.label}.")
                return redirect(request.get_full_path())
    return render(
        request,
        "activities/aggregate_form.html",
        {
            "unit": unit,
            "form": form,
            "period": period,
            "period_type": period_type,
            "period_types": PeriodType.choices,
            "code": code,
            "can_edit": can_edit,
            "existing": existing,
        },
    )


# ------------------------------------------------------------------- bulk entry


@login_required
@require_http_methods(["GET", "POST"])
def bulk(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk, perm=Perm.EDIT)
    code = (request.POST.get("ky") or request.GET.get("ky") or "").strip() or (
        selectors.aggregate_default_period(unit=unit, period_type=PeriodType.MONTH).code
    )
    errors, period = [], None
    try:
        period = Period.parse(code)
    except UserFacingError as exc:
        errors = [exc.message]
    if period and request.method == "GET" and request.GET.get("tai") == "1":
        data = importers.bulk_template(unit=unit, period=period)
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"mau-nhap-{unit.code or unit.pk}-{period.code}.xlsx".replace("..", "_")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if request.method == "POST":
        upload_form = BulkFileForm(files=request.FILES)
        if not upload_form.is_valid():
            errors.extend(upload_form.errors.get("tep", ["Chưa chọn tệp."]))
        else:
            upload = upload_form.cleaned_data["tep"]
            folder = Path(settings.MEDIA_ROOT) / "bulk"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{uuid.uuid4().hex}.xlsx"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            job = job_start(
                kind=BULK_IMPORT,
                actor=request.user,
                unit=unit,
                params={
                    "unit_id": unit.pk,
                    "period": period.code if period else "",
                    "path": str(path),
                    "include_duplicates": request.POST.get("ghi_trung") == "1",
                },
                message="Đang chờ nhập tệp Excel",
            )
            job.refresh_from_db()
            if job.status == JobStatus.FAILED:  # already run (no separate worker): say why here
                return render(
                    request,
                    "activities/bulk.html",
                    {"unit": unit, "code": code, "period": period, "errors": errors,
                     "max_mb": max_bytes("spreadsheet") // (1024 * 1024), **_bulk_job_context(job)},
                )  # fmt: skip
            return redirect("activities:bulk_job", pk=job.pk)
    return render(
        request,
        "activities/bulk.html",
        {
            "unit": unit,
            "code": code,
            "period": period,
            "errors": errors,
            "max_mb": max_bytes("spreadsheet") // (1024 * 1024),
        },
    )


@login_required
def bulk_job(request, pk: int):
    """Progress and outcome of an XLSX upload (polled by HTMX while it runs); visible
    to who started it and to who may see its unit, like every job page."""
    job = Job.objects.filter(pk=pk).select_related("unit").first()
    if job is None or not (
        job.created_by_id == request.user.pk
        or (job.unit and policy_for(request.user).can(Perm.VIEW, job.unit))
    ):
        raise Http404
    template = "activities/_bulk_job.html" if request.htmx else "activities/bulk_job.html"
    return render(request, template, _bulk_job_context(job))


def _bulk_job_context(job: Job) -> dict:
    result = job.result or {}
    error = (result.get("error") or "").splitlines()
    return {
        "unit": job.unit,
        "job": job,
        "progress": job_progress(job),
        "error_head": error[:1],
        "error_lines": error[1:],
        "duplicates": result.get("duplicates") or [],
        "result": result,
    }
