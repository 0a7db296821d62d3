from __future__ import annotations

import datetime as dt
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.converters import is_id
from mattran.core.db_routers import replica_reads
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period, period_from_query
from mattran.core.vietnamese import format_number
from mattran.figures.cached import unit_version_names, user_data_cached
from mattran.figures.scope import OTHER, SELF
from mattran.units.models import Unit

from . import selectors, services
from .checks import text_slips
from .figures import StoredRate
from .models import Indicator, SubmissionStatus


def _period_or_404(code: str) -> Period:
    try:
        return Period.parse(code)
    except UserFacingError as exc:
        raise Http404(exc.message) from exc


def _default_period(unit: Unit) -> Period:
    return selectors.report_period_default(unit=unit)


@login_required
def home(request):
    """A signed-in user's first page: their reports to fix, submit or decide."""
    data = selectors.home_for(user=request.user)
    return render(request, "reports/home.html", {"home": data})


@login_required
def index(request):
    policy = policy_for(request.user)
    code = request.GET.get("ky", "").strip()
    units = list(policy.top_units(Perm.VIEW).order_by("version", "path")[:50])
    unit_pk = request.GET.get("don-vi", "")
    nations = selectors.nation_versions(user=request.user)
    if (code or request.GET.get("loai")) and unit_pk.startswith(NATION_PREFIX):
        version = _version_or_404(unit_pk.removeprefix(NATION_PREFIX))
        selectors.nation_visible(user=request.user, version=version)
        try:
            period = period_from_query(request.GET, lambda: _nation_period(version))
        except UserFacingError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("reports:nation", version=version.code, code=period.code)
    if (code or request.GET.get("loai")) and is_id(unit_pk):
        unit = unit_get_visible(user=request.user, pk=int(unit_pk))
        try:
            period = period_from_query(request.GET, lambda: _default_period(unit))
        except UserFacingError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("reports:report", unit_pk=unit.pk, code=period.code)
    default = _default_period(units[0]) if units else None
    context = {
        "units": units,
        "nations": nations,
        "nation_prefix": NATION_PREFIX,
        "code": code,
        "default_label": default.label if default else "",
    }
    return render(request, "reports/index.html", context)


NATION_PREFIX = "toan-quoc-"  # the report picker's value for a whole structure version


def _version_or_404(code: str):
    try:
        return selectors.version_get(code=code)
    except UserFacingError as exc:
        raise Http404(exc.message) from exc


def _nation_period(version) -> Period:
    today = timezone.localdate()
    day = min(today, version.valid_to) if version.valid_to else today
    return Period.nine_months(day.year) if day.month <= 9 else Period.year(day.year)


