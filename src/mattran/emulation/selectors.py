"""Reads for planning, emulation, commendation and conferences.

Every read starts from what the user may see. A pledge is visible to whoever
may see its organiser, and to the member units' users (each sees its own row;
the peer ranking once the result is locked). Progress and ranking run a fixed
number of queries whatever the number of member units: one per criterion
measure, one for targets, one for evidence, one for ratings, one for scores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from mattran.access.policy import Perm, policy_for
from mattran.core.periods import Period
from mattran.units.models import Person, Position, Unit

from . import measures as measure_registry
from .models import (
    Commendation,
    CommendationDecision,
    CommendationProposal,
    Conference,
    CoordinationProgram,
    Criterion,
    CriterionKind,
    CriterionScore,
    CriterionTarget,
    Evidence,
    KeyTask,
    Pledge,
    PledgeMember,
    PledgeStatus,
    ScoreSheet,
    UnitRating,
)
from .scoring import Assessment, Ranked, assess, rank

# ----------------------------------------------------------------------------- pledges


def pledges_visible(*, user) -> QuerySet[Pledge]:
    policy = policy_for(user)
    member_visible = PledgeMember.objects.filter(
        policy.unit_q(Perm.VIEW, prefix="unit__"), pledge=OuterRef("pk")
    )
    return (
        Pledge.objects.filter(Q(policy.unit_q(Perm.VIEW, prefix="unit__")) | Exists(member_visible))
        .select_related("unit", "unit__version")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("-year", "unit__path", "id")
    )


def pledge_get_visible(*, user, pk: int) -> Pledge:
    pledge = pledges_visible(user=user).filter(pk=pk).first()
    if pledge is None:
        raise Http404("Không tìm thấy giao ước")
    return pledge


@dataclass(frozen=True)
class PledgeAccess:
    sees_all: bool  # may view the organiser: every member's row
    can_setup: bool
    can_verify: bool
    can_reopen: bool
    editable_unit_ids: frozenset[int]  # member units the user may self-score

    @property
    def sees_ranking(self) -> bool:
        return self.sees_all


def pledge_access(*, user, pledge: Pledge, members: list[Unit]) -> PledgeAccess:
    policy = policy_for(user)
    organiser = pledge.unit
    return PledgeAccess(
        sees_all=policy.can(Perm.VIEW, organiser),
        can_setup=policy.can(Perm.EDIT, organiser) and pledge.status == PledgeStatus.DRAFT,
        can_verify=policy.can(Perm.APPROVE, organiser),
        can_reopen=policy.can(Perm.ADMINISTER, organiser),
        editable_unit_ids=frozenset(u.pk for u in members if policy.can(Perm.EDIT, u)),
    )


def pledge_members(*, pledge: Pledge) -> list[Unit]:
    return [
        m.unit
        for m in PledgeMember.objects.filter(pledge=pledge)
        .select_related("unit")
        .order_by("order", "unit__name")
    ]


def pledge_members_visible(*, user, pledge: Pledge) -> list[Unit]:
    """All members for the organiser's users; otherwise the members the user may see."""
    members = pledge_members(pledge=pledge)
    policy = policy_for(user)
    if policy.can(Perm.VIEW, pledge.unit):
        return members
    return [u for u in members if policy.can(Perm.VIEW, u)]


def member_get_visible(*, user, pledge: Pledge, unit_id: int) -> Unit:
    for unit in pledge_members_visible(user=user, pledge=pledge):
        if unit.pk == unit_id:
            return unit
    raise Http404("Không tìm thấy đơn vị")


def criteria_of(*, pledge: Pledge) -> list[Criterion]:
    return list(Criterion.objects.filter(pledge=pledge).order_by("order", "id"))


# ---------------------------------------------------------------------------- progress


@dataclass
class Cell:
    criterion: Criterion
    unit: Unit
    assessment: Assessment
    value: object = None
    value_text: str = ""
    target: int | None = None
    target_max: int | None = None
    target_text: str = ""
    evidence_count: int = 0
    rating: str | None = None


