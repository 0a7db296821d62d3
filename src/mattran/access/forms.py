from django import forms
from django.contrib.auth import get_user_model

from mattran.core.forms import StyledFormMixin, UploadField

from .models import Role


class GrantForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    unit_code = forms.CharField(
        label="Đơn vị (mã hoặc tên)",
        max_length=200,
        help_text="Ví dụ: 00235 hoặc Phường Láng Thượng",
    )
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)
    member_organisation = forms.CharField(
        label="Tổ chức thành viên (cho vai trò báo cáo)", max_length=200, required=False
    )

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"Không có người dùng '{name}'.")
        return user


class UserCreateForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    username = forms.CharField(
        label="Tên đăng nhập", max_length=150, help_text="Ví dụ: capnhat.phuongly"
    )
    email = forms.CharField(label="Email", max_length=254, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=20, required=False)
    unit_code = forms.CharField(
        label="Đơn vị làm việc (mã hoặc tên)",
        max_length=200,
        help_text="Vai trò có hiệu lực trên đơn vị này và các đơn vị trực thuộc.",
    )
    roles = forms.MultipleChoiceField(
        label="Vai trò",
        choices=[(r.value, r.label) for r in (Role.EDITOR, Role.APPROVER, Role.VIEWER, Role.ADMIN)],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    handover = forms.ChoiceField(
        label="Cách trao mật khẩu",
        choices=[
            ("link", "Đường dẫn đăng nhập lần đầu (dùng một lần, 7 ngày)"),
            ("password", "Mật khẩu tạm (phải đổi khi đăng nhập)"),
        ],
        initial="link",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class UserBulkForm(StyledFormMixin, forms.Form):
    file = UploadField(kind="spreadsheet", label="Tệp danh sách (.xlsx)")
