"""Reads the API needs beyond the apps' own selectors, starting from what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mattran.access.policy import Perm, policy_for
from mattran.core.vietnamese import fold
from mattran.reports.figures import Figure, Rate, StoredRate
from mattran.reports.selectors import Report
from mattran.units.models import Unit


def unit_list_visible(
    *,
    user,
    version: str = "",
    code: str = "",
    parent: int | None = None,
    level: int | None = None,
    q: str = "",
    date=None,
) -> QuerySet[Unit]:
    """Units the user may see, filtered; one query (plus the count for a page).
    `date`: the units of the structure version in force that day (issue 11)."""
    qs = Unit.objects.filter(policy_for(user).unit_q(Perm.VIEW))
    if version:
        qs = qs.filter(version__code=version)
    if date is not None:
        qs = qs.filter(version__valid_from__lte=date).filter(
            Q(version__valid_to__isnull=True) | Q(version__valid_to__gte=date)
        )
    if code:
        qs = qs.filter(code=code)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if level is not None:
        qs = qs.filter(level=level)
    if q and (key := fold(q)):
        qs = qs.filter(search_key__contains=key)
    return qs.select_related("version").order_by("path")


# ------------------------------------------------------- report -> JSON payload


def _value(fig: Figure, value) -> dict:
    if isinstance(value, Rate):
        return {
            "value": None,
            "rate": {
                "numerator": value.numerator,
                "denominator": value.denominator,
                "percent": 100 * value.ratio if value.denominator else None,
            },
            "text": fig.text(value),
        }
    if isinstance(value, StoredRate):  # approved before rates were stored whole: its text
        return {"value": None, "rate": None, "text": fig.text(value)}
    return {"value": None if value is None else int(value), "rate": None, "text": fig.text(value)}


def _period(p) -> dict:
    return {"code": p.code, "label": p.label, "start": p.start, "end": p.end}


def report_payload(report: Report) -> dict:
    """The figures of a built report (`reports.selectors.report_build`) as plain data: an
    approved report's are the approved ones (`approved` says what is new or differs now)."""
    return {
        "unit": report.unit,
        "structure": report.version.code,
        "title": report.title,
        "period": _period(report.period),
        "previous_period": _period(report.previous),
        "figures": [
            {
                "code": f.code,
                "name": f.indicator.name,
                "unit_label": f.indicator.unit_label,
                "format": f.indicator.value_format,
                "available": f.available,
                "is_new": f.is_new,
                "total": _value(f, f.totals.get(0)),
                "previous": _value(f, f.totals.get(1)),
                "own": _value(f, f.own.get(0)),
                "children": _value(f, f.children.get(0)),
                "by_unit": [
                    {
                        "bucket": r.bucket,
                        "unit": r.unit.pk if r.unit else None,
                        "label": r.label,
                        **_value(f, f.cell(0, r.bucket)),
                    }
                    for r in report.rows
                ],
            }
            for f in report.table_figures
        ],
        "narrative": [{"heading": h, "text": t} for h, t in report.shown_sections],
        "failures": [
            {"message": x.message, "is_error": x.is_error, "row": x.row} for x in report.failures
        ],
        "submission": (
            {
                "status": report.submission.status,
                "status_label": report.submission.get_status_display(),
            }
            if report.submission
            else None
        ),
        "approved": (
            {
                "decided_at": report.submission.decided_at,
                "changes": [
                    {"name": c.name, "approved": c.approved, "live": c.live}
                    for c in report.changes_since_approval()
                ],
            }
            if report.approved
            else None
        ),
    }
