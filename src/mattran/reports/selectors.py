"""Reads for reports: build a report, drill down to records, completeness of submissions.

Everything starts from what the user may see: the report's unit must be
visible (else 404), and every roll-up and drill-down query carries the
user's access condition on `unit_path`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Left, Length
from django.http import Http404
from django.utils import timezone

from mattran.access.policy import Perm, policy_for
from mattran.core import versions
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period
from mattran.core.vietnamese import fold
from mattran.figures.cached import figures_compute_cached, lineage_map_cached
from mattran.figures.engine import figures_compute, figures_drill
from mattran.figures.scope import OTHER, SELF, Scope, scope_build
from mattran.units.models import Position, Role, StructureVersion, Unit

from .figures import Figure, Rate, StoredRate, figures_for_indicators
from .models import (
    Indicator,
    ReportItem,
    ReportSection,
    ReportTemplate,
    Submission,
    SubmissionStatus,
)
from .narrative import NarrativeContext, paragraph_render
from .validation import RuleFailure, report_failures, required_field_key, rules_active
from .wording import kinds_plural, party_committee


@dataclass
class SectionView:
    heading: str
    paragraph: str
    figures: list[Figure]


@dataclass
class Row:
    bucket: str
    label: str
    unit: Unit | None
    is_child: bool


@dataclass
class SplitNote:
    unit: Unit
    successors: list[Unit]
    activities: int
    mediation: int


@dataclass
class Report:
    scope: Scope
    template: ReportTemplate
    period: Period
    previous: Period
    figures: dict[str, Figure]
    sections: list[SectionView]
    rows: list[Row]
    failures: list[RuleFailure]
    words: dict[str, str]
    split_notes: list[SplitNote] = field(default_factory=list)
    submission: Submission | None = None
    live: dict[str, Figure] = field(default_factory=dict)  # the figures as they are now
    # The template's chart indicators (from `report_definitions`); None: read them.
    chart_codes: list[str] | None = None

    @property
    def unit(self) -> Unit | None:
        return self.scope.unit

    @property
    def version(self) -> StructureVersion:
        return self.scope.version

    @property
    def periods(self) -> list[Period]:
        return [self.period, self.previous]

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else "Toàn quốc"

    @property
    def title(self) -> str:
        return (
            self.template.title_template.replace("{review}", self.period.review_word)
            .replace("{period}", self.period.label)
            .strip()
        )

    @property
    def narrative(self) -> str:
        return "\n".join(paragraph for _, paragraph in self.shown_sections)

    @property
    def table_figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    @property
    def chart_figures(self) -> list[Figure]:
        codes = self.chart_codes
        if codes is None:
            codes = [i.code for i in self.template.chart_indicators.all()]
        return [self.figures[c] for c in codes if c in self.figures]

    @property
    def child_rows(self) -> list[Row]:
        return [r for r in self.rows if r.is_child]

    @property
    def errors(self) -> list[RuleFailure]:
        return [f for f in self.failures if f.is_error]

    @property
    def approved(self) -> bool:
        """The report was approved: its figures and text are those stored then."""
        return self.stored is not None

    @property
    def stored(self) -> dict | None:
        """The submission's stored figures and text (`as_dict`) when the report is approved."""
        return approved_snapshot(self.submission)

    @property
    def shown_sections(self) -> list[tuple[str, str]]:
        """(heading, paragraph) of the narrative: the approved text once approved."""
        if self.stored is not None:
            return [(s["heading"], s["text"]) for s in self.stored.get("narrative", [])]
        return self.live_sections

    @property
    def live_sections(self) -> list[tuple[str, str]]:
        return [(s.heading, s.paragraph) for s in self.sections if s.paragraph]

    @property
    def new_figures(self) -> list[Figure]:
        """Table figures added after the approval (live values, marked)."""
        return [f for f in self.table_figures if f.is_new]

    def as_dict(self, *, live: bool = False) -> dict:
        """JSON-safe figures and text: stored on a submission, printed by `mattran report
        --format json`. An approved report gives the approved ones (and, under "approved",
        what was added or changed since); `live` gives the figures as they are now."""

        def plain(value):
            return None if value is None else (str(value) if not isinstance(value, int) else value)

        def parts(value):
            return [value.numerator, value.denominator] if isinstance(value, Rate) else None

        def one(f: Figure) -> dict:
            out = {
                "name": f.indicator.name,
                "value": plain(f.totals.get(0)),
                "text": f.total_text,
                "previous": plain(f.totals.get(1)),
                "own": plain(f.own.get(0)),
                "children": plain(f.children.get(0)),
                "by_unit": {r.label: plain(f.cell(0, r.bucket)) for r in self.rows},
                "available": f.available,
                "key": f.indicator.figure_key,
                "previous_entered": bool(f.entered.get(1)),
            }
            # A rate's numerator and denominator, so that an approved rate reads back whole.
            rates = {
                "value": parts(f.totals.get(0)),
                "previous": parts(f.totals.get(1)),
                "own": parts(f.own.get(0)),
                "children": parts(f.children.get(0)),
                "by_unit": {
                    r.label: parts(f.cell(0, r.bucket))
                    for r in self.rows
                    if isinstance(f.cell(0, r.bucket), Rate)
                },
            }
            if any(rates.values()):
                out["rates"] = rates
            return out

        shown = self.table_figures
        figures = [self.live.get(f.code, f) for f in shown] if live else shown
        data = {
            "unit": self.unit_name,
            "unit_code": self.unit.code if self.unit else "",
            "version": self.version.code,
            "period": self.period.code,
            "period_label": self.period.label,
            "previous_period": self.previous.code,
            "title": self.title,
            "figures": {f.code: one(f) for f in figures},
            "narrative": [
                {"heading": h, "text": t}
                for h, t in (self.live_sections if live else self.shown_sections)
            ],
            "failures": [f.message for f in self.failures],
        }
        if self.approved and not live:
            data["approved"] = {
                "decided_at": self.submission.decided_at.isoformat()
                if self.submission.decided_at
                else None,
                "new": [f.code for f in self.new_figures],
                "changes": [
                    {"name": c.name, "approved": c.approved, "live": c.live}
                    for c in self.changes_since_approval()
                ],
            }
        return data

    def changes_since_approval(self) -> list[FigureChange]:
        """Figures whose live value differs from the one stored when the period was approved.

        Approval locks the records of the unit and its subtree, not the funds'
        ledger: a receipt booked later with a date in the period (a bank
        statement imported after the approval, a correcting reversal) changes
        the live figure. The approved figures stay as they were; this says which
        differ, so nobody reads the live page as the approved report.
        """
        if not self.approved:
            return []
        return [
            FigureChange(name=f.indicator.name, approved=f.total_text, live=live.total_text)
            for f in self.table_figures
            if f.approved
            and (live := self.live.get(f.code)) is not None
            and live.total_text != f.total_text
        ]