@dataclass
class CriterionProgress:
    criterion: Criterion
    measure: measure_registry.Measure | None
    cells: list[Cell]

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.cells if c.assessment.met)

    @property
    def chart(self) -> dict:
        """Data for one Chart.js bar chart: the value of each unit against its target."""
        labels = [c.unit.name.removeprefix("Phường ").removeprefix("Xã ") for c in self.cells]
        kind = self.criterion.kind
        if kind in (CriterionKind.REQUIREMENT, CriterionKind.RATING):
            return {
                "labels": labels,
                "values": [
                    int(c.assessment.points) if c.assessment.points is not None else None
                    for c in self.cells
                ],
                "targets": [float(self.criterion.points)] * len(self.cells),
                "valueLabel": "Điểm theo dữ liệu",
                "targetLabel": "Điểm chuẩn",
                "met": [c.assessment.met for c in self.cells],
            }
        return {
            "labels": labels,
            "values": [float(c.value) if c.value is not None else None for c in self.cells],
            "targets": [float(c.target) if c.target is not None else None for c in self.cells],
            "valueLabel": f"Kết quả ({self.measure.unit_label})" if self.measure else "Kết quả",
            "targetLabel": "Chỉ tiêu",
            "met": [c.assessment.met for c in self.cells],
        }


@dataclass
class Progress:
    pledge: Pledge
    period: Period
    units: list[Unit]
    criteria: list[CriterionProgress]
    by_unit: dict[int, list[Cell]] = field(default_factory=dict)


def progress_period(pledge: Pledge, as_of: dt.date | None = None) -> Period:
    """From 1 January of the pledge year to `as_of` (default: the year's end, or today)."""
    start = dt.date(pledge.year, 1, 1)
    end = dt.date(pledge.year, 12, 31)
    if as_of is not None:
        end = min(max(as_of, start), end)
    return Period.range(start, end).normalised()


def compute_progress(
    *,
    pledge: Pledge,
    units: list[Unit],
    period: Period,
    criteria: list[Criterion] | None = None,
    user=None,
) -> Progress:
    """Each unit against each criterion, from the data. Queries: the figures engine once for
    every criterion's figure key (one grouped query per source, with `user`'s access and
    lineage), plus 1 for targets, 1 for evidence and 1 for ratings (only those needed)."""
    criteria = criteria if criteria is not None else criteria_of(pledge=pledge)
    unit_ids = [u.pk for u in units]
    kinds = {c.kind for c in criteria}

    targets: dict[tuple[int, int], CriterionTarget] = {}
    if units and any(c.uses_measure for c in criteria):
        for t in CriterionTarget.objects.filter(criterion__pledge=pledge, unit_id__in=unit_ids):
            targets[(t.criterion_id, t.unit_id)] = t

    evidence: dict[tuple[int, int], int] = {}
    if units and criteria:
        for cid, uid, n in (
            Evidence.objects.filter(criterion__pledge=pledge, unit_id__in=unit_ids)
            .values("criterion_id", "unit_id")
            .annotate(n=Count("id"))
            .values_list("criterion_id", "unit_id", "n")
            .order_by()
        ):
            evidence[(cid, uid)] = n

    ratings: dict[int, str] = {}
    if units and CriterionKind.RATING in kinds:
        ratings = dict(
            UnitRating.objects.filter(unit_id__in=unit_ids, year=pledge.year).values_list(
                "unit_id", "rating"
            )
        )

    values_by_measure = measure_registry.values_for(
        [c.measure_key for c in criteria if c.uses_measure], units, period, user=user
    )
    result: list[CriterionProgress] = []
    by_unit: dict[int, list[Cell]] = defaultdict(list)
    for criterion in criteria:
        measure = measure_registry.get(criterion.measure_key) if criterion.uses_measure else None
        values = values_by_measure.get(criterion.measure_key, {}) if measure else {}
        cells = []
        for unit in units:
            key = (criterion.pk, unit.pk)
            t = targets.get(key)
            target = t.target if t else criterion.target
            target_max = (t.target_max if t and t.target_max is not None else None) or (
                criterion.target_max
            )
            value = values.get(unit.pk) if measure else None
            n_evidence = evidence.get(key, 0)
            rating = ratings.get(unit.pk)
            a = assess(
                criterion,
                value=value,
                target=target,
                target_max=target_max,
                has_evidence=n_evidence > 0,
                rating=rating,
            )
            cell = Cell(
                criterion=criterion,
                unit=unit,
                assessment=a,
                value=value,
                value_text=measure.format(value) if measure else "",
                target=target,
                target_max=target_max,
                target_text=_target_text(criterion, measure, target, target_max),
                evidence_count=n_evidence,
                rating=rating,
            )
            cells.append(cell)
            by_unit[unit.pk].append(cell)
        result.append(CriterionProgress(criterion, measure, cells))
    return Progress(pledge, period, units, result, dict(by_unit))


