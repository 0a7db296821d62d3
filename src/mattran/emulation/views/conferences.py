"""Pages of conferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.units.models import Unit

from .. import forms, selectors, services
from ._common import form_view

# ========================================================================= conferences


def _conference_input(data) -> services.ConferenceInput:
    return services.ConferenceInput(**data)


@login_required
@require_http_methods(["GET", "POST"])
def conference_create(request, unit_id: int):
    unit = unit_get_visible(user=request.user, pk=unit_id, perm=Perm.EDIT)
    form = forms.ConferenceForm(request.POST or None, unit=unit)
    return form_view(
        request,
        form=form,
        save=lambda data: services.conference_create(
            actor=request.user, unit=unit, data=_conference_input(data)
        ),
        success="Đã tạo hội nghị.",
        done=lambda conference: reverse("emulation:conference", args=[conference.pk]),
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
    return form_view(
        request,
        form=form,
        save=lambda data: services.conference_update(
            actor=request.user, conference=conference, data=_conference_input(data)
        ),
        success="Đã cập nhật hội nghị.",
        done=reverse("emulation:conference", args=[conference.pk]),
        title="Sửa thông tin hội nghị",
        back=reverse("emulation:conference", args=[conference.pk]),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_detail(request, pk: int):
    from ..models import CommendationDecision, CoordinationProgram, Pledge

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
    from ..extensions import conference_context

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