def approved_snapshot(submission: Submission | None) -> dict | None:
    """What was stored when the report was approved (`Report.as_dict`), or None: not
    approved (a submitted report is not frozen: edits stay open until the approval), or
    approved without stored figures."""
    if submission is None or submission.status != SubmissionStatus.APPROVED:
        return None
    stored = submission.figures or {}
    return stored if stored.get("figures") else None


def _stored_value(value, parts):
    """A value stored by `Report.as_dict`: a number, None, or a rate (its numerator and
    denominator when stored, else its text)."""
    if parts:
        return Rate(*parts)
    if isinstance(value, str):
        return StoredRate(value)
    return value


def _approved_figure(live: Figure, stored: dict, rows: list[Row]) -> Figure:
    """The indicator `live` with the values stored when the report was approved."""
    rates = stored.get("rates") or {}
    by_unit = stored.get("by_unit") or {}
    by_unit_rates = rates.get("by_unit") or {}
    return Figure(
        indicator=live.indicator,
        cells={
            (0, r.bucket): _stored_value(by_unit[r.label], by_unit_rates.get(r.label))
            for r in rows
            if r.label in by_unit
        },
        totals={
            0: _stored_value(stored.get("value"), rates.get("value")),
            1: _stored_value(stored.get("previous"), rates.get("previous")),
        },
        own={0: _stored_value(stored.get("own"), rates.get("own"))},
        children={0: _stored_value(stored.get("children"), rates.get("children"))},
        subjects=live.subjects,
        units=live.units,
        names=live.names,
        entered={1: bool(stored.get("previous_entered"))},
        available=stored.get("available", live.available),
        detail_url=live.detail_url,
        approved=True,
    )


