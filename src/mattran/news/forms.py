from django import forms

from mattran.core.forms import StyledFormMixin, UploadField

from .models import Category


class ArticleForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="Tiêu đề", max_length=300)
    category = forms.ModelChoiceField(
        label="Danh mục", queryset=Category.objects.all(), required=False
    )
    lead = forms.CharField(
        label="Tóm tắt (sapo)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    body = forms.CharField(
        label="Nội dung",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Mỗi đoạn cách nhau một dòng trống.",
    )
    author_line = forms.CharField(label="Đơn vị / tác giả", max_length=200, required=False)


class PhotoForm(StyledFormMixin, forms.Form):
    image = UploadField(kind="image", label="Ảnh (JPG, PNG, WEBP)")
    caption = forms.CharField(label="Chú thích", max_length=300, required=False)


class UnpublishForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Lý do gỡ bài", max_length=500)


class ReportDraftForm(StyledFormMixin, forms.Form):
    period = forms.CharField(
        label="Kỳ báo cáo", max_length=30, help_text="Ví dụ: 2023-9M, 2023-H1, 2023"
    )
    held_on = forms.DateField(
        label="Ngày hội nghị sơ kết / tổng kết",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    session = forms.ChoiceField(
        label="Buổi",
        required=False,
        choices=[("", "—"), ("morning", "Sáng"), ("afternoon", "Chiều"), ("evening", "Tối")],
    )
    chair_name = forms.CharField(label="Người chủ trì", max_length=120, required=False)
    chair_title = forms.CharField(label="Chức danh người chủ trì", max_length=200, required=False)
    category = forms.ModelChoiceField(
        label="Danh mục", queryset=Category.objects.all(), required=False
    )
