from __future__ import annotations

from django import forms

from mattran.core.forms import IntegerInputField, StyledFormMixin, UploadField
from mattran.units.models import Unit

from .models import ActivityType, MediationOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(StyledFormMixin, forms.Form):
    type = forms.ModelChoiceField(
        label="Loại hoạt động", queryset=ActivityType.objects.filter(active=True)
    )
    date = forms.DateField(label="Ngày", widget=DATE)
    title = forms.CharField(label="Tên hoạt động", max_length=300)
    attendance = IntegerInputField(label="Số người tham dự", required=False)
    subject = forms.CharField(label="Đề án / nội dung", max_length=500, required=False)
    supervised_units = forms.ModelMultipleChoiceField(
        label="Đơn vị được giám sát",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    co_organisers = forms.ModelMultipleChoiceField(
        label="Tổ chức thành viên phối hợp",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    member_organisation = forms.ModelChoiceField(
        label="Báo cáo thay mặt tổ chức thành viên", queryset=Unit.objects.none(), required=False
    )
    notes = forms.CharField(
        label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = UploadField(
        kind="attachment", label="Tệp đính kèm (không bắt buộc)", required=False
    )

    # Which fields an activity type shows (see ActivityType.uses_*), for the page's script.
    CONDITIONAL = {
        "attendance": "uses_attendance",
        "subject": "uses_subject",
        "supervised_units": "uses_supervised_units",
    }

    def __init__(self, *args, unit: Unit, supervisable, organisations, reporter_orgs=None, **kw):
        super().__init__(*args, **kw)
        self.fields["supervised_units"].queryset = supervisable
        self.fields["co_organisers"].queryset = organisations
        if reporter_orgs is not None:
            self.fields["member_organisation"].queryset = reporter_orgs
            self.fields["member_organisation"].required = True
        else:
            del self.fields["member_organisation"]
        self.unit = unit

    def type_flags(self) -> dict[str, dict[str, bool | str]]:
        return {
            str(t.pk): {
                "attendance": t.uses_attendance,
                "subject": t.uses_subject,
                "supervised_units": t.uses_supervised_units,
                "subject_label": t.subject_label or "Đề án / nội dung",
            }
            for t in self.fields["type"].queryset
        }


class ActivityFilterForm(StyledFormMixin, forms.Form):
    type = forms.ModelChoiceField(
        label="Loại", queryset=ActivityType.objects.all(), required=False, empty_label="Tất cả"
    )
    ky = forms.CharField(
        label="Kỳ",
        required=False,
        help_text="Ví dụ: tháng 9/2023, quý 3/2023, 9 tháng 2023, năm 2023",
        max_length=30,
    )
    q = forms.CharField(label="Tìm", required=False, max_length=100)
    chi_don_vi_nay = forms.BooleanField(label="Chỉ của đơn vị này", required=False)


class DeleteForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Lý do xóa", max_length=300)


class MediationForm(StyledFormMixin, forms.Form):
    received_on = forms.DateField(label="Ngày tiếp nhận", widget=DATE)
    title = forms.CharField(
        label="Nội dung vụ việc",
        max_length=300,
        help_text="Mô tả ngắn; không ghi họ tên, địa chỉ, số điện thoại của các bên.",
    )
    outcome = forms.ChoiceField(label="Kết quả", choices=MediationOutcome.choices)
    closed_on = forms.DateField(label="Ngày kết thúc", widget=DATE, required=False)
    notes = forms.CharField(
        label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AggregateForm(StyledFormMixin, forms.Form):
    """One number field per data element, named by its code ("201.000.000" is 201000000)."""

    def __init__(self, *args, elements, initial_values, **kw):
        super().__init__(*args, **kw)
        self.elements = elements
        for el in elements:
            self.fields[el.code] = IntegerInputField(
                label=f"{el.name}" + (f" ({el.unit_label})" if el.unit_label else ""),
                required=False,
                help_text=el.description,
                initial=initial_values.get(el.pk),
            )

    def values(self) -> dict:
        return {el: self.cleaned_data.get(el.code) for el in self.elements}


class BulkFileForm(forms.Form):
    """The bulk entry page's file (its template names the input "tep")."""

    tep = UploadField(
        kind="spreadsheet", label="Tệp Excel", error_messages={"required": "Chưa chọn tệp."}
    )