def _target_text(criterion, measure, target, target_max) -> str:
    if measure is None or target is None:
        return ""
    if criterion.kind == CriterionKind.RANGE and target_max is not None and target_max != target:
        return f"{measure.format_plain(target)}–{measure.format(target_max)}"
    return measure.format(target)


def pledge_progress(*, user, pledge: Pledge, as_of: dt.date | None = None) -> Progress:
    units = pledge_members_visible(user=user, pledge=pledge)
    return compute_progress(
        pledge=pledge, units=units, period=progress_period(pledge, as_of), user=user
    )


# ------------------------------------------------------------------------------ scores


def _final_points():
    return Coalesce(
        "verified_points", "self_points", output_field=DecimalField(max_digits=7, decimal_places=2)
    )


def sheet_totals(*, pledge: Pledge) -> dict[int, Decimal]:
    """{unit_id: total of final points} for the pledge, in one grouped query."""
    rows = (
        CriterionScore.objects.filter(sheet__pledge=pledge)
        .values("sheet__unit_id")
        .annotate(
            total=Coalesce(
                Sum(_final_points()),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=9, decimal_places=2),
            )
        )
        .values_list("sheet__unit_id", "total")
        .order_by()
    )
    return {uid: Decimal(total) for uid, total in rows}


def sheet_for(*, pledge: Pledge, unit: Unit) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(pledge=pledge, unit=unit).first()


def sheet_scores(*, sheet: ScoreSheet | None) -> dict[int, CriterionScore]:
    if sheet is None:
        return {}
    return {
        s.criterion_id: s
        for s in CriterionScore.objects.filter(sheet=sheet).select_related("self_by", "verified_by")
    }


def evidence_for(*, pledge: Pledge, unit: Unit) -> dict[int, list[Evidence]]:
    out: dict[int, list[Evidence]] = defaultdict(list)
    for e in Evidence.objects.filter(criterion__pledge=pledge, unit=unit).select_related(
        "uploaded_by"
    ):
        out[e.criterion_id].append(e)
    return dict(out)


def evidence_get_visible(*, user, pk: int, with_file: bool = True) -> Evidence:
    policy = policy_for(user)
    evidence = (
        Evidence.objects.select_related("criterion__pledge__unit", "unit")
        .filter(pk=pk)
        .filter(
            policy.unit_q(Perm.VIEW, prefix="unit__")
            | policy.unit_q(Perm.VIEW, prefix="criterion__pledge__unit__")
        )
        .first()
    )
    if evidence is None or (with_file and not evidence.file):
        raise Http404("Không tìm thấy minh chứng")
    return evidence


@dataclass
class RankRow:
    unit: Unit
    sheet: ScoreSheet | None
    total: Decimal
    rank: int | None
    tied: bool
    points: list[Decimal | None]  # per criterion, in criteria order
    changed: list[bool]


@dataclass
class Ranking:
    pledge: Pledge
    criteria: list[Criterion]
    rows: list[RankRow]
    complete: bool  # every member verified

    @property
    def has_ties(self) -> bool:
        return any(r.tied for r in self.rows)


