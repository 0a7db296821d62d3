"""Pages of scoring: score sheets, evidence, locking and reopening, the ranking."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError, errors_as_messages

from .. import forms, selectors, services
from ._common import _download

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
        from ..models import Rating

        return Rating(cell.rating).label
    if cell.evidence_count:
        return f"{cell.evidence_count} minh chứng"
    return "Chưa có minh chứng"


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, pk: int, unit_id: int):
    from decimal import Decimal, InvalidOperation

    from ..models import SheetStatus

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

        with errors_as_messages(request):
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
        with errors_as_messages(request):
            services.evidence_add(
                actor=request.user,
                criterion=criterion,
                unit=unit,
                file=form.cleaned_data.get("file"),
                note=form.cleaned_data.get("note") or "",
            )
            messages.success(request, f"Đã nộp minh chứng cho tiêu chí {criterion.code}.")
    return redirect("emulation:sheet", pk=pledge.pk, unit_id=unit.pk)


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = selectors.evidence_get_visible(user=request.user, pk=pk, with_file=False)
    if not policy_for(request.user).can(Perm.EDIT, evidence.unit):
        raise Http404
    with errors_as_messages(request):
        services.evidence_delete(actor=request.user, evidence=evidence)
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
    with errors_as_messages(request):
        services.pledge_lock(actor=request.user, pledge=pledge)
        messages.success(request, "Đã khóa kết quả và xếp hạng.")
    return redirect("emulation:ranking", pk=pledge.pk)


@login_required
@require_POST
def pledge_reopen(request, pk: int):
    pledge = selectors.pledge_get_visible(user=request.user, pk=pk)
    unit_get_visible(user=request.user, pk=pledge.unit_id, perm=Perm.ADMINISTER)
    form = forms.ReasonForm(request.POST, prefix="reopen")
    with errors_as_messages(request):
        if not form.is_valid():
            raise UserFacingError("Cần ghi lý do mở lại.")
        services.pledge_reopen(
            actor=request.user, pledge=pledge, reason=form.cleaned_data["reason"]
        )
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

    from .. import exports

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
    with errors_as_messages(request):
        created = services.proposals_from_ranking(
            actor=request.user,
            pledge=pledge,
            award_type=form.cleaned_data["award_type"],
            top=form.cleaned_data["top"],
        )
        messages.success(
            request, f"Đã lập {len(created)} đề nghị khen thưởng theo kết quả xếp hạng."
        )
    return redirect("emulation:ranking", pk=pledge.pk)
