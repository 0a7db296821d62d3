"""What units record: activities of a catalogue of types, mediation cases, aggregate figures.

Every record belongs to the unit it happened in (of that unit's structure
version) and carries a copy of the unit's materialised path (`unit_path`).
Paths never change within a version, so the copy is safe, and it lets a
report roll up a subtree with one range condition on the record table itself,
without a join to units (see `mattran.reports.rollup`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from mattran.core.uploads import storage_name
from mattran.units.models import MemberOrganisation, PathField, Unit


class ActivityType(models.Model):
    """A kind of activity (tuyên truyền, tọa đàm, phản biện xã hội…), extensible by admins.

    The `uses_*` flags only decide which fields the entry form shows; whether a
    field is *required* is a validation rule (`reports.ValidationRule`), data too.
    """

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    description = models.TextField("mô tả", blank=True)
    uses_attendance = models.BooleanField("ghi số người tham dự", default=False)
    uses_subject = models.BooleanField("ghi đề án / nội dung", default=False)
    subject_label = models.CharField(
        "nhãn của trường đề án / nội dung",
        max_length=100,
        blank=True,
        help_text="Ví dụ: “Đề án, dự thảo được phản biện” hoặc “Nội dung giám sát”.",
    )
    uses_supervised_units = models.BooleanField("ghi đơn vị được giám sát", default=False)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại hoạt động"
        verbose_name_plural = "danh mục loại hoạt động"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: ActivityRecord, filename: str) -> str:
    """A generated name (core/uploads.py); the person's name is in `attachment_name`."""
    return storage_name(f"hoat-dong/{instance.unit_id}", filename)


class ActivityRecord(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="activity_records"
    )
    unit_path = PathField(max_length=255, editable=False)
    type = models.ForeignKey(
        ActivityType, verbose_name="loại hoạt động", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("ngày")
    title = models.CharField("tên hoạt động", max_length=300)
    notes = models.TextField("ghi chú", blank=True)
    attendance = models.PositiveIntegerField("số người tham dự", null=True, blank=True)
    subject = models.CharField(
        "đề án / nội dung",
        max_length=500,
        blank=True,
        help_text="Đề án, dự thảo được phản biện; nội dung của đoàn giám sát.",
    )
    supervised_units = models.ManyToManyField(
        Unit,
        verbose_name="đơn vị được giám sát",
        through="SupervisedUnit",
        related_name="supervisions_received",
        blank=True,
    )
    co_organisers = models.ManyToManyField(
        MemberOrganisation,
        verbose_name="tổ chức thành viên phối hợp",
        related_name="activities",
        blank=True,
    )
    member_organisation = models.ForeignKey(
        MemberOrganisation,
        verbose_name="do tổ chức thành viên báo cáo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_activities",
    )
    attachment = models.FileField("tệp đính kèm", upload_to=attachment_path, blank=True)
    # Nullable so that adding it is a plain ALTER TABLE ADD COLUMN on SQLite: a NOT NULL
    # column makes SQLite rebuild the table, which drops the figures layer's triggers.
    attachment_name = models.CharField("tên tệp gốc", max_length=255, blank=True, null=True)
    search_key = models.CharField(max_length=800, editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hoạt động"
        verbose_name_plural = "hoạt động"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["unit_path", "date"], name="activity_path_date"),
            models.Index(fields=["unit", "date"], name="activity_unit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.title}"


class SupervisedUnit(models.Model):
    """A unit a supervision delegation supervised, in the order the decision lists them."""

    record = models.ForeignKey(ActivityRecord, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "unit"], name="supervised_unit_unique")
        ]

    def __str__(self) -> str:
        return str(self.unit_id)


class MediationOutcome(models.TextChoices):
    PENDING = "pending", "Đang hòa giải"
    RESOLVED = "resolved", "Hòa giải thành"
    FAILED = "failed", "Hòa giải không thành"
    WITHDRAWN = "withdrawn", "Rút yêu cầu / chuyển cơ quan khác"


class MediationCase(models.Model):
    """One mediation case (vụ việc hòa giải) of a unit's mediation teams.

    Kept case by case, as the mediation book (sổ theo dõi hòa giải) is, so the
    period figures are computed, never typed: for a period, *received* is the
    cases received in it plus those still open at its start (carried over),
    *resolved* the cases closed as resolved in it, *open* those still open at
    its end. Resolved ≤ received then holds by construction; the rule is also
    checked on every report, where aggregate-entered figures may join.
    """

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="mediation_cases"
    )
    unit_path = PathField(max_length=255, editable=False)
    received_on = models.DateField("ngày tiếp nhận")
    title = models.CharField(
        "nội dung vụ việc",
        max_length=300,
        help_text=(
            "Mô tả ngắn (tranh chấp ranh giới, mâu thuẫn gia đình…); không ghi thông tin cá nhân."
        ),
    )
    outcome = models.CharField(
        "kết quả", max_length=12, choices=MediationOutcome.choices, default=MediationOutcome.PENDING
    )
    closed_on = models.DateField("ngày kết thúc", null=True, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "vụ việc hòa giải"
        verbose_name_plural = "vụ việc hòa giải"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "received_on"], name="mediation_path_date")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="pending") & Q(closed_on__isnull=True))
                | (~Q(outcome="pending") & Q(closed_on__isnull=False)),
                name="mediation_closed_iff_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="mediation_closed_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on:%d/%m/%Y} {self.title}"


class PeriodType(models.TextChoices):
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"
    YEAR = "year", "Năm"


class DataElement(models.Model):
    """A figure a unit keeps only as a total per period (like a DHIS2 data element)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    unit_label = models.CharField("đơn vị tính", max_length=40, blank=True)
    period_type = models.CharField(
        "kỳ nhập", max_length=10, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    description = models.TextField("hướng dẫn nhập", blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "chỉ tiêu nhập tổng hợp"
        verbose_name_plural = "chỉ tiêu nhập tổng hợp"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class AggregateEntry(models.Model):
    """The value of one data element for one unit and one period (month, quarter or year)."""

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="aggregate_entries"
    )
    unit_path = PathField(max_length=255, editable=False)
    element = models.ForeignKey(
        DataElement, verbose_name="chỉ tiêu", on_delete=models.PROTECT, related_name="entries"
    )
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    value = models.BigIntegerField("giá trị")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "số liệu tổng hợp"
        verbose_name_plural = "số liệu tổng hợp"
        ordering = ["-period_start", "element__order"]
        indexes = [models.Index(fields=["unit_path", "period_start"], name="aggregate_path_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "element", "period_start", "period_end"],
                name="aggregate_entry_unique",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="aggregate_value_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="aggregate_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element} {self.period_start:%m/%Y}: {self.value}"
