"""Indicators, report templates and validation rules (all data), and period submissions.

An indicator is a named figure of a report: a code the sentences use, a
Vietnamese name and unit, and a figure key of the figures layer
(`mattran.figures`), e.g. ``activities.count(types=tuyen_truyen)`` or
``funds.spent(fund=poor,measure=quantity,purpose=gifts)``. The key is checked
against the registry where it is entered; the figures layer computes it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from mattran.activities.models import ActivityType
from mattran.figures.fields import FigureKeyField
from mattran.units.models import Level, Unit


class ValueFormat(models.TextChoices):
    NUMBER = "number", "Số"
    PERCENT = "percent", "Tỷ lệ %"
    MONEY = "money", "Tiền (đồng)"


class Indicator(models.Model):
    code = models.SlugField("mã", max_length=60, unique=True)
    name = models.CharField("tên", max_length=200)
    short_name = models.CharField("tên ngắn (tiêu đề cột)", max_length=60, blank=True)
    unit_label = models.CharField("đơn vị tính", max_length=40, blank=True)
    figure_key = FigureKeyField(
        "mã số liệu",
        help_text=(
            "Số liệu của lớp số liệu, ví dụ activities.count(types=tuyen_truyen), "
            "mediation.rate, funds.spent(fund=poor,purpose=gifts,measure=quantity)."
        ),
    )
    value_format = models.CharField(
        "định dạng", max_length=10, choices=ValueFormat.choices, default=ValueFormat.NUMBER
    )
    description = models.TextField("mô tả", blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "chỉ tiêu báo cáo"
        verbose_name_plural = "chỉ tiêu báo cáo"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class ReportTemplate(models.Model):
    """A report layout: ordered sections of indicators and Vietnamese sentence templates."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    title_template = models.CharField(
        "tiêu đề",
        max_length=300,
        help_text="Ví dụ: “{review} công tác Mặt trận {period}”; {review} là Sơ kết/Tổng kết.",
    )
    number_suffix = models.CharField("ký hiệu văn bản", max_length=60, default="BC-MTTQ-BTT")
    signer_title = models.CharField(
        "chức danh ký", max_length=200, default="TM. BAN THƯỜNG TRỰC\nCHỦ TỊCH"
    )
    recipients = models.TextField(
        "nơi nhận", blank=True, help_text="Mỗi dòng một nơi nhận; {parent} là ủy ban cấp trên."
    )
    due_days = models.SmallIntegerField(
        "hạn nộp (số ngày sau cuối kỳ)",
        default=5,
        help_text="Đơn vị chưa nộp sau hạn này được coi là nộp muộn.",
    )
    chart_indicators = models.ManyToManyField(
        Indicator, verbose_name="chỉ tiêu trên biểu đồ", blank=True, related_name="+"
    )
    is_default = models.BooleanField("mẫu mặc định", default=False)

    class Meta:
        verbose_name = "mẫu báo cáo"
        verbose_name_plural = "mẫu báo cáo"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_template"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportSection(models.Model):
    template = models.ForeignKey(
        ReportTemplate,
        verbose_name="mẫu báo cáo",
        on_delete=models.CASCADE,
        related_name="sections",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    heading = models.CharField("tiêu đề mục", max_length=200)

    class Meta:
        verbose_name = "mục báo cáo"
        verbose_name_plural = "mục báo cáo"
        ordering = ["template", "order"]

    def __str__(self) -> str:
        return self.heading


class ReportItem(models.Model):
    """One line of a section: a figure for the table, a sentence for the narrative, or both.

    Sentence syntax: ``{code}`` the figure of the report's unit; ``{code.self}``
    at the unit's own office; ``{code.children}`` at its child units;
    ``{code.subjects}`` the proposals/subjects of the unit's own records;
    ``{code.units}`` the units supervised; ``{code:02}`` zero-padded to two
    digits; ``{unit.kind}``, ``{child.kind_lower}``, ``{period}``, ``{year}``.
    Text in ``[[ … ]]`` is left out when a figure in it is zero or empty; a
    sentence whose figures are all zero or empty is left out.
    """

    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="chỉ tiêu trong bảng số liệu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sentence = models.TextField("câu trong báo cáo", blank=True)
    level = models.PositiveSmallIntegerField(
        "chỉ dùng cho cấp",
        choices=Level.choices,
        null=True,
        blank=True,
        help_text=(
            "Để trống: mọi cấp. Một dòng cho một cấp thay dòng chung cùng thứ tự trong báo cáo "
            "của cấp đó (cách nói của phường, xã khác của quận, huyện)."
        ),
    )

    class Meta:
        verbose_name = "dòng báo cáo"
        verbose_name_plural = "dòng báo cáo"
        ordering = ["section", "order"]

    def __str__(self) -> str:
        return self.sentence[:60] or str(self.indicator_id)


class RuleKind(models.TextChoices):
    COMPARE = "compare", "So sánh hai chỉ tiêu"
    REQUIRED_FIELD = "required_field", "Bắt buộc ghi trường của hoạt động"
    NON_NEGATIVE = "non_negative", "Số liệu nhập không được âm"


class Operator(models.TextChoices):
    LE = "le", "≤"
    LT = "lt", "<"
    EQ = "eq", "="
    GE = "ge", "≥"
    GT = "gt", ">"


class Severity(models.TextChoices):
    ERROR = "error", "Lỗi (không cho nộp)"
    WARNING = "warning", "Cảnh báo"


class ValidationRule(models.Model):
    """A check run when data is entered and again on every report (per unit row)."""

    code = models.SlugField("mã", max_length=60, unique=True)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=20, choices=RuleKind.choices)
    severity = models.CharField(
        "mức độ", max_length=10, choices=Severity.choices, default=Severity.ERROR
    )
    left = models.ForeignKey(
        Indicator,
        verbose_name="chỉ tiêu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    operator = models.CharField("phép so sánh", max_length=2, choices=Operator.choices, blank=True)
    right = models.ForeignKey(
        Indicator,
        verbose_name="so với chỉ tiêu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    right_constant = models.BigIntegerField("hoặc so với số", null=True, blank=True)
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name="loại hoạt động",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    field = models.CharField(
        "trường bắt buộc",
        max_length=20,
        blank=True,
        choices=[
            ("attendance", "Số người tham dự"),
            ("subject", "Đề án / nội dung"),
            ("supervised_units", "Đơn vị được giám sát"),
        ],
    )
    message = models.CharField(
        "thông báo",
        max_length=300,
        help_text="Có thể dùng {unit}, {left}, {right}, {left_value}, {right_value}, {type}.",
    )
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "quy tắc kiểm tra"
        verbose_name_plural = "quy tắc kiểm tra"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == RuleKind.COMPARE:
            if not self.left_id or not self.operator:
                raise ValidationError("Quy tắc so sánh cần chỉ tiêu và phép so sánh.")
            if (self.right_id is None) == (self.right_constant is None):
                raise ValidationError("Chọn đúng một trong: chỉ tiêu so sánh hoặc số so sánh.")
        if self.kind == RuleKind.REQUIRED_FIELD and not (self.activity_type_id and self.field):
            raise ValidationError("Quy tắc bắt buộc cần loại hoạt động và trường.")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Đã nộp, chờ duyệt"
    RETURNED = "returned", "Trả lại để sửa"
    APPROVED = "approved", "Đã duyệt (khóa số liệu)"
    REOPENED = "reopened", "Mở khóa để sửa"


class Submission(models.Model):
    """A unit's report for one period: submitted, returned, approved (locked), reopened."""

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="submissions"
    )
    period_code = models.CharField("kỳ báo cáo", max_length=30)
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    status = models.CharField("trạng thái", max_length=12, choices=SubmissionStatus.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("xử lý lúc", null=True, blank=True)
    comment = models.TextField("ý kiến / lý do", blank=True)
    figures = models.JSONField("số liệu khi nộp", default=dict, blank=True)

    class Meta:
        verbose_name = "báo cáo nộp"
        verbose_name_plural = "báo cáo nộp"
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_start", "period_end"], name="submission_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="submission_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period_code} – {self.get_status_display()}"

    @property
    def locked(self) -> bool:
        return self.status == SubmissionStatus.APPROVED
