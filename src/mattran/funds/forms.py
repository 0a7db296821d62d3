from __future__ import annotations

import json

from django import forms

from mattran.core.forms import (
    AmountField,
    IntegerInputField,
    OnceFormMixin,
    StyledFormMixin,
    UploadField,
)

from .models import AccountKind, Fund, FundAccount, FundKind, PartyKind, Purpose
from .statement_formats import LAYOUTS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FundForm(OnceFormMixin, StyledFormMixin, forms.Form):
    name = forms.CharField(label="Tên quỹ", max_length=200)
    kind = forms.ChoiceField(label="Loại quỹ", choices=FundKind.choices)
    opened_on = forms.DateField(label="Ngày mở", widget=DATE_WIDGET)
    is_public = forms.TypedChoiceField(
        label="Công khai",
        choices=[
            ("1", "Công khai: ai cũng tra cứu được các khoản ủng hộ và xem thu, chi của quỹ"),
            ("0", "Không công khai: chỉ người được phân quyền xem"),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        required=False,
        empty_value=True,  # a client that does not send the choice keeps the old default
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="Mô tả", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    bank_name = forms.CharField(label="Ngân hàng (nếu có)", required=False, max_length=100)
    account_number = forms.CharField(label="Số tài khoản", required=False, max_length=40)
    cash = forms.BooleanField(label="Có sổ tiền mặt", required=False, initial=True)


class ReceiptForm(OnceFormMixin, StyledFormMixin, forms.Form):
    booked_on = forms.DateField(label="Ngày thu", widget=DATE_WIDGET)
    amount = AmountField(label="Số tiền (đồng)")
    party_name = forms.CharField(label="Người nộp / đơn vị ủng hộ", max_length=200)
    party_kind = forms.ChoiceField(label="Cá nhân / tổ chức", choices=PartyKind.choices)
    account = forms.ModelChoiceField(label="Vào tài khoản", queryset=FundAccount.objects.none())
    reference = forms.CharField(label="Số tham chiếu", required=False, max_length=100)
    memo = forms.CharField(
        label="Nội dung", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fund.accounts.all()


class DisbursementForm(OnceFormMixin, StyledFormMixin, forms.Form):
    booked_on = forms.DateField(label="Ngày chi", widget=DATE_WIDGET)
    amount = AmountField(label="Số tiền (đồng)")
    purpose = forms.ChoiceField(label="Mục đích chi", choices=Purpose.choices)
    quantity = IntegerInputField(label="Số lượng (suất quà, nhà, …)", required=False)
    payee_name = forms.CharField(label="Người nhận tiền", max_length=200, required=False)
    beneficiaries = forms.CharField(
        label="Người / hộ được hỗ trợ", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    account = forms.ModelChoiceField(label="Từ tài khoản", queryset=FundAccount.objects.none())
    reference = forms.CharField(label="Số tham chiếu", required=False, max_length=100)
    memo = forms.CharField(
        label="Nội dung", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fund.accounts.all()


class TransferForm(OnceFormMixin, StyledFormMixin, forms.Form):
    to_fund = forms.ModelChoiceField(label="Chuyển đến quỹ", queryset=Fund.objects.none())
    amount = AmountField(label="Số tiền (đồng)")
    sent_on = forms.DateField(label="Ngày chuyển", widget=DATE_WIDGET)
    purpose_text = forms.CharField(label="Nội dung chuyển tiền", max_length=300)
    purpose = forms.CharField(
        label="Mục đích (ghi trong báo cáo)",
        max_length=300,
        required=False,
        help_text="Câu báo cáo ghi sau số tiền, ví dụ: “xây dựng nhà Đại đoàn kết cho các hộ "
        "nghèo tỉnh Điện Biên”.",
    )

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_fund"].queryset = (
            Fund.objects.filter(unit__version_id=fund.unit.version_id, closed_on__isnull=True)
            .exclude(pk=fund.pk)
            .select_related("unit")
            .order_by("unit__path", "name")
        )


class ConfirmForm(StyledFormMixin, forms.Form):
    received_on = forms.DateField(label="Ngày nhận", widget=DATE_WIDGET)


class TransferCancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Lý do hủy", max_length=300)


class TransferReturnForm(OnceFormMixin, StyledFormMixin, forms.Form):
    sent_on = forms.DateField(label="Ngày chuyển trả", widget=DATE_WIDGET)
    reason = forms.CharField(label="Lý do chuyển trả", max_length=300)


class ReverseForm(StyledFormMixin, forms.Form):
    booked_on = forms.DateField(label="Ngày đảo", widget=DATE_WIDGET)
    reason = forms.CharField(label="Lý do", max_length=300)


class IdentifyForm(StyledFormMixin, forms.Form):
    donor_name = forms.CharField(label="Tên người ủng hộ", max_length=200)
    donor_kind = forms.ChoiceField(
        label="Cá nhân / tổ chức",
        choices=[(PartyKind.PERSON, "Cá nhân"), (PartyKind.ORGANISATION, "Tổ chức")],
        initial=PartyKind.PERSON,
    )


class WorkListSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Từ trong nội dung", required=False, max_length=100)
    so_tien = AmountField(label="Số tiền (đồng)", required=False)


class ClassifyForm(StyledFormMixin, forms.Form):
    purpose = forms.ChoiceField(
        label="Mục đích chi", choices=[c for c in Purpose.choices if c[0] != Purpose.UNCLASSIFIED]
    )


LAYOUT_CHOICES = [(code, layout.bank_name) for code, layout in LAYOUTS.items()] + [
    ("mapping", "Mẫu khác (ánh xạ cột)")
]


class StatementUploadForm(StyledFormMixin, forms.Form):
    account = forms.ModelChoiceField(label="Tài khoản", queryset=FundAccount.objects.none())
    layout = forms.ChoiceField(label="Mẫu sao kê", choices=LAYOUT_CHOICES)
    # type, content (an XLSX is checked at once, not minutes later in the job) and size:
    # the upload module (core/uploads.py, kind "statement")
    file = UploadField(kind="statement", label="Tệp sao kê (CSV hoặc XLSX)")
    mapping = forms.CharField(
        label="Ánh xạ cột (JSON, chỉ cho mẫu khác)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Ví dụ: {"date": "Ngày", "amount": "Số tiền", "memo": "Nội dung", '
        '"balance": "Số dư", "thousands_sep": ".", "delimiter": ","}',
    )

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fund.accounts.filter(kind=AccountKind.BANK)

    def clean_mapping(self):
        text = self.cleaned_data["mapping"].strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"JSON không hợp lệ: {exc.msg}") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Ánh xạ cột phải là một đối tượng JSON.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("layout") == "mapping" and not data.get("mapping"):
            self.add_error("mapping", "Cần ánh xạ cột cho mẫu khác.")
        return data
