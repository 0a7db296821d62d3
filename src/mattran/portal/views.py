"""Public pages (no login): donation lookup, fund disclosure, public ledger CSV.

Rate-limited per client IP (django-ratelimit on the default cache; 429 with a
Vietnamese message). The computed rows and figures are cached (lookup results per
normalised query, the disclosure figures per fund and period), keyed by the
ledger's version (core/versions.py): a donation booked shows at once. Never the
whole page: it carries the CSP nonce of its request (and a signed-in user's menu
and CSRF token).
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django_ratelimit.decorators import ratelimit

from mattran.core.db_routers import replica_reads
from mattran.core.errors import UserFacingError
from mattran.core.periods import Period, period_from_query
from mattran.core.vietnamese import mask_personal
from mattran.funds.models import EntryKind, Fund, Purpose
from mattran.funds.selectors import fund_latest_year
from mattran.ledgerlog import selectors as log_selectors
from mattran.ledgerlog import verifier

from . import selectors
from .cached import ledger_cached
from .forms import LookupForm

RESULTS = "portal/_results.html"


def _rate(group, request) -> str:
    return settings.MATTRAN_PUBLIC_RATE


def _limited(request):
    return render(
        request,
        "portal/limited.html",
        status=429,
    )


@ratelimit(key="ip", rate=_rate, group="portal", block=False)
@replica_reads()  # public reads may come from the replica (core/db_routers.py)
def lookup(request):
    if getattr(request, "limited", False):
        return _limited(request)
    form = LookupForm(request.GET or None)
    params = request.GET.copy()
    params.pop("trang", None)
    found = {
        "results": [],
        "page": None,
        "searched": False,
        "searchable": True,
        "querystring": params.urlencode(),
        "min_name": selectors.MIN_NAME,
    }
    results_html = None
    if form.is_valid():
        d = form.cleaned_data
        query = selectors.DonationQuery(
            name=d["q"].strip(),
            amount=d["so_tien"],
            date_from=d["tu_ngay"],
            date_to=d["den_ngay"],
            reference=d["tham_chieu"],
        )
        if not query.is_empty:
            try:
                number = int(request.GET.get("trang", "1"))
            except ValueError:
                number = 1

            def results() -> str:
                page = ledger_cached(
                    "lookup",
                    (query.cache_key(), number),
                    lambda: selectors.donation_page(query=query, page=number),
                )
                found.update(
                    searched=True,
                    searchable=query.is_searchable,
                    page=page,
                    results=page.rows,
                )
                return render_to_string(RESULTS, found)

            # The results' HTML is the same for every visitor of the same search (no
            # CSRF token, nonce or user in it): rendered once per ledger version.
            results_html = ledger_cached(
                "lookup-html", (query.cache_key(), number, found["querystring"]), results
            )
    if results_html is None:
        results_html = render_to_string(RESULTS, found)
    results_html = mark_safe(results_html)  # noqa: S308 - our template's output, escaped there
    if request.htmx:
        return HttpResponse(results_html)
    context = {
        "form": form,
        "results_html": results_html,
        "funds": list(selectors.public_funds()),
    }
    return render(request, "portal/lookup.html", context)


def _public_fund(pk: int) -> Fund:
    fund = selectors.public_funds().filter(pk=pk).first()
    if fund is None:
        raise Http404("Không tìm thấy quỹ")
    return fund


def _period(request, fund: Fund) -> Period:
    """The period asked for, else the latest year with bookings (a fund from 2024 opens on 2024)."""
    try:
        return period_from_query(request.GET, lambda: Period.year(fund_latest_year(fund=fund)))
    except UserFacingError as exc:
        raise Http404(exc.message) from exc


@ratelimit(key="ip", rate=_rate, group="portal", block=False)
@replica_reads()  # public reads may come from the replica (core/db_routers.py)
def disclosure(request, pk: int):
    """The fund's public figures: computed once per ledger version and shared by every
    visitor (the figures are public); the page itself is rendered per request."""
    if getattr(request, "limited", False):
        return _limited(request)
    fund = _public_fund(pk)
    period = _period(request, fund)
    data = ledger_cached(
        "disclosure",
        (fund.pk, period.code),
        lambda: selectors.fund_disclosure(fund=fund, period=period),
    )
    return render(request, "portal/disclosure.html", data)


SAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(SAFE_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


@ratelimit(key="ip", rate=_rate, group="portal", block=False)
@replica_reads()  # public reads may come from the replica (core/db_routers.py)
def ledger_csv(request, pk: int):
    if getattr(request, "limited", False):
        return _limited(request)
    fund = _public_fund(pk)
    period = _period(request, fund)
    kinds = dict(EntryKind.choices)
    purposes = dict(Purpose.choices)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # Excel opens UTF-8 with a BOM
        yield writer.writerow(
            [
                "Ngày",
                "Số chứng từ",
                "Loại",
                "Người nộp / nhận",
                "Nội dung",
                "Mục đích chi",
                "Số lượng",
                "Thu (đồng)",
                "Chi (đồng)",
            ]
        )
        for (
            day,
            series,
            year,
            number,
            kind,
            party,
            memo,
            purpose,
            qty,
            sign,
            amount,
        ) in selectors.public_ledger_rows(fund=fund, period=period):
            yield writer.writerow(
                [
                    day.strftime("%d/%m/%Y"),
                    f"{series}-{year}-{number:04d}" if number else "",
                    kinds.get(kind, kind),
                    csv_safe(mask_personal(party)),
                    csv_safe(mask_personal(memo)),
                    purposes.get(purpose, ""),
                    qty if qty is not None else "",
                    amount if sign > 0 else "",
                    amount if sign < 0 else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="so-quy-{fund.pk}-{period.code}.csv"'
    return response


def front(request):
    """ "/": the public front door for a visitor; a signed-in user goes on to the app."""
    if request.user.is_authenticated:
        from mattran.core.views import home

        return home(request)
    from mattran.news.selectors import articles_public  # a sibling app, read only

    return render(
        request,
        "portal/front.html",
        {
            "form": LookupForm(),
            "funds": list(selectors.public_funds()),
            "articles": list(articles_public()[:5]),
        },
    )


# ------------------------------------------------------------ public ledger log

VERIFIER_NAME = "kiem_tra_so_cai.py"


def _size_param(request, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1


@ratelimit(key="ip", rate=_rate, group="portal", block=False)
def ledger_log(request):
    """The log: what it is, the public keys, every signed head, a consistency proof on demand."""
    if getattr(request, "limited", False):
        return _limited(request)
    first, second = _size_param(request, "tu"), _size_param(request, "den")
    consistency, error = None, ""
    if first is not None or second is not None:
        try:
            if first is None or second is None or first < 0 or second < 0:
                raise UserFacingError("Cần hai kích thước cây là số nguyên không âm.")
            consistency = log_selectors.consistency_public(first=first, second=second)
        except UserFacingError as exc:
            error = exc.message
    heads = log_selectors.heads_public()
    heads.reverse()
    return render(
        request,
        "portal/ledger_log.html",
        {
            "info_size": log_selectors.log_size(),
            "keys": log_selectors.keys_public(),
            "heads": heads[:200],
            "heads_total": len(heads),
            "latest": heads[0] if heads else None,
            "consistency": consistency,
            "error": error,
            "first": first,
            "second": second,
            "verifier_name": VERIFIER_NAME,
        },
    )


@ratelimit(key="ip", rate=_rate, group="portal", block=False)
def ledger_verify(request, entry_id: int):
    """Xác minh: a donation's leaf and its inclusion proof to the latest signed head."""
    if getattr(request, "limited", False):
        return _limited(request)
    try:
        proof = log_selectors.inclusion_public(entry_id=entry_id)
    except UserFacingError as exc:
        return render(request, "portal/ledger_verify.html", {"error": exc.message}, status=404)
    head = log_selectors.latest_head()
    data = proof["data"]
    computed = verifier.leaf_hash(verifier.canonical_bytes(data)).hex() if data else ""
    return render(
        request,
        "portal/ledger_verify.html",
        {
            "proof": proof,
            "head": head,
            "leaf_bytes": verifier.canonical_bytes(data).decode() if data else "",
            "computed": computed,
            "matches": computed == proof["leaf_hash"],
            "keys": log_selectors.keys_public(),
            "verifier_name": VERIFIER_NAME,
        },
    )


def verifier_download(request):
    """The single-file verifier (standard library + cryptography), as a download."""
    with open(verifier.__file__, "rb") as fh:
        body = fh.read()
    response = HttpResponse(body, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{VERIFIER_NAME}"'
    return response
