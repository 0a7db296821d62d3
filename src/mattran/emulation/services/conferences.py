"""Writes of conferences: the conference, its attendees and agenda, its links to
pledges and decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from mattran.access.policy import Perm, require_any_perm, require_perm
from mattran.core.audit import audit_record
from mattran.core.errors import UserFacingError, full_clean_or_raise
from mattran.core.vietnamese import nfc
from mattran.units.models import Person, Unit

from ..models import (
    AgendaItem,
    Commendation,
    CommendationDecision,
    Conference,
    ConferenceAttendee,
    CoordinationProgram,
    Pledge,
)
from ..uploads import file_safe_snapshot as snapshot
from ._common import _in_subtree, _part_add, _part_delete, _text
from .commendations import Recipient, _apply_recipient, _recipient_check

# ========================================================================= conferences


@dataclass(frozen=True)
class ConferenceInput:
    kind: str
    title: str
    held_on: dt.date
    starts_at: dt.time | None = None
    session: str = ""
    place: str = ""
    chair: Person | None = None
    chair_title: str = ""
    summary: str = ""
    key_task_year: int | None = None


def _conference_apply(conference: Conference, data: ConferenceInput) -> None:
    conference.kind = data.kind
    conference.title = _text(data.title, "Tên hội nghị")
    conference.held_on = data.held_on
    conference.starts_at = data.starts_at
    conference.session = data.session or ""
    conference.place = nfc(data.place)
    conference.chair = data.chair
    conference.chair_title = nfc(data.chair_title)
    conference.summary = _text(data.summary, "Nội dung", required=False)
    conference.key_task_year = data.key_task_year


@transaction.atomic
def conference_create(*, actor, unit: Unit, data: ConferenceInput) -> Conference:
    require_perm(actor, Perm.EDIT, unit)
    conference = Conference(unit=unit)
    _conference_apply(conference, data)
    full_clean_or_raise(conference)
    conference.save()
    audit_record(
        actor=actor,
        action="conference.create",
        obj=conference,
        unit=unit,
        after=snapshot(conference),
    )
    return conference


@transaction.atomic
def conference_update(*, actor, conference: Conference, data: ConferenceInput) -> Conference:
    require_perm(actor, Perm.EDIT, conference.unit)
    before = snapshot(conference)
    _conference_apply(conference, data)
    full_clean_or_raise(conference)
    conference.save()
    audit_record(
        actor=actor,
        action="conference.update",
        obj=conference,
        unit=conference.unit,
        before=before,
        after=snapshot(conference),
    )
    return conference


@transaction.atomic
def conference_attendee_add(
    *,
    actor,
    conference: Conference,
    title: str,
    full_name: str = "",
    person: Person | None = None,
    headcount: int | None = 1,
    is_guest: bool = False,
) -> ConferenceAttendee:
    require_perm(actor, Perm.EDIT, conference.unit)
    if headcount is not None and headcount < 1:
        raise UserFacingError("Số người phải từ 1 trở lên.")
    last = conference.attendees.aggregate(m=Max("order"))["m"] or 0
    attendee = ConferenceAttendee(
        conference=conference,
        order=last + 1,
        person=person,
        full_name=nfc(full_name) or (person.full_name if person else ""),
        title=_text(title, "Chức danh / thành phần"),
        headcount=headcount,
        is_guest=is_guest,
    )
    return _part_add(
        actor=actor, action="conference.attendee_add", parent=conference, part=attendee
    )


@transaction.atomic
def conference_attendee_delete(*, actor, attendee: ConferenceAttendee) -> None:
    conference = attendee.conference
    require_perm(actor, Perm.EDIT, conference.unit)
    _part_delete(actor=actor, action="conference.attendee_delete", parent=conference, part=attendee)


@transaction.atomic
def conference_agenda_add(
    *, actor, conference: Conference, content: str, speaker: str = ""
) -> AgendaItem:
    require_perm(actor, Perm.EDIT, conference.unit)
    last = conference.agenda.aggregate(m=Max("order"))["m"] or 0
    item = AgendaItem(
        conference=conference,
        order=last + 1,
        content=_text(content, "Nội dung"),
        speaker=nfc(speaker),
    )
    return _part_add(actor=actor, action="conference.agenda_add", parent=conference, part=item)


@transaction.atomic
def conference_agenda_delete(*, actor, item: AgendaItem) -> None:
    conference = item.conference
    require_perm(actor, Perm.EDIT, conference.unit)
    _part_delete(actor=actor, action="conference.agenda_delete", parent=conference, part=item)


@transaction.atomic
def conference_links_set(
    *,
    actor,
    conference: Conference,
    pledges: Iterable[Pledge] = (),
    programs: Iterable[CoordinationProgram] = (),
    decisions: Iterable[CommendationDecision] = (),
) -> Conference:
    """What was signed and handed out at the conference."""
    require_perm(actor, Perm.EDIT, conference.unit)
    pledges, programs, decisions = list(pledges), list(programs), list(decisions)
    for obj in [*pledges, *programs, *decisions]:
        if not _in_subtree(conference.unit, obj.unit):
            raise UserFacingError(f"“{obj}” không thuộc {conference.unit.name}.")
    before = {
        "pledges": sorted(conference.pledges.values_list("pk", flat=True)),
        "programs": sorted(conference.programs.values_list("pk", flat=True)),
        "decisions": sorted(conference.decisions.values_list("pk", flat=True)),
    }
    conference.pledges.set(pledges)
    conference.programs.set(programs)
    conference.decisions.set(decisions)
    after = {
        "pledges": sorted(p.pk for p in pledges),
        "programs": sorted(p.pk for p in programs),
        "decisions": sorted(d.pk for d in decisions),
    }
    if before != after:
        audit_record(
            actor=actor,
            action="conference.links_set",
            obj=conference,
            unit=conference.unit,
            before=before,
            after=after,
        )
    return conference


@transaction.atomic
def commendations_add_many(
    *, actor, decision: CommendationDecision, lines: Sequence
) -> list[Commendation]:
    """Add many recipients (resolved `recipients.RecipientLine`s) to one decision, all
    or nothing; an individual becomes a new Person with the title given."""
    require_any_perm(actor, (Perm.EDIT, Perm.APPROVE), decision.unit)
    added = []
    for line in lines:
        person = None
        if line.is_person:
            person = Person(full_name=nfc(line.name)[:120])
            full_clean_or_raise(person)
            person.save()
        recipient = Recipient(
            unit=line.unit,
            member_organisation=line.member_organisation,
            person=person,
            title=line.title if person is not None else "",
        )
        try:
            _recipient_check(decision.unit, decision.award_type, recipient)
        except UserFacingError as exc:
            raise UserFacingError(f"Dòng {line.line}: {exc.message}") from exc
        commendation = Commendation(
            decision=decision,
            achievement=_text(line.achievement, "Thành tích", required=False),
        )
        _apply_recipient(commendation, recipient)
        full_clean_or_raise(commendation)
        commendation.save()
        audit_record(
            actor=actor,
            action="commendation.add",
            obj=commendation,
            unit=decision.unit,
            after=snapshot(commendation),
            note="thêm nhiều",
        )
        added.append(commendation)
    return added