def pledge_ranking(*, pledge: Pledge, units: list[Unit]) -> Ranking:
    """The scoring table: every member's final points per criterion, total and rank.

    Locked pledges use the stored totals and ranks; otherwise the ranking is
    provisional, from the current scores (verified where verified, else self).
    Queries: criteria (1), sheets (1), scores (1).
    """
    criteria = criteria_of(pledge=pledge)
    sheets = {s.unit_id: s for s in ScoreSheet.objects.filter(pledge=pledge)}
    points: dict[tuple[int, int], CriterionScore] = {}
    for s in CriterionScore.objects.filter(sheet__pledge=pledge).select_related("sheet"):
        points[(s.sheet.unit_id, s.criterion_id)] = s
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for (uid, _), s in points.items():
        if s.final_points is not None:
            totals[uid] += s.final_points
    if pledge.is_locked:
        ranked = {
            uid: Ranked(uid, s.final_total or Decimal(0), s.final_rank or 0, False)
            for uid, s in sheets.items()
        }
        counts: dict[int, int] = defaultdict(int)
        for r in ranked.values():
            counts[r.rank] += 1
        ranked = {
            uid: Ranked(uid, r.total, r.rank, counts[r.rank] > 1) for uid, r in ranked.items()
        }
    else:
        ranked = {
            r.unit_id: r
            for r in rank((u.pk, totals.get(u.pk, Decimal(0))) for u in units if u.pk in sheets)
        }
    rows = []
    for unit in units:
        r = ranked.get(unit.pk)
        rows.append(
            RankRow(
                unit=unit,
                sheet=sheets.get(unit.pk),
                total=r.total if r else totals.get(unit.pk, Decimal(0)),
                rank=r.rank if r else None,
                tied=r.tied if r else False,
                points=[
                    points[(unit.pk, c.pk)].final_points if (unit.pk, c.pk) in points else None
                    for c in criteria
                ],
                changed=[
                    points[(unit.pk, c.pk)].changed if (unit.pk, c.pk) in points else False
                    for c in criteria
                ],
            )
        )
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.unit.name))
    complete = len(units) > 0 and all(
        unit.pk in sheets and sheets[unit.pk].status == "verified" for unit in units
    )
    return Ranking(pledge, criteria, rows, complete)


def ranking_visible(*, user, pledge: Pledge) -> Ranking:
    """The organiser's users see the ranking at any time; members once it is locked."""
    policy = policy_for(user)
    if policy.can(Perm.VIEW, pledge.unit):
        return pledge_ranking(pledge=pledge, units=pledge_members(pledge=pledge))
    if pledge.is_locked:
        return pledge_ranking(pledge=pledge, units=pledge_members(pledge=pledge))
    raise Http404("Bảng xếp hạng chưa công bố")


# ---------------------------------------------------------------------------- planning


def key_tasks_of(*, unit: Unit, year: int) -> list[KeyTask]:
    return list(
        KeyTask.objects.filter(unit=unit, year=year)
        .select_related("owner_person", "owner_member_organisation")
        .prefetch_related("measures")
        .order_by("order", "id")
    )


@dataclass
class TaskMeasure:
    measure: measure_registry.Measure | None
    key: str
    target: int | None
    value: object
    value_text: str
    percent: int | None


def key_task_progress(
    *, unit: Unit, year: int, tasks: list[KeyTask], user=None
) -> dict[int, list[TaskMeasure]]:
    """Linked figures of each task over the unit subtree in the year (one engine call)."""
    period = Period.year(year)
    keys = [link.measure_key for task in tasks for link in task.measures.all()]
    values = {
        k: v.get(unit.pk)
        for k, v in measure_registry.values_for(keys, [unit], period, user=user).items()
    }
    out: dict[int, list[TaskMeasure]] = {}
    for task in tasks:
        rows = []
        for link in task.measures.all():
            measure = measure_registry.get(link.measure_key)
            if measure is None:
                rows.append(TaskMeasure(None, link.measure_key, link.target, None, "—", None))
                continue
            value = values.get(link.measure_key)
            percent = None
            if link.target and value is not None:
                percent = int(min(Decimal(value) * 100 / Decimal(link.target), Decimal(100)))
            rows.append(
                TaskMeasure(
                    measure, link.measure_key, link.target, value, measure.format(value), percent
                )
            )
        out[task.pk] = rows
    return out


def committee_chair(*, unit: Unit, year: int) -> Position | None:
    """The chair of the unit's committee in the term covering `year`."""
    return (
        Position.objects.filter(
            unit=unit, role="chair", term__start_year__lte=year, term__end_year__gte=year
        )
        .select_related("person")
        .order_by("-term__start_year")
        .first()
    )


def programs_of(*, unit: Unit, year: int) -> list[CoordinationProgram]:
    return list(
        CoordinationProgram.objects.filter(unit=unit, year=year)
        .select_related("member_organisation", "member_organisation__head")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("member_organisation__order", "member_organisation__name")
    )