def report_as_approved(report: Report) -> Report:
    """Once the report is approved, its figures are the approved ones, for every page,
    file and API that reads it: a figure stored then reads back as stored; an indicator
    added later keeps its live value and is marked new (`Figure.is_new`). The live
    figures stay in `report.live` (the changes since the approval)."""
    stored = report.stored
    report.live = dict(report.figures)
    if stored is None:
        return report
    figures = stored["figures"]
    for code, fig in report.live.items():
        if code in figures:
            report.figures[code] = _approved_figure(fig, figures[code], report.rows)
        else:
            fig.is_new = True
    for section in report.sections:
        section.figures = [report.figures[f.code] for f in section.figures]
    return report


@dataclass(frozen=True)
class FigureChange:
    name: str
    approved: str
    live: str


# ------------------------------------------------------------------ resolving


def version_default(*, period: Period) -> StructureVersion:
    """The structure version in force at the end of the period (else the newest)."""
    day = period.end
    version = (
        StructureVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    version = version or StructureVersion.objects.order_by("-valid_from").first()
    if version is None:
        raise UserFacingError("Chưa có phiên bản địa giới hành chính nào.")
    return version


def version_get(*, code: str) -> StructureVersion:
    version = StructureVersion.objects.filter(code=code).first()
    if version is None:
        codes = ", ".join(StructureVersion.objects.values_list("code", flat=True))
        raise UserFacingError(f"Không có phiên bản địa giới “{code}”. Các phiên bản: {codes}.")
    return version


def unit_resolve(*, user, text: str, version: StructureVersion) -> Unit:
    """A unit of `version` by official code or name; Vietnamese error listing candidates."""
    text = (text or "").strip()
    visible = (
        Unit.objects.filter(policy_for(user).unit_q(Perm.VIEW), version=version)
        if user
        else (Unit.objects.filter(version=version))
    )
    visible = visible.select_related("parent")
    by_code = list(visible.filter(code=text)) if text else []
    if len(by_code) == 1:
        return by_code[0]
    key = fold(text)
    matches = list(visible.filter(search_key=key)[:20])
    if not matches:
        matches = list(visible.filter(search_key__contains=key).order_by("level", "name")[:20])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserFacingError(
            f"Không tìm thấy đơn vị “{text}” trong {version.name} (hoặc bạn không có quyền xem)."
        )
    listed = "; ".join(
        f"{u.name}{f' ({u.parent.name})' if u.parent else ''}, mã {u.code or '—'}" for u in matches
    )
    raise UserFacingError(
        f"Có {len(matches)} đơn vị khớp với “{text}”: {listed}. Hãy ghi mã đơn vị."
    )


def nation_visible(*, user, version: StructureVersion) -> list[Unit]:
    """The provinces (roots) of `version`, when the user's grants cover every one of them
    (a national report is for whoever may see the whole country); else Http404, as for
    a unit the user may not see."""
    roots = list(Unit.objects.filter(version=version, parent__isnull=True).order_by("path"))
    policy = policy_for(user)
    if not roots or not all(policy.can(Perm.VIEW, r) for r in roots):
        raise Http404("Không có báo cáo toàn quốc này, hoặc bạn không có quyền xem")
    return roots


def nation_versions(*, user) -> list[StructureVersion]:
    """Structure versions whose whole country the user may see (their national reports)."""
    policy = policy_for(user)
    if not policy.has_any(Perm.VIEW):
        return []
    covered: dict[int, bool] = {}
    for root in Unit.objects.filter(parent__isnull=True).only("pk", "path", "version_id"):
        covered[root.version_id] = covered.get(root.version_id, True) and policy.can(
            Perm.VIEW, root
        )
    ids = [v for v, ok in covered.items() if ok]
    return list(StructureVersion.objects.filter(pk__in=ids).order_by("-valid_from"))


def template_default() -> ReportTemplate:
    template = ReportTemplate.objects.filter(is_default=True).first() or (
        ReportTemplate.objects.order_by("pk").first()
    )
    if template is None:
        raise UserFacingError("Chưa có mẫu báo cáo nào.")
    return template


# ------------------------------------------------------------------- building


@dataclass(frozen=True)
class ReportDefinitions:
    """What a report is made of, the same for every unit: the template, its sections and
    lines, the active indicators and rules, the figure keys to compute."""

    template: ReportTemplate
    sections: list[ReportSection]
    items: dict[int, list[ReportItem]]  # section id -> its lines, in order
    indicators: list[Indicator]
    rules: list
    keys: list[str]
    chart_codes: list[str]  # the template's chart indicators, in order


def _definitions_read(template: ReportTemplate | None) -> ReportDefinitions:
    template = template or template_default()
    sections = list(
        ReportSection.objects.filter(template=template)
        .order_by("order")
        .prefetch_related(
            Prefetch(
                "items", queryset=ReportItem.objects.order_by("order").select_related("indicator")
            )
        )
    )
    indicators = list(Indicator.objects.filter(active=True))
    rules = rules_active()
    keys = [i.figure_key for i in indicators] + [
        str(k) for k in (required_field_key(r) for r in rules) if k is not None
    ]
    return ReportDefinitions(
        template=template,
        sections=sections,
        items={s.pk: list(s.items.all()) for s in sections},
        indicators=indicators,
        rules=rules,
        keys=keys,
        chart_codes=[i.code for i in template.chart_indicators.all()],
    )


def report_definitions(template: ReportTemplate | None = None) -> ReportDefinitions:
    """The report's definitions, kept in this process until one of them is saved (they
    bump the ``ref`` data version, `core.versions.reference_models`, and a change of the
    template's chart indicators, `apps.py`): six queries saved on every report."""
    return versions.process_cached(
        "report_definitions",
        (template.pk if template is not None else None,),
        names=[versions.REF],
        compute=lambda: _definitions_read(template),
        # Which indicators there are; an approval that missed one added a moment
        # before shows it as added after the approval.
        decides_figures=False,
    )


def _words(scope: Scope, period: Period) -> dict[str, str]:
    unit = scope.unit
    kinds = Counter(c.kind for c in scope.children)
    child_kinds = ", ".join(k.lower() for k, _ in kinds.most_common())
    parent = unit.parent if unit else None
    return {
        "unit.kind": unit.kind if unit else "Trung ương",
        "unit.kind_lower": unit.kind.lower() if unit else "trung ương",
        "unit.name": unit.name if unit else "Toàn quốc",
        "unit.party_committee": party_committee(unit.kind) if unit else "",
        "child.kind_lower": child_kinds,
        "child.kind_plural": kinds_plural(c.kind for c in scope.children),
        "parent.kind": parent.kind if parent else "",
        "parent.name": parent.name if parent else "",
        "parent.party_committee": party_committee(parent.kind) if parent else "",
        "period": period.label,
        "period_short": period.short_label,
        "year": str(period.start.year),
    }


def items_for_level(items: list[ReportItem], level: int) -> list[ReportItem]:
    """The section's lines for a report of `level`: a line made for that level replaces the
    general line of the same order; lines made for other levels are left out."""
    specific = {i.order for i in items if i.level == level}
    return [i for i in items if i.level == level or (i.level is None and i.order not in specific)]


def _rows(scope: Scope, has_other: bool) -> list[Row]:
    rows = []
    if scope.unit is not None:
        rows.append(
            Row(SELF, f"Cấp {scope.unit.kind.lower()} ({scope.unit.name})", scope.unit, False)
        )
    rows += [Row(str(c.pk), c.name, c, True) for c in scope.children]
    if has_other:
        rows.append(Row(OTHER, "Đơn vị cũ chia tách, sáp nhập", None, False))
    return rows


def report_build(
    *,
    user,
    unit: Unit | None,
    period: Period,
    version: StructureVersion | None = None,
    template: ReportTemplate | None = None,
    cached: bool = True,
) -> Report:
    """The report of `unit`'s subtree (or a whole version when unit is None) for `period`.

    `unit` must already be checked as visible. Queries: a handful for the
    template and definitions, one for lineage, one UNION ALL for every
    record-based figure, two for the narrative's lists — whatever the number
    of units, records or indicators.

    The figures come through the data-versioned cache (figures/cached.py). With
    `cached` False they are computed afresh (and stored for the pages that follow),
    and so is what the process keeps that decides their values (`versions.fresh`:
    the unit's children, the lineage map, the catalogue): the approval's figures.
    """
    if unit is not None and version is not None and unit.version_id != version.pk:
        raise UserFacingError("Đơn vị không thuộc phiên bản địa giới đã chọn.")
    version_id = unit.version_id if unit is not None else version.pk
    names = [versions.REF, versions.LINEAGE, versions.LEDGER, f"sv:{version_id}"]
    if unit is not None:
        names.append(f"u:{unit.pk}")
    # The data versions in one round trip, not six.
    with versions.reading(names), nullcontext() if cached else versions.fresh():
        return _report_build(
            user=user, unit=unit, period=period, version=version, template=template, cached=cached
        )


def _report_build(*, user, unit, period, version, template, cached) -> Report:
    defs = report_definitions(template)
    template, sections, indicators, rules, keys = (
        defs.template,
        defs.sections,
        defs.indicators,
        defs.rules,
        defs.keys,
    )
    scope = scope_build(unit=unit, version=version)
    previous = period.previous_year()
    periods = [period, previous]
    lmap = lineage_map_cached(scope.version)
    figure_set = figures_compute_cached(
        user=user, scope=scope, periods=periods, keys=keys, lmap=lmap, refresh=not cached
    )
    raw = figure_set.request.extras.get("records")
    figures = figures_for_indicators(figure_set, indicators)
    words = _words(scope, period)
    ctx = NarrativeContext(words=words, figures=figures)
    level = unit.level if unit is not None else 0
    section_views = []
    for s in sections:
        items = items_for_level(defs.items[s.pk], level)
        section_views.append(
            SectionView(
                heading=s.heading,
                paragraph=paragraph_render([i.sentence for i in items], ctx),
                figures=[
                    figures[i.indicator.code]
                    for i in items
                    if i.indicator_id and i.indicator.code in figures
                ],
            )
        )
    has_other = bool(raw and raw.has_other)
    rows = _rows(scope, has_other)
    failures = report_failures(
        rules=rules,
        figures=figures,
        figure_set=figure_set,
        rows=[(r.bucket, r.unit.name if r.unit else r.label) for r in rows],
        total_label=scope.unit.name if unit else "Toàn quốc",
    )
    split_notes = []
    if raw and raw.split:
        paths = list(raw.split)
        olds = {u.path: u for u in Unit.objects.filter(path__in=paths).select_related("version")}
        succ_paths = {p: lmap.candidates_of(p) for p in paths}
        succ = {
            u.path: u
            for u in Unit.objects.filter(path__in={x for s in succ_paths.values() for x in s})
        }
        for p in paths:
            if p in olds:
                split_notes.append(
                    SplitNote(
                        unit=olds[p],
                        successors=sorted(
                            (succ[x] for x in succ_paths[p] if x in succ), key=lambda u: u.name
                        ),
                        activities=raw.split[p][0],
                        mediation=raw.split[p][1],
                    )
                )
    submission = None
    if unit is not None:
        submission = (
            Submission.objects.filter(unit=unit, period_start=period.start, period_end=period.end)
            .select_related("submitted_by", "decided_by")
            .first()
        )
    report = Report(
        scope=scope,
        template=template,
        period=period,
        previous=previous,
        figures=figures,
        sections=section_views,
        rows=rows,
        failures=failures,
        words=words,
        split_notes=split_notes,
        submission=submission,
        chart_codes=defs.chart_codes,
    )
    return report_as_approved(report)


def signer_name(*, unit: Unit | None) -> str:
    """The chair of the unit's committee in its latest term (the report's signer)."""
    if unit is None:
        return ""
    position = (
        Position.objects.filter(unit=unit, role=Role.CHAIR, ended_on__isnull=True)
        .select_related("person")
        .order_by("-term__start_year")
        .first()
    )
    return position.person.full_name if position else ""


# ------------------------------------------------------------------ drill-down


@dataclass
class DrillDown:
    kind: str  # "activity", "mediation", "aggregate", "external"
    records: QuerySet | None
    operands: list[Indicator] = field(default_factory=list)
    external_url: str = ""


def drilldown(
    *,
    user,
    report_unit: Unit | None,
    indicator: Indicator,
    period: Period,
    bucket: str = "total",
    version: StructureVersion | None = None,
) -> DrillDown:
    """The records behind one figure of a report, filtered to what `user` may see.

    `bucket`: "total", "self", "other" or a child unit id (a province of a national
    report: `report_unit` None and `version`). Records carried over from other
    structure versions are included where the roll-up put them.
    """
    scope = scope_build(unit=report_unit, version=version)
    allowed = ("total", OTHER) if report_unit is None else ("total", SELF, OTHER)
    if bucket not in allowed and bucket not in scope.child_keys:
        raise Http404("Không có đơn vị này trong báo cáo")
    found = figures_drill(
        user=user, scope=scope, period=period, key=indicator.figure_key, bucket=bucket
    )
    if found is not None:
        kind, records = found
        return DrillDown(kind, records)
    figure_set = figures_compute(
        user=user, scope=scope, periods=[period], keys=[indicator.figure_key]
    )
    return DrillDown("external", None, external_url=figure_set[indicator.figure_key].detail_url)


# ---------------------------------------------------------------- completeness


@dataclass
class CompletenessRow:
    unit: Unit
    submission: Submission | None
    due: dt.date
    today: dt.date

    @property
    def status_label(self) -> str:
        return self.submission.get_status_display() if self.submission else "Chưa nộp"

    @property
    def submitted_on(self) -> dt.date | None:
        s = self.submission
        return timezone.localdate(s.submitted_at) if s and s.submitted_at else None

    @property
    def is_late(self) -> bool:
        s = self.submission
        if s is None or s.status in (SubmissionStatus.RETURNED, SubmissionStatus.REOPENED):
            return self.today > self.due
        return bool(self.submitted_on and self.submitted_on > self.due)

    @property
    def is_done(self) -> bool:
        return bool(self.submission and self.submission.status == SubmissionStatus.APPROVED)


def completeness(*, user, parent: Unit, period: Period, today: dt.date | None = None):
    """Child units of `parent` (visible to `user`) and their submission for `period`."""
    template = template_default()
    due = period.end + dt.timedelta(days=template.due_days)
    today = today or timezone.localdate()
    children = list(
        Unit.objects.filter(policy_for(user).unit_q(Perm.VIEW), parent=parent).order_by("path")
    )
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(
            unit__in=children, period_start=period.start, period_end=period.end
        ).select_related("submitted_by", "decided_by")
    }
    rows = [CompletenessRow(c, subs.get(c.pk), due, today) for c in children]
    return rows, due


