"""Pages of commendations: proposals, decisions and their recipients, histories."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.units.models import Unit

from .. import forms, selectors, services
from ._common import _download, _this_year, form_view

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
    return form_view(
        request,
        form=form,
        save=lambda data: services.proposal_create(
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
        ),
        success="Đã lập đề nghị khen thưởng.",
        done=reverse("emulation:proposals"),
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
    from ..wording import committee_name

    form = forms.DecisionForm(
        request.POST or None,
        request.FILES or None,
        unit=unit,
        initial={"issuer": committee_name(unit), "achievement_year": _this_year() - 1},
    )
    return form_view(
        request,
        form=form,
        save=lambda data: services.decision_create(actor=request.user, unit=unit, **data),
        success="Đã ghi quyết định. Thêm người, tập thể được khen.",
        done=lambda decision: reverse("emulation:decision", args=[decision.pk]),
        title="Ghi quyết định khen thưởng",
        back=reverse("emulation:index"),
        unit=unit,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_detail(request, pk: int):
    from ..models import CommendationProposal, ProposalStatus

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

    from ..recipients import lines_from_text, lines_from_xlsx, recipients_resolve

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