def program_get_visible(*, user, pk: int) -> CoordinationProgram:
    program = (
        CoordinationProgram.objects.filter(
            policy_for(user).unit_q(Perm.VIEW, prefix="unit__"), pk=pk
        )
        .select_related("unit", "unit__version", "member_organisation")
        .first()
    )
    if program is None:
        raise Http404("Không tìm thấy chương trình")
    return program


def program_activities(*, program: CoordinationProgram, limit: int = 200) -> tuple[list, int]:
    """Activities the member organisation reported or co-organised in the program's year
    (records of `mattran.activities`; they count in the committee's period reports)."""
    from mattran.activities.models import ActivityRecord

    org = program.member_organisation
    qs = (
        ActivityRecord.objects.filter(
            Q(member_organisation=org) | Q(co_organisers=org), date__year=program.year
        )
        .distinct()
        .select_related("type", "unit")
        .order_by("-date", "-id")
    )
    return list(qs[:limit]), qs.count()


def key_task_get_visible(*, user, pk: int) -> KeyTask:
    task = (
        KeyTask.objects.filter(policy_for(user).unit_q(Perm.VIEW, prefix="unit__"), pk=pk)
        .select_related("unit")
        .first()
    )
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ")
    return task


def planning_default_year(*, user, today: dt.date | None = None) -> int:
    """The year emulation pages open on: the latest planned year (key tasks, coordination
    programmes, pledges) among the units the user may see, not after this year."""
    this_year = (today or dt.date.today()).year  # noqa: DTZ011 - a calendar year
    q = policy_for(user).unit_q(Perm.VIEW, prefix="unit__")
    years = [
        model.objects.filter(q, year__lte=this_year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
        for model in (KeyTask, CoordinationProgram, Pledge)
    ]
    return max([y for y in years if y is not None], default=this_year)


def planning_years(*, unit: Unit) -> list[int]:
    years = set(KeyTask.objects.filter(unit=unit).values_list("year", flat=True))
    years |= set(CoordinationProgram.objects.filter(unit=unit).values_list("year", flat=True))
    years |= set(Pledge.objects.filter(unit=unit).values_list("year", flat=True))
    return sorted(years, reverse=True)


# ----------------------------------------------------------------------- commendations


def decisions_visible(*, user) -> QuerySet[CommendationDecision]:
    return (
        CommendationDecision.objects.filter(policy_for(user).unit_q(Perm.VIEW, prefix="unit__"))
        .select_related("unit", "award_type")
        .annotate(recipient_count=Count("commendations"))
        .order_by("-achievement_year", "-signed_on", "-id")
    )


def decision_get_visible(*, user, pk: int) -> CommendationDecision:
    decision = decisions_visible(user=user).filter(pk=pk).first()
    if decision is None:
        raise Http404("Không tìm thấy quyết định")
    return decision


def commendations_of_decision(*, decision: CommendationDecision) -> list[Commendation]:
    return list(
        decision.commendations.select_related(
            "recipient_unit", "recipient_member_organisation", "recipient_person", "proposal"
        ).order_by("id")
    )


def proposals_visible(*, user) -> QuerySet[CommendationProposal]:
    return (
        CommendationProposal.objects.filter(policy_for(user).unit_q(Perm.VIEW, prefix="unit__"))
        .select_related(
            "unit",
            "award_type",
            "recipient_unit",
            "recipient_member_organisation",
            "recipient_person",
            "decision",
            "pledge",
        )
        .order_by("-year", "status", "rank", "id")
    )


def _commendations_visible(user) -> QuerySet[Commendation]:
    policy = policy_for(user)
    return Commendation.objects.filter(
        policy.unit_q(Perm.VIEW, prefix="decision__unit__")
        | policy.unit_q(Perm.VIEW, prefix="recipient_unit__")
        | policy.unit_q(Perm.VIEW, prefix="recipient_member_organisation__unit__")
    ).select_related(
        "decision",
        "decision__award_type",
        "recipient_unit",
        "recipient_member_organisation",
        "recipient_person",
    )


def commendations_of_unit(*, user, unit: Unit) -> list[Commendation]:
    """Awards to the unit's committee and to its member organisations, newest first."""
    return list(
        _commendations_visible(user)
        .filter(Q(recipient_unit=unit) | Q(recipient_member_organisation__unit=unit))
        .order_by("-decision__achievement_year", "-decision__signed_on", "-id")
    )


def commendations_of_person(*, user, person: Person) -> list[Commendation]:
    return list(
        _commendations_visible(user)
        .filter(recipient_person=person)
        .order_by("-decision__achievement_year", "-decision__signed_on", "-id")
    )


def person_get_visible(*, user, pk: int) -> Person:
    """A person is visible through a visible commendation, position or conference role."""
    policy = policy_for(user)
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    if policy.is_superuser:
        return person
    visible = (
        _commendations_visible(user).filter(recipient_person=person).exists()
        or person.positions.filter(policy.unit_q(Perm.VIEW, prefix="unit__")).exists()
        or person.headed_organisations.filter(policy.unit_q(Perm.VIEW, prefix="unit__")).exists()
        or Conference.objects.filter(
            policy.unit_q(Perm.VIEW, prefix="unit__"), Q(chair=person) | Q(attendees__person=person)
        ).exists()
    )
    if not visible:
        raise Http404
    return person


def sheets_of_unit(*, user, unit: Unit) -> list[ScoreSheet]:
    """The unit's locked emulation results, newest first (the unit is visible to the user)."""
    return list(
        ScoreSheet.objects.filter(unit=unit, pledge__status=PledgeStatus.LOCKED)
        .select_related("pledge", "pledge__unit")
        .annotate(peer_count=Count("pledge__members", distinct=True))
        .order_by("-pledge__year", "-pledge_id")
    )


# ------------------------------------------------------------------------- conferences


def conferences_visible(*, user) -> QuerySet[Conference]:
    return (
        Conference.objects.filter(policy_for(user).unit_q(Perm.VIEW, prefix="unit__"))
        .select_related("unit", "chair")
        .order_by("-held_on", "-id")
    )


def conference_get_visible(*, user, pk: int) -> Conference:
    conference = conferences_visible(user=user).filter(pk=pk).first()
    if conference is None:
        raise Http404("Không tìm thấy hội nghị")
    return conference


@dataclass
class ConferenceRecord:
    conference: Conference
    attendees: list
    agenda: list
    key_tasks: list[KeyTask]
    pledges: list[Pledge]
    pledge_members: dict[int, list[Unit]]
    criteria: dict[int, list[Criterion]]
    programs: list[CoordinationProgram]
    decisions: list[CommendationDecision]
    commendations: dict[int, list[Commendation]]


def conference_record(*, conference: Conference) -> ConferenceRecord:
    """Everything the conference did, in a fixed number of queries."""
    pledges = list(conference.pledges.select_related("unit").order_by("id"))
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for c in Criterion.objects.filter(pledge__in=pledges).order_by("pledge_id", "order"):
        criteria[c.pledge_id].append(c)
    members: dict[int, list[Unit]] = defaultdict(list)
    for m in (
        PledgeMember.objects.filter(pledge__in=pledges)
        .select_related("unit")
        .order_by("pledge_id", "order")
    ):
        members[m.pledge_id].append(m.unit)
    decisions = list(conference.decisions.select_related("award_type").order_by("id"))
    commendations: dict[int, list[Commendation]] = defaultdict(list)
    for c in Commendation.objects.filter(decision__in=decisions).select_related(
        "recipient_unit", "recipient_member_organisation", "recipient_person"
    ):
        commendations[c.decision_id].append(c)
    key_tasks = (
        key_tasks_of(unit=conference.unit, year=conference.key_task_year)
        if conference.key_task_year
        else []
    )
    return ConferenceRecord(
        conference=conference,
        attendees=list(conference.attendees.select_related("person").order_by("order", "id")),
        agenda=list(conference.agenda.order_by("order", "id")),
        key_tasks=key_tasks,
        pledges=pledges,
        pledge_members=dict(members),
        criteria=dict(criteria),
        programs=list(
            conference.programs.select_related("member_organisation").order_by(
                "member_organisation__order"
            )
        ),
        decisions=decisions,
        commendations=dict(commendations),
    )