# ---------------------------------------------------------------- home page


@dataclass
class HomeItem:
    unit: Unit
    period: Period
    note: str = ""
    submission: Submission | None = None


@dataclass
class Home:
    """What a signed-in user should see first: their work, one click from each item."""

    returned: list[HomeItem] = field(default_factory=list)  # to fix (editor)
    due: list[HomeItem] = field(default_factory=list)  # to submit (editor)
    waiting: list[HomeItem] = field(default_factory=list)  # to decide (approver)
    late: list[HomeItem] = field(default_factory=list)  # child units late (approver)
    units: list[tuple[Unit, Period]] = field(default_factory=list)  # own units' latest report
    can_edit: bool = False
    can_approve: bool = False


def report_period_default(*, unit: Unit, today: dt.date | None = None) -> Period:
    """The report period a unit's pages open on: 9 months or the year of the latest day
    with data in its subtree (activity records, mediation cases, aggregate figures; else
    ledger bookings), else the one that is due now."""
    return report_period_defaults(units=[unit], today=today)[unit.pk]


def report_period_defaults(*, units: list[Unit], today: dt.date | None = None) -> dict:
    """{unit id: `report_period_default`} for many units in one query: the latest day of
    each kind of data in each unit's subtree, as correlated subqueries on the path
    index range."""
    from mattran.activities.models import ActivityRecord, AggregateEntry, MediationCase
    from mattran.funds.models import LedgerEntry

    today = today or timezone.localdate()
    if not units:
        return {}
    path = OuterRef("path")
    upper = Concat(Left(path, Length(path) - 1), Value("0"))

    def latest(model, prefix: str, day: str) -> Subquery:
        rows = model.objects.filter(
            **{f"{prefix}path__gte": path, f"{prefix}path__lt": upper, f"{day}__lte": today}
        )
        return Subquery(rows.order_by(f"-{day}").values(day)[:1])

    # The ledger names the period only where no record, case or figure does: a report is
    # mostly its records, and a fund booking in October does not make the year due.
    found = {
        pk: max((d for d in days if d is not None), default=None) or ledger
        for pk, *days, ledger in Unit.objects.filter(pk__in={u.pk for u in units})
        .annotate(
            a=latest(ActivityRecord, "unit_", "date"),
            m=latest(MediationCase, "unit_", "received_on"),
            g=latest(AggregateEntry, "unit_", "period_end"),
            f=latest(LedgerEntry, "fund__unit__", "booked_on"),
        )
        .values_list("pk", "a", "m", "g", "f")
    }

    def period(day: dt.date | None) -> Period:
        day = day or today
        return Period.nine_months(day.year) if day.month <= 9 else Period.year(day.year)

    return {u.pk: period(found.get(u.pk)) for u in units}