@login_required
def unit_default(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    return redirect("reports:report", unit_pk=unit.pk, code=_default_period(unit).code)


def _actions(user, unit: Unit, submission) -> dict[str, bool]:
    status = submission.status if submission else None
    policy = policy_for(user)
    approver = services.can_approve(user, unit)
    return {
        "submit": policy.can(Perm.EDIT, unit)
        and status in (None, SubmissionStatus.RETURNED, SubmissionStatus.REOPENED),
        "approve": approver and status == SubmissionStatus.SUBMITTED,
        "return": approver and status == SubmissionStatus.SUBMITTED,
        "reopen": approver and status == SubmissionStatus.APPROVED,
    }


def _quick_periods(period: Period) -> list[tuple[str, str]]:
    y = period.start.year
    out = [(f"{y}-9M", "9 tháng"), (f"{y}-H1", "6 tháng"), (str(y), "Cả năm")]
    out += [(f"{y}-Q{q}", f"Quý {q}") for q in range(1, 5)]
    out += [(f"{y - 1}-9M", f"9 tháng {y - 1}"), (f"{y + 1}-9M", f"9 tháng {y + 1}")]
    return out


def _chart_value(value) -> float | int | None:
    """A chart bar: the number, a rate's percentage (an approved rate stored only as
    printed: its printed percentage), or None (no data, drawn as "—")."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, StoredRate):
        return value.percent
    if getattr(value, "denominator", 0):
        return round(100 * value.numerator / value.denominator, 1)
    return None


_PK_MARK = 987654321  # a unit id in a reversed URL, replaced per row
_CODE_MARK = "zz-indicator-code-zz"  # an indicator code in a reversed URL, likewise


def _figure_rows_html(table: list[dict], with_children: bool) -> str:
    """The figures table's rows (a heading row per section), escaped and joined here:
    ~40 indicators x 6 cells on every report view, several times faster than the
    template loop that gave the same HTML (tests/reports/test_report_rows_html.py)."""
    e = conditional_escape
    out = []
    for sec in table:
        out.append(
            f'\n    <tr class="table-light"><th colspan="6">{e(sec["heading"])}</th></tr>\n    '
        )
        for r in sec["rows"]:
            fig, ind, link = r["fig"], r["fig"].indicator, e(r["link"])
            code = e(fig.code)
            name = [e(ind.name)]
            if not fig.available:
                name.append(_NO_SOURCE)
            if fig.is_new:
                name.append(_NEW.format(code=code))
            if fig.entered.get(1):
                name.append(_ENTERED)
            if ind.unit_label:
                name.append(
                    f' <span class="d-md-none small text-muted">({e(ind.unit_label)})</span>'
                )
            cells = [
                f"<td>{''.join(name)}</td>",
                f'<td class="small text-muted d-none d-md-table-cell">{e(ind.unit_label)}</td>',
                f'<td class="text-end"><a href="{link}" data-testid="total-{code}">'
                f"{e(r['cur'])}</a></td>",
                f'<td class="text-end"><a href="{link}?ky=1">{e(r["prev"])}</a></td>',
            ]
            own = ""
            if with_children:
                own = (
                    f'<td class="text-end"><a href="{link}?o={e(SELF)}">{e(r["own"])}</a></td>'
                    f'\n      <td class="text-end">{e(r["children"])}</td>'
                )
            row = "\n      ".join(cells)
            out.append(f'<tr data-indicator="{code}">\n      {row}\n      {own}\n    </tr>')
        out.append("\n  ")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


_NO_SOURCE = (
    ' <span class="badge text-bg-light border" title="Phân hệ quỹ chưa cung cấp số liệu">'
    "chưa có nguồn</span>"
)
_NEW = (
    ' <span class="badge text-bg-warning" data-testid="new-{code}" title="Chỉ tiêu thêm sau khi'
    ' báo cáo được phê duyệt: không có trong số liệu đã duyệt">mới, sau khi duyệt</span>'
)
_ENTERED = (
    ' <span class="badge text-bg-light border" title="Cùng kỳ năm trước là số liệu đơn vị nhập'
    ' tổng, không tính từ hồ sơ">cùng kỳ: số nhập</span>'
)


def _breakdown_rows_html(rep, columns, links: dict[str, str], period: Period) -> str:
    """The rows of the table by child unit and its total row, escaped and joined here.

    A city's roll-up has 126 wards × every indicator: thousands of cells, which
    the template language renders many times slower than this loop (same HTML)."""
    unit_url = reverse("reports:report", args=[_PK_MARK, period.code])
    mark = str(_PK_MARK)
    hrefs = {code: escape(link) for code, link in links.items()}
    out = []

    def cell(text: str, href: str) -> str:
        return f'<td class="text-end"><a href="{href}">{escape(text)}</a></td>'

    for r in rep.rows:
        if r.is_child:
            href = escape(unit_url.replace(mark, str(r.unit.pk), 1))
            label = f'<a href="{href}">{escape(r.label)}</a>'
        else:
            label = escape(r.label)
        query = "?o=" + escape(str(r.bucket))
        cells = "".join(cell(f.text(f.cell(0, r.bucket)), hrefs[f.code] + query) for f in columns)
        out.append(f'<tr >\n    <td class="text-nowrap">{label}</td>\n    {cells}\n  </tr>')
    cells = "".join(cell(f.total_text, hrefs[f.code]) for f in columns)
    out.append(
        '<tr class="fw-semibold table-light">\n    <td class="text-nowrap">Tổng cộng</td>'
        f"\n    {cells}\n  </tr>"
    )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def report(request, unit_pk: int, code: str):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    rep = selectors.report_build(user=request.user, unit=unit, period=period)
    slips = text_slips(rep.narrative)  # the reading app's checker (reports/checks.py)
    chart = {
        "labels": [r.unit.name for r in rep.child_rows],
        "datasets": [
            {
                "label": f.indicator.name,
                "data": [_chart_value(f.cell(0, r.bucket)) for r in rep.child_rows],
            }
            for f in rep.chart_figures
        ],
    }
    # One reverse() for the page, each indicator's drill-down link made from it
    # (the template's {% url %} per cell was ~100 reverses, ~3 ms, per view).
    drill = reverse("reports:drilldown", args=[unit.pk, period.code, _CODE_MARK])

    def link(code: str) -> str:
        return drill.replace(_CODE_MARK, code, 1)

    # an approved report's figures and text are those approved (report_as_approved)
    table = [
        {
            "heading": sec.heading,
            "rows": [{"fig": f, "link": link(f.code), **f.texts()} for f in sec.figures],
        }
        for sec in rep.sections
        if sec.figures
    ]
    columns = [f for f in rep.table_figures if f.available]
    links = {f.code: link(f.code) for f in columns}
    context = {
        "unit": unit,
        "report": rep,
        "period": period,
        "chart": chart,
        "table": table,
        "figure_rows": _figure_rows_html(table, bool(rep.child_rows)),
        "breakdown_rows": _breakdown_rows_html(rep, columns, links, period),
        "breakdown_figures": columns,
        "actions": _actions(request.user, unit, rep.submission),
        "changes": rep.changes_since_approval(),
        "slips": slips,
        "quick": _quick_periods(period),
        "document_date": min(period.end, timezone.localdate()),
        "can_approve_children": policy_for(request.user).can(Perm.APPROVE, unit),
        "SELF": SELF,
        "OTHER": OTHER,
    }
    return render(request, "reports/report.html", context)


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def drilldown(request, unit_pk: int, code: str, indicator: str):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    ind = get_object_or_404(Indicator, code=indicator, active=True)
    which = request.GET.get("ky", "0")
    shown = period.previous_year() if which == "1" else period
    bucket = request.GET.get("o", "total")
    if bucket not in ("total", SELF, OTHER) and not is_id(bucket):
        raise Http404
    detail = selectors.drilldown(
        user=request.user, report_unit=unit, indicator=ind, period=shown, bucket=bucket
    )
    if detail.kind == "external" and detail.external_url:
        return redirect(detail.external_url)
    page = (
        Paginator(detail.records, 100).get_page(request.GET.get("trang"))
        if (detail.records is not None)
        else None
    )
    where = unit.name
    if bucket == SELF:
        where = f"cấp {unit.kind.lower()} ({unit.name})"
    elif is_id(bucket):
        child = Unit.objects.filter(pk=int(bucket), parent=unit).first()
        if child is None:
            raise Http404
        where = child.name
    elif bucket == OTHER:
        where = "đơn vị cũ chia tách, sáp nhập"
    return render(
        request,
        "reports/drilldown.html",
        {
            "unit": unit,
            "period": period,
            "shown": shown,
            "indicator": ind,
            "detail": detail,
            "page": page,
            "where": where,
            "code": code,
        },
    )


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def nation(request, version: str, code: str):
    """The national report of a structure version (every province), for a user whose grants
    cover the whole country: the same figures, text and drill-down as a unit's report;
    each province opens its own report."""
    ver = _version_or_404(version)
    selectors.nation_visible(user=request.user, version=ver)
    period = _period_or_404(code)
    rep = selectors.report_build(user=request.user, unit=None, period=period, version=ver)
    columns = [f for f in rep.table_figures if f.available]

    def link(f, query=""):
        return reverse("reports:nation_drilldown", args=[ver.code, period.code, f.code]) + query

    table = [
        {
            "heading": sec.heading,
            "rows": [{"fig": f, "link": link(f), **f.texts()} for f in sec.figures],
        }
        for sec in rep.sections
        if sec.figures
    ]
    breakdown = [
        {
            "row": r,
            "cells": [
                {"text": f.text(f.cell(0, r.bucket)), "link": link(f, f"?o={r.bucket}")}
                for f in columns
            ],
        }
        for r in rep.rows
    ]
    breakdown.append(
        {"row": None, "cells": [{"text": f.total_text, "link": link(f)} for f in columns]}
    )
    return render(
        request,
        "reports/nation.html",
        {
            "report": rep,
            "version": ver,
            "period": period,
            "table": table,
            "breakdown": breakdown,
            "breakdown_figures": columns,
            "quick": _quick_periods(period),
            "slips": text_slips(rep.narrative),
        },
    )


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def nation_drilldown(request, version: str, code: str, indicator: str):
    ver = _version_or_404(version)
    roots = selectors.nation_visible(user=request.user, version=ver)
    period = _period_or_404(code)
    ind = get_object_or_404(Indicator, code=indicator, active=True)
    shown = period.previous_year() if request.GET.get("ky", "0") == "1" else period
    bucket = request.GET.get("o", "total")
    if bucket not in ("total", OTHER) and not is_id(bucket):
        raise Http404
    detail = selectors.drilldown(
        user=request.user,
        report_unit=None,
        indicator=ind,
        period=shown,
        bucket=bucket,
        version=ver,
    )
    if detail.kind == "external" and detail.external_url:
        return redirect(detail.external_url)
    page = (
        Paginator(detail.records, 100).get_page(request.GET.get("trang"))
        if detail.records is not None
        else None
    )
    where = f"Toàn quốc ({ver.name})"
    if is_id(bucket):
        root = next((r for r in roots if r.pk == int(bucket)), None)
        if root is None:
            raise Http404
        where = root.name
    elif bucket == OTHER:
        where = "đơn vị cũ chia tách, sáp nhập"
    return render(
        request,
        "reports/drilldown.html",
        {
            "unit": None,
            "back_url": reverse("reports:nation", args=[ver.code, period.code]),
            "period": period,
            "shown": shown,
            "indicator": ind,
            "detail": detail,
            "page": page,
            "where": where,
            "code": code,
        },
    )


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(unit: Unit, period: Period, ext: str) -> str:
    return f"bao-cao-{unit.code or unit.pk}-{period.code}.{ext}".replace("..", "_")


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def export_docx(request, unit_pk: int, code: str):
    from .exports.docx import document_date_default, report_docx

    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    rep = selectors.report_build(user=request.user, unit=unit, period=period)
    try:
        day = dt.date.fromisoformat(request.GET.get("ngay", ""))
    except ValueError:
        # The chosen date, else the period's last day (or today, if earlier).
        day = document_date_default(rep, timezone.localdate())
    directions = request.GET.get("phuong-huong", "")[:5000]
    return _download(
        report_docx(
            rep,
            document_date=day,
            signer_name=selectors.signer_name(unit=unit),
            directions=directions,
        ),
        _filename(unit, period, "docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def export_xlsx(request, unit_pk: int, code: str):
    from .exports.xlsx import report_xlsx

    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    # Many approvers download the same roll-up at the deadline: the file is built
    # once per data version and grants (figures/cached.py), then served as is. An
    # approved report's file holds the approved figures: the submission's state is
    # part of the key (its status changes bump no data version).
    state = (
        unit.submissions.filter(period_start=period.start, period_end=period.end)
        .values_list("status", "decided_at")
        .first()
    )
    data = user_data_cached(
        "report-xlsx",
        (unit.pk, period.code, state),
        user=request.user,
        names=unit_version_names(unit),
        compute=lambda: report_xlsx(
            selectors.report_build(user=request.user, unit=unit, period=period)
        ),
    )
    return _download(
        data,
        _filename(unit, period, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ------------------------------------------------------------- submission flow


def _submission(unit: Unit, period: Period):
    return unit.submissions.filter(period_start=period.start, period_end=period.end).first()


def _after(request, unit: Unit, code: str):
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("reports:report", unit_pk=unit.pk, code=code)


@login_required
@require_POST
def submit(request, unit_pk: int, code: str):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    try:
        services.submission_submit(actor=request.user, unit=unit, period=period)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã nộp báo cáo {period.label} của {unit.name}.")
    return _after(request, unit, code)


def _decision(request, unit_pk: int, code: str, action: str):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    sub = _submission(unit, period)
    if sub is None:
        messages.error(request, f"{unit.name} chưa nộp báo cáo {period.label}.")
        return _after(request, unit, code)
    comment = request.POST.get("comment", "")
    try:
        if action == "approve":
            services.submission_approve(actor=request.user, submission=sub, comment=comment)
            messages.success(request, f"Đã duyệt báo cáo của {unit.name}; số liệu đã khóa.")
        elif action == "return":
            services.submission_return(actor=request.user, submission=sub, comment=comment)
            messages.success(request, f"Đã trả lại báo cáo của {unit.name}.")
        else:
            services.submission_reopen(actor=request.user, submission=sub, reason=comment)
            messages.success(request, f"Đã mở khóa số liệu {period.label} của {unit.name}.")
    except UserFacingError as exc:
        messages.error(request, exc.message)
    return _after(request, unit, code)


@login_required
@require_POST
def approve(request, unit_pk: int, code: str):
    return _decision(request, unit_pk, code, "approve")


@login_required
@require_POST
def return_(request, unit_pk: int, code: str):
    return _decision(request, unit_pk, code, "return")


@login_required
@require_POST
def reopen(request, unit_pk: int, code: str):
    return _decision(request, unit_pk, code, "reopen")


@login_required
@replica_reads()  # report reads may come from the replica (core/db_routers.py)
def completeness(request, unit_pk: int, code: str):
    unit = unit_get_visible(user=request.user, pk=unit_pk)
    period = _period_or_404(code)
    rows, due = selectors.completeness(user=request.user, parent=unit, period=period)
    summary = {
        "total": len(rows),
        "approved": sum(1 for r in rows if r.is_done),
        "waiting": sum(
            1 for r in rows if r.submission and r.submission.status == SubmissionStatus.SUBMITTED
        ),
        "late": sum(1 for r in rows if r.is_late),
        "missing": sum(1 for r in rows if r.submission is None),
    }
    return render(
        request,
        "reports/completeness.html",
        {
            "unit": unit,
            "period": period,
            "rows": rows,
            "due": due,
            "summary": summary,
            "code": code,
            "can_approve": policy_for(request.user).can(Perm.APPROVE, unit),
            "today": timezone.localdate(),
        },
    )


def _whole_number(text: str) -> int | None:
    """ "1.234.567", "1 234 567" or "1234567" (đồng or a count); "" is no value."""
    cleaned = (text or "").strip().removesuffix("đồng").removesuffix("đ").strip()
    cleaned = cleaned.replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


@login_required
@require_http_methods(["GET", "POST"])
def entered_totals(request, unit_pk: int, code: str):
    """A unit's figures of a past period, typed once by figure key (issue 11 item 7): the
    previous-year column of a new office's first report."""
    from mattran.figures.services import entered_totals_of, entered_totals_set

    unit = unit_get_visible(user=request.user, pk=unit_pk, perm=Perm.EDIT)
    period = _period_or_404(code)
    indicators = [
        i
        for i in Indicator.objects.filter(active=True).order_by("order", "code")
        if i.value_format != "percent"
    ]
    current = entered_totals_of(unit=unit, period=period)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, int | None] = {}
        for ind in indicators:
            text = request.POST.get(f"v_{ind.code}", "")
            typed[ind.figure_key] = text
            try:
                values[ind.figure_key] = _whole_number(text)
            except ValueError:
                errors[ind.figure_key] = (
                    f"{ind.name}: “{text}” không phải số nguyên (ví dụ 1.234.567)."
                )
        if not errors:
            try:
                n = entered_totals_set(
                    actor=request.user,
                    unit=unit,
                    period=period,
                    values=values,
                    note=request.POST.get("note", ""),
                )
            except UserFacingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Đã lưu số liệu {period.label} ({n} thay đổi).")
                return redirect("reports:entered", unit_pk=unit.pk, code=period.code)
    rows = [
        {
            "indicator": ind,
            "value": typed.get(ind.figure_key)
            if ind.figure_key in typed
            else (format_number(current[ind.figure_key]) if ind.figure_key in current else ""),
            "error": errors.get(ind.figure_key, ""),
        }
        for ind in indicators
    ]
    return render(
        request,
        "reports/entered.html",
        {"unit": unit, "period": period, "rows": rows, "has_errors": bool(errors)},
    )
