"""Upload an old report (or paste it), review what was read, confirm into history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period

from . import extract, selectors, services
from .forms import ConfirmFormSet, UploadForm


def _unit_and_period(user, unit_text: str, period_code: str):
    from mattran.reports.selectors import unit_resolve, version_default

    try:
        period = Period.parse(period_code.strip())
    except (ValueError, UserFacingError) as exc:
        raise UserFacingError(
            f"Kỳ “{period_code}” không hợp lệ (ví dụ: năm 2023, 9 tháng 2023, quý 3/2023)."
        ) from exc
    unit = unit_resolve(user=user, text=unit_text, version=version_default(period=period))
    return unit, period


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    if not policy_for(request.user).has_any(Perm.VIEW):
        raise Http404("Không có đơn vị nào bạn được xem")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                upload = data["file"]
                extracted = extract.extract(name=upload.name, data=upload.read())
                source = upload.name
            else:
                extracted = extract.from_text(data["text"])
                source = "nội dung dán vào"
            unit = period = None
            if data["unit"].strip():
                unit, period = _unit_and_period(request.user, data["unit"], data["period"])
            analysis = selectors.analyse(
                extracted=extracted, user=request.user, unit=unit, period=period
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            can_edit = unit is not None and policy_for(request.user).can(Perm.EDIT, unit)
            formset = None
            if can_edit and analysis.proposals:
                formset = ConfirmFormSet(
                    initial=[
                        {"key": f.key, "value": int(f.value), "decision": "accept",
                         "sentence": f.sentence}
                        for f in analysis.proposals
                    ]
                )  # fmt: skip
            return render(
                request,
                "reading/review.html",
                {
                    "analysis": analysis,
                    "source": source,
                    "formset": formset,
                    "can_edit": can_edit,
                    "rows": zip(formset.forms, analysis.proposals, strict=True) if formset else [],
                },
            )
    return render(request, "reading/upload.html", {"form": form})


@login_required
@require_POST
def confirm(request):
    try:
        unit_pk = int(request.POST.get("unit", ""))
    except ValueError as exc:
        raise Http404 from exc
    unit = unit_get_visible(user=request.user, pk=unit_pk, perm=Perm.EDIT)
    try:
        period = Period.parse(request.POST.get("period", ""))
    except (ValueError, UserFacingError):
        messages.error(request, "Kỳ báo cáo không hợp lệ; chưa ghi gì.")
        return redirect("reading:upload")
    formset = ConfirmFormSet(request.POST)
    if not formset.is_valid():
        messages.error(
            request, "Có giá trị không hợp lệ (phải là số nguyên không âm); chưa ghi gì."
        )
        return redirect("reading:upload")
    entries = [
        (row["key"], row["value"])
        for row in formset.cleaned_data
        if row and row.get("decision") == "accept"
    ]
    try:
        written = services.history_confirm(
            actor=request.user,
            unit=unit,
            period=period,
            entries=entries,
            source=request.POST.get("source", "")[:200],
        )
    except UserFacingError as exc:
        messages.error(request, f"{exc.message} Chưa ghi gì.")
        return redirect("reading:upload")
    messages.success(
        request,
        f"Đã ghi {written} tổng số của {unit.name} cho {period.label} vào lịch sử.",
    )
    return redirect("reading:upload")