def _submissions_for(pairs: list[tuple[Unit, Period]]) -> dict[tuple[int, str], Submission]:
    """{(unit id, period code): submission} for many (unit, period) pairs, in one query."""
    if not pairs:
        return {}
    q = Q(pk__in=[])
    for unit, period in pairs:
        q |= Q(unit=unit, period_start=period.start, period_end=period.end)
    found = Submission.objects.filter(q).select_related("unit", "submitted_by", "decided_by")
    wanted = {(u.pk, p.start, p.end): p.code for u, p in pairs}
    return {(s.unit_id, wanted[(s.unit_id, s.period_start, s.period_end)]): s for s in found}


def home_for(*, user, today: dt.date | None = None, limit: int = 20) -> Home:
    """Returned and due reports of the units the user edits; reports waiting for the
    user's decision and late child units of the units they approve.

    A constant number of queries whatever the number of units (test_home.py)."""
    today = today or timezone.localdate()
    policy = policy_for(user)
    home = Home(can_edit=policy.has_any(Perm.EDIT), can_approve=policy.has_any(Perm.APPROVE))
    edit_q = policy.unit_q(Perm.EDIT, prefix="unit__")
    approve_q = policy.unit_q(Perm.APPROVE, prefix="unit__")
    order = ("-version__valid_from", "path")
    top = list(policy.top_units(Perm.VIEW).order_by(*order)[:10])
    edited = list(policy.top_units(Perm.EDIT).order_by(*order)[:limit]) if home.can_edit else []
    approved = list(policy.top_units(Perm.APPROVE).order_by(*order)[:5]) if home.can_approve else []
    periods = report_period_defaults(
        units=list({u.pk: u for u in top + edited + approved}.values()), today=today
    )
    home.units = [(u, periods[u.pk]) for u in top]

    def item(s: Submission, note: str = "") -> HomeItem:
        return HomeItem(s.unit, Period.parse(s.period_code), note or s.comment, s)

    due_days = template_default().due_days if edited or approved else 0
    if home.can_edit:
        returned = Submission.objects.filter(
            edit_q, status__in=[SubmissionStatus.RETURNED, SubmissionStatus.REOPENED]
        ).select_related("unit", "decided_by")
        home.returned = [item(s) for s in returned.order_by("-decided_at")[:limit]]
        subs = _submissions_for([(u, periods[u.pk]) for u in edited])
        for unit in edited:
            period = periods[unit.pk]
            if (unit.pk, period.code) not in subs:
                due = period.end + dt.timedelta(days=due_days)
                note = f"hạn nộp {due:%d/%m/%Y}" + (" – đã quá hạn" if today > due else "")
                home.due.append(HomeItem(unit, period, note))
    if home.can_approve:
        waiting = Submission.objects.filter(approve_q, status=SubmissionStatus.SUBMITTED)
        waiting = waiting.select_related("unit", "unit__parent", "submitted_by")
        home.waiting = [item(s) for s in waiting.order_by("submitted_at")[:limit]]
        children = list(
            Unit.objects.filter(policy.unit_q(Perm.VIEW), parent__in=approved).order_by("path")
        )
        by_parent = {p.pk: periods[p.pk] for p in approved}
        subs = _submissions_for([(c, by_parent[c.parent_id]) for c in children])
        for parent in approved:
            period = by_parent[parent.pk]
            due = period.end + dt.timedelta(days=due_days)
            for child in children:
                if child.parent_id != parent.pk:
                    continue
                row = CompletenessRow(child, subs.get((child.pk, period.code)), due, today)
                if row.is_late and len(home.late) < limit:
                    note = f"{row.status_label.lower()}, hạn {due:%d/%m/%Y}"
                    home.late.append(HomeItem(row.unit, period, note, row.submission))
    return home
