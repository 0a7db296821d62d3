from __future__ import annotations

from django import forms

from mattran.core.forms import IntegerInputField, UploadField
from mattran.core.vietnamese import MAX_AMOUNT

from . import keys


class UploadForm(forms.Form):
    file = UploadField(
        kind="old_report", label="Tệp báo cáo (.docx, .doc, .pdf, .txt)", required=False
    )
    text = forms.CharField(
        label="Hoặc dán nội dung báo cáo",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=500_000,
    )
    unit = forms.CharField(
        label="Đơn vị (tên hoặc mã; để trống nếu là báo cáo của nơi khác)",
        required=False,
        max_length=200,
    )
    period = forms.CharField(
        label="Kỳ báo cáo (ví dụ: năm 2023, 6 tháng 2023, 9 tháng 2023)",
        required=False,
        max_length=40,
    )

    def clean(self):
        data = super().clean()
        has_file, has_text = bool(data.get("file")), bool((data.get("text") or "").strip())
        if has_file == has_text:
            raise forms.ValidationError("Hãy chọn một tệp hoặc dán nội dung (một trong hai).")
        if bool((data.get("unit") or "").strip()) != bool((data.get("period") or "").strip()):
            raise forms.ValidationError(
                "Muốn so sánh và ghi lịch sử thì cần cả đơn vị và kỳ; hoặc bỏ trống cả hai."
            )
        return data


def key_choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, (name, _label) in keys.all_keys().items()]


class ConfirmRow(forms.Form):
    key = forms.ChoiceField(label="Chỉ tiêu", choices=())
    value = IntegerInputField(label="Giá trị", max_value=MAX_AMOUNT)
    decision = forms.ChoiceField(
        label="Quyết định",
        choices=[("accept", "Chấp nhận"), ("reject", "Bỏ")],
        widget=forms.RadioSelect,
        initial="accept",
    )
    sentence = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = key_choices()


ConfirmFormSet = forms.formset_factory(ConfirmRow, extra=0, max_num=200, validate_max=True)
