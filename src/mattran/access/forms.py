from django import forms
from django.contrib.auth import get_user_model

from mattran.core.forms import StyledFormMixin

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
