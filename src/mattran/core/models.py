from django.conf import settings
from django.db import models


class CurrentTransactionId(models.Func):
    """The writing transaction's id on PostgreSQL (`pg_current_xact_id()`: 64 bits,
    never wraps around; the top-level transaction's id inside a savepoint); NULL on
    other databases. Used as a column default: see `AuditEvent.xact`."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


class AuditEvent(models.Model):
    """One change made through a service: who, when, which unit, what, before and after."""

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField("hành động", max_length=80, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=80, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    object_repr = models.CharField("đối tượng", max_length=300, blank=True)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)
    # PostgreSQL: the id of the transaction that wrote the event (and the change it
    # records), set by the database; which events a moment's snapshot did not see
    # (`core.audit.audit_since`). NULL on SQLite, where ids follow commit order.
    xact = models.BigIntegerField(
        "giao dịch ghi", null=True, blank=True, editable=False, db_default=CurrentTransactionId()
    )

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(
                fields=["xact"], name="core_audit_xact", condition=models.Q(xact__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field that differs."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Lỗi"


class Job(models.Model):
    """A long-running piece of work (import, export, report rendering) and its progress.

    Run through django-tasks by `mattran.core.jobs`; the page polls it. While it
    runs, live progress lives in the cache (see jobs.py: the work itself may hold
    a long write transaction); the row gets the final figures.
    """

    kind = models.CharField("loại việc", max_length=60, db_index=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField("tham số", default=dict, blank=True)
    done = models.PositiveBigIntegerField("đã xử lý", default=0)
    total = models.PositiveBigIntegerField("tổng", null=True, blank=True)
    message = models.CharField("thông báo", max_length=500, blank=True)
    result = models.JSONField("kết quả", null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        "số lần chạy", default=0, help_text="Tăng mỗi lần một tiến trình nền bắt đầu chạy."
    )
    finished_at = models.DateTimeField("kết thúc", null=True, blank=True)

    class Meta:
        verbose_name = "công việc nền"
        verbose_name_plural = "công việc nền"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class FormToken(models.Model):
    """A one-time token of a money form, stored when the form's write commits.

    The page carries a fresh token in a hidden field; the service that books
    the money inserts it here in its own transaction. A second submission of
    the same page (double click, back and resend, two tabs) hits the unique
    token and books nothing; it is shown the first one's result instead.
    """

    token = models.CharField("mã biểu mẫu", max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    action = models.CharField("hành động", max_length=80)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    used_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "mã biểu mẫu dùng một lần"
        verbose_name_plural = "mã biểu mẫu dùng một lần"

    def __str__(self) -> str:
        return f"{self.action} {self.token[:8]}…"
