from django import forms

from mattran.core.forms import StyledFormMixin
from mattran.funds.forms import AmountField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LookupForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Tên người ủng hộ hoặc nội dung", required=False, max_length=100)
    so_tien = AmountField(label="Số tiền (đồng)", required=False)
    tu_ngay = forms.DateField(label="Từ ngày", required=False, widget=DATE)
    den_ngay = forms.DateField(label="Đến ngày", required=False, widget=DATE)
    tham_chieu = forms.CharField(label="Số tham chiếu", required=False, max_length=100)
