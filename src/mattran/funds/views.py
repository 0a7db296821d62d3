from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import unit_get_visible
from mattran.core.errors import UserFacingError
from mattran.core.form_tokens import DuplicateSubmission, new_form_token
from mattran.core.jobs import job_progress, job_start
from mattran.core.models import Job
from mattran.core.periods import Period, period_from_query
from mattran.core.vietnamese import mask_personal

from . import selectors, services
from .forms import (
    ClassifyForm,
    ConfirmForm,
    DisbursementForm,
    FundForm,
    IdentifyForm,
    ReceiptForm,
    ReverseForm,
    StatementUploadForm,
    TransferCancelForm,
    TransferForm,
    TransferReturnForm,
    WorkListSearchForm,
)
from .jobs import STATEMENT_IMPORT
from .models import AccountKind, LedgerEntry, StatementImport, TransferStatus
from .statement_formats import name_suggestions
from .vouchers import voucher_context, voucher_docx


def _period(request, default) -> Period:
    """The period asked for, else `default()`; a message when what was typed is unclear."""
    try:
        return period_from_query(request.GET, default)
    except UserFacingError as exc:
        messages.error(request, exc.message)
        return default()


@login_required
def fund_list(request):
    funds = selectors.fund_list_with_balances(user=request.user)
    pending = selectors.transfer_list_visible(user=request.user).filter(
        status=TransferStatus.PENDING
    )
    return render(
        request, "funds/list.html", {"funds": funds, "pending_transfers": list(pending[:20])}
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_create(request, unit_pk: int):
    unit = unit_get_visible(user=request.user, pk=unit_pk, perm=Perm.EDIT)
    form = FundForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = services.fund_open(
                actor=request.user,
                unit=unit,
                name=data["name"],
                kind=data["kind"],
                opened_on=data["opened_on"],
                description=data["description"],
                is_public=data["is_public"],
                form_token=data["form_token"],
                bank_name=data["bank_name"],
                account_number=data["account_number"],
                cash=data["cash"],
            )
        except DuplicateSubmission as exc:
            messages.warning(request, exc.message)
            return (
                redirect("funds:detail", pk=exc.object_id)
                if exc.object_id
                else redirect("units:detail", pk=unit.pk)
            )
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã mở {fund.name}.")
            return redirect("funds:detail", pk=fund.pk)
    return render(request, "units/form.html", {"unit": unit, "form": form, "title": "Mở quỹ mới"})


@login_required
def fund_detail(request, pk: int):
    fund = selectors.fund_get_visible(user=request.user, pk=pk)
    period = _period(request, lambda: Period.year(selectors.fund_latest_year(fund=fund)))
    book = selectors.fund_book(fund=fund, period=period)
    page = Paginator(book.entries, 100).get_page(request.GET.get("trang"))
    policy = policy_for(request.user)
    context = {
        "fund": fund,
        "book": book,
        "page": page,
        "period": period,
        "balance": selectors.fund_balance(fund=fund),
        "accounts": list(fund.accounts.all()),
        "imports": list(
            StatementImport.objects.filter(account__fund=fund).select_related("account")[:10]
        ),
        "queued": selectors.unidentified_receipts_visible(user=request.user, fund=fund).count(),
        "can_edit": policy.can(Perm.EDIT, fund.unit),
        "can_approve": policy.can(Perm.APPROVE, fund.unit),
    }
    return render(request, "funds/detail.html", context)


def _entry_form_view(request, pk, form_class, title, create):
    fund = selectors.fund_get_visible(user=request.user, pk=pk, perm=Perm.EDIT)
    form = form_class(request.POST or None, fund=fund, initial={"booked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            entry = create(fund, form.cleaned_data)
        except DuplicateSubmission as exc:
            messages.warning(request, exc.message)
            if exc.object_id:
                return redirect("funds:entry", pk=exc.object_id)
            return redirect("funds:detail", pk=fund.pk)
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã ghi {entry.voucher_code}.")
            return redirect("funds:entry", pk=entry.pk)
    return render(
        request,
        "units/form.html",
        {"unit": fund.unit, "form": form, "title": f"{title} – {fund.name}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def receipt_create(request, pk: int):
    def create(fund, d):
        return services.receipt_create(
            actor=request.user,
            fund=fund,
            amount=d["amount"],
            booked_on=d["booked_on"],
            party_name=d["party_name"],
            party_kind=d["party_kind"],
            channel="cash" if d["account"].kind == AccountKind.CASH else "bank",
            reference=d["reference"],
            memo=d["memo"],
            account=d["account"],
            form_token=d["form_token"],
        )

    return _entry_form_view(request, pk, ReceiptForm, "Ghi thu", create)


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_create(request, pk: int):
    def create(fund, d):
        return services.disbursement_create(
            actor=request.user,
            fund=fund,
            amount=d["amount"],
            booked_on=d["booked_on"],
            purpose=d["purpose"],
            quantity=d["quantity"],
            payee_name=d["payee_name"],
            beneficiaries=d["beneficiaries"],
            channel="cash" if d["account"].kind == AccountKind.CASH else "bank",
            reference=d["reference"],
            memo=d["memo"],
            account=d["account"],
            form_token=d["form_token"],
        )

    return _entry_form_view(request, pk, DisbursementForm, "Ghi chi", create)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_send(request, pk: int):
    fund = selectors.fund_get_visible(user=request.user, pk=pk, perm=Perm.EDIT)
    form = TransferForm(request.POST or None, fund=fund, initial={"sent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.transfer_send(
                actor=request.user,
                from_fund=fund,
                to_fund=d["to_fund"],
                amount=d["amount"],
                sent_on=d["sent_on"],
                purpose_text=d["purpose_text"],
                purpose=d["purpose"],
                form_token=d["form_token"],
            )
        except DuplicateSubmission as exc:
            messages.warning(request, exc.message)
            return redirect("funds:transfers")
        except UserFacingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã chuyển tiền; chờ đơn vị nhận xác nhận.")
            return redirect("funds:transfers")
    return render(
        request,
        "units/form.html",
        {"unit": fund.unit, "form": form, "title": f"Chuyển tiền – {fund.name}"},
    )


@login_required
def transfer_list(request):
    transfers = selectors.transfer_list_visible(user=request.user)
    page = Paginator(transfers, 50).get_page(request.GET.get("trang"))
    policy = policy_for(request.user)
    returned = selectors.transfers_returned(transfers=list(page))
    rows = [
        {
            "t": t,
            "can_confirm": t.status == "pending" and policy.can(Perm.APPROVE, t.to_fund.unit),
            "can_cancel": t.status == "pending" and policy.can(Perm.EDIT, t.from_fund.unit),
            "can_return": t.status == "confirmed"
            and t.returns_id is None
            and t.pk not in returned
            and policy.can(Perm.EDIT, t.to_fund.unit),
            "return_token": new_form_token(),  # one per row: two returns from one page
        }
        for t in page
    ]
    today = timezone.localdate()
    return render(
        request,
        "funds/transfers.html",
        {
            "page": page,
            "rows": rows,
            "confirm_form": ConfirmForm(initial={"received_on": today}),
            "cancel_form": TransferCancelForm(),
            "return_form": TransferReturnForm(initial={"sent_on": today}),
        },
    )


def _transfer_action(request, pk: int, *, form_class, invalid: str, act, done: str):
    """The three buttons of the transfers page (cancel, return, confirm): the form
    checked, one service called with the transfer and the form's data, the outcome
    said in a message, back to the list."""
    transfer = selectors.transfer_get_visible(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
    else:
        try:
            act(actor=request.user, transfer=transfer, data=form.cleaned_data)
        except UserFacingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    return redirect("funds:transfers")


@login_required
@require_POST
def transfer_cancel(request, pk: int):
    return _transfer_action(
        request,
        pk,
        form_class=TransferCancelForm,
        invalid="Cần ghi lý do hủy khoản chuyển.",
        act=lambda actor, transfer, data: services.transfer_cancel(
            actor=actor, transfer=transfer, reason=data["reason"]
        ),
        done="Đã hủy khoản chuyển; số tiền đã trở lại quỹ.",
    )


@login_required
@require_POST
def transfer_return(request, pk: int):
    return _transfer_action(
        request,
        pk,
        form_class=TransferReturnForm,
        invalid="Cần ghi ngày và lý do chuyển trả.",
        act=lambda actor, transfer, data: services.transfer_return(
            actor=actor,
            transfer=transfer,
            reason=data["reason"],
            sent_on=data["sent_on"],
            form_token=data["form_token"],
        ),
        done="Đã lập khoản chuyển trả; chờ bên kia xác nhận.",
    )


@login_required
@require_POST
def transfer_confirm(request, pk: int):
    return _transfer_action(
        request,
        pk,
        form_class=ConfirmForm,
        invalid="Ngày nhận không hợp lệ.",
        act=lambda actor, transfer, data: services.transfer_confirm(
            actor=actor, transfer=transfer, received_on=data["received_on"]
        ),
        done="Đã xác nhận nhận tiền.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_detail(request, pk: int):
    entry = selectors.entry_get_visible(user=request.user, pk=pk)
    can_reverse = policy_for(request.user).can(Perm.APPROVE, entry.fund.unit)
    form = ReverseForm(request.POST or None, initial={"booked_on": timezone.localdate()})
    if request.method == "POST":
        if not can_reverse:
            raise Http404
        if form.is_valid():
            try:
                reversal = services.entry_reverse(
                    actor=request.user,
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                    booked_on=form.cleaned_data["booked_on"],
                )
            except UserFacingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Đã lập bút toán đảo.")
                return redirect("funds:entry", pk=reversal.pk)
    reversed_by = LedgerEntry.objects.filter(reverses=entry).first()
    return render(
        request,
        "funds/entry.html",
        {
            "entry": entry,
            "form": form,
            "can_reverse": can_reverse,
            "reversed_by": reversed_by,
            "annotations": list(entry.annotations.select_related("created_by").order_by("id")),
        },
    )


@login_required
def voucher_print(request, pk: int):
    entry = selectors.entry_get_visible(user=request.user, pk=pk)
    if not entry.voucher_code:
        raise Http404
    size = "A4" if request.GET.get("kho") == "A4" else "A5"
    return render(request, "funds/voucher.html", {**voucher_context(entry), "size": size})


@login_required
def voucher_download(request, pk: int):
    entry = selectors.entry_get_visible(user=request.user, pk=pk)
    if not entry.voucher_code:
        raise Http404
    response = HttpResponse(
        voucher_docx(entry),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{entry.voucher_code}.docx"'
    return response


# ---------------------------------------------------------------- statements


@login_required
@require_http_methods(["GET", "POST"])
def statement_upload(request, pk: int):
    fund = selectors.fund_get_visible(user=request.user, pk=pk, perm=Perm.EDIT)
    form = StatementUploadForm(request.POST or None, request.FILES or None, fund=fund)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        folder = Path(settings.MEDIA_ROOT) / "statements"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = Path(upload.name).suffix.lower()
        path = folder / f"{uuid.uuid4().hex}{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        job = job_start(
            kind=STATEMENT_IMPORT,
            actor=request.user,
            unit=fund.unit,
            params={
                "account_id": d["account"].pk,
                "path": str(path),
                "file_name": Path(upload.name).name,
                "layout": d["layout"],
                "mapping": d["mapping"],
            },
            message="Đang chờ nhập sao kê",
        )
        return redirect("funds:job", pk=job.pk)
    return render(request, "funds/upload.html", {"fund": fund, "form": form})


def _job_visible(request, pk: int) -> Job:
    job = Job.objects.filter(pk=pk).select_related("unit").first()
    if job is None or not (
        job.created_by_id == request.user.pk
        or (job.unit and policy_for(request.user).can(Perm.VIEW, job.unit))
    ):
        raise Http404
    return job


@login_required
def job_detail(request, pk: int):
    job = _job_visible(request, pk)
    context = {"job": job, "progress": job_progress(job)}
    imp = None
    if job.result and job.result.get("import_id"):
        imp = StatementImport.objects.filter(pk=job.result["import_id"]).first()
    context["imp"] = imp
    template = "funds/_job.html" if request.htmx else "funds/job.html"
    return render(request, template, context)


@login_required
def statement_import_detail(request, pk: int):
    imp = selectors.statement_import_get_visible(user=request.user, pk=pk)
    return render(request, "funds/import.html", {"imp": imp, "fund": imp.account.fund})


def _selected_ids(request) -> list[int]:
    try:
        return [int(x) for x in request.POST.getlist("entry")]
    except ValueError:
        return []


@login_required
@require_http_methods(["GET", "POST"])
def match_queue(request, pk: int):
    """Work list "chưa xác định người ủng hộ": search, suggestions, name one or many (confirmed)."""
    fund = selectors.fund_get_visible(user=request.user, pk=pk)
    can_edit = policy_for(request.user).can(Perm.EDIT, fund.unit)
    search = WorkListSearchForm(request.GET or None)
    query, amount = "", None
    if search.is_valid():
        query, amount = search.cleaned_data["q"], search.cleaned_data["so_tien"]
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        form = IdentifyForm(request.POST)
        try:
            if not form.is_valid():
                raise UserFacingError("Cần nhập tên người ủng hộ.")
            data = form.cleaned_data
            open_list = selectors.unidentified_receipts_visible(user=request.user, fund=fund)
            ids = _selected_ids(request)
            if action == "identify":
                entry = open_list.get(pk=request.POST.get("entry"))
                services.entry_identify_donor(
                    actor=request.user,
                    entry=entry,
                    donor_name=data["donor_name"],
                    donor_kind=data["donor_kind"],
                )
                messages.success(
                    request, f"Đã ghi người ủng hộ {data['donor_name']} cho {entry.voucher_code}."
                )
            elif action in ("bulk_preview", "bulk_confirm"):
                chosen = list(open_list.filter(pk__in=ids))
                if not chosen:
                    raise UserFacingError("Chưa chọn khoản thu nào.")
                if action == "bulk_preview":
                    return render(
                        request,
                        "funds/queue_confirm.html",
                        {
                            "fund": fund,
                            "entries": chosen,
                            "total": sum(e.amount for e in chosen),
                            "form": form,
                        },
                    )
                n = services.entries_identify_donor(
                    actor=request.user,
                    fund=fund,
                    entry_ids=[e.pk for e in chosen],
                    donor_name=data["donor_name"],
                    donor_kind=data["donor_kind"],
                    confirmed=request.POST.get("confirmed") == "1",
                )
                messages.success(
                    request, f"Đã ghi người ủng hộ {data['donor_name']} cho {n} khoản."
                )
            else:
                raise UserFacingError("Thao tác không hợp lệ.")
        except LedgerEntry.DoesNotExist:
            messages.error(request, "Khoản thu này không còn trong danh sách chưa xác định.")
        except UserFacingError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())
    entries = selectors.unidentified_receipts_visible(
        user=request.user, fund=fund, query=query, amount=amount
    )
    page = Paginator(entries, 50).get_page(request.GET.get("trang"))
    rows = [
        {
            "entry": e,
            "memo": mask_personal(e.memo),
            "suggestions": name_suggestions(e.memo, e.statement_line.counterparty),
        }
        for e in page
    ]
    return render(
        request,
        "funds/queue.html",
        {
            "fund": fund,
            "page": page,
            "rows": rows,
            "search": search,
            "querystring": request.GET.urlencode(),
            "can_edit": can_edit,
            "unclassified": selectors.unclassified_payments_visible(
                user=request.user, fund=fund
            ).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unclassified_payments(request, pk: int):
    """Payments booked "chưa phân loại" at import: an accountant gives each its purpose."""
    fund = selectors.fund_get_visible(user=request.user, pk=pk)
    can_edit = policy_for(request.user).can(Perm.EDIT, fund.unit)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = ClassifyForm(request.POST)
        try:
            entry = selectors.unclassified_payments_visible(user=request.user, fund=fund).get(
                pk=request.POST.get("entry")
            )
            if not form.is_valid():
                raise UserFacingError("Cần chọn mục đích chi.")
            services.entry_classify(
                actor=request.user, entry=entry, purpose=form.cleaned_data["purpose"]
            )
            messages.success(request, f"Đã phân loại {entry.voucher_code}.")
        except LedgerEntry.DoesNotExist:
            messages.error(request, "Khoản chi này đã được phân loại.")
        except UserFacingError as exc:
            messages.error(request, exc.message)
        return redirect("funds:unclassified", pk=fund.pk)
    entries = selectors.unclassified_payments_visible(user=request.user, fund=fund)
    page = Paginator(entries, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "funds/unclassified.html",
        {"fund": fund, "page": page, "can_edit": can_edit, "form": ClassifyForm()},
    )


@login_required
def fund_reconciliation(request, pk: int):
    """Fund = bank: per bank account and day, the fund's closing balance beside the bank's."""
    fund = selectors.fund_get_visible(user=request.user, pk=pk)
    accounts = [
        selectors.account_reconciliation(account=account)
        for account in fund.accounts.filter(kind=AccountKind.BANK).order_by("bank_name", "pk")
    ]
    return render(request, "funds/reconciliation.html", {"fund": fund, "accounts": accounts})
