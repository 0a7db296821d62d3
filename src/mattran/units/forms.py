from django import forms

from mattran.core.audit_display import action_choices
from mattran.core.forms import StyledFormMixin, UploadField

from .models import Role, Term
from .services import RESIDENTIAL_KINDS


class ResidentialAreaForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Tên", max_length=200)
    kind = forms.ChoiceField(label="Loại", choices=[(k, k) for k in RESIDENTIAL_KINDS])
    board_head = forms.CharField(
        label="Trưởng ban công tác Mặt trận", max_length=120, required=False
    )


class MemberOrganisationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Tên tổ chức", max_length=200)
    short_name = forms.CharField(label="Tên viết tắt", max_length=40, required=False)
    head_name = forms.CharField(label="Người đứng đầu", max_length=120, required=False)
    head_title = forms.CharField(label="Chức danh", max_length=120, required=False)
    order = forms.IntegerField(label="Thứ tự", min_value=0, initial=0, required=False)


class PositionForm(StyledFormMixin, forms.Form):
    term = forms.ModelChoiceField(label="Nhiệm kỳ", queryset=Term.objects.all())
    full_name = forms.CharField(label="Họ và tên", max_length=120)
    role = forms.ChoiceField(label="Chức vụ", choices=Role.choices)
    title = forms.CharField(label="Chức danh khác", max_length=200, required=False)


class AuditFilterForm(StyledFormMixin, forms.Form):
    action = forms.MultipleChoiceField(
        label="Hành động (chọn một hay nhiều)",
        required=False,
        choices=action_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    actor = forms.CharField(label="Người thực hiện", required=False)
    date_from = forms.DateField(
        label="Từ ngày", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Đến ngày", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class UnitImportForm(StyledFormMixin, forms.Form):
    """A province's unit list (GSO layout) into a structure version, in the app."""

    version_code = forms.CharField(
        label="Mã phiên bản địa giới", max_length=20, help_text="Ví dụ: 2025-01 hoặc 2025-07"
    )
    version_name = forms.CharField(
        label="Tên phiên bản (khi tạo mới)", max_length=200, required=False
    )
    valid_from = forms.DateField(
        label="Hiệu lực từ (khi tạo mới)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_to = forms.DateField(
        label="Hiệu lực đến", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    legal_basis = forms.CharField(label="Căn cứ pháp lý", max_length=300, required=False)
    file = UploadField(
        kind="unit_list", label="Danh mục đơn vị (.csv, bố cục của Tổng cục Thống kê)"
    )
    lineage_from = forms.CharField(
        label="Kế thừa từ phiên bản (tùy chọn)", max_length=20, required=False
    )
    lineage_file = UploadField(
        kind="unit_list", label="Tệp kế thừa (Mã cũ, Tên cũ, Mã mới, Tên mới, Kiểu)", required=False
    )
