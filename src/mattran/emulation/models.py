"""Planning, emulation and commendation.

Planning: a committee's key tasks of a year (nhiệm vụ trọng tâm) and its
coordination programs with each member organisation (chương trình phối hợp).

Emulation: a pledge (giao ước thi đua) binds a peer group of units for a year
to criteria with points. A criterion is a target on a measure (see
`measures.py`), a yes/no requirement proven by evidence, or a rating given by
the level above. Each member unit scores itself (`ScoreSheet`,
`CriterionScore`), the organiser verifies, then locks and ranks.

Commendation: award types, proposals (from a ranking or entered), decisions
with their recipients (a unit, a member organisation or a person).

Conferences: the meeting at which programs and pledges are signed and awards
handed out.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .uploads import (
    decision_document_path,
    evidence_path,
    program_document_path,
    validate_document,
)

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def points_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=2, **kwargs)


# ============================================================================ planning


class KeyTask(models.Model):
    """One key task (nhiệm vụ trọng tâm) of a unit's committee for a year."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="key_tasks"
    )
    year = models.PositiveSmallIntegerField("năm", validators=YEAR_VALIDATORS)
    order = models.PositiveSmallIntegerField("thứ tự")
    text = models.TextField("nội dung")
    owner_person = models.ForeignKey(
        "units.Person",
        verbose_name="người phụ trách",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_tasks",
    )
    owner_member_organisation = models.ForeignKey(
        "units.MemberOrganisation",
        verbose_name="tổ chức thành viên phụ trách",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_tasks",
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "nhiệm vụ trọng tâm"
        verbose_name_plural = "nhiệm vụ trọng tâm"
        ordering = ["unit", "year", "order", "id"]
        indexes = [models.Index(fields=["unit", "year", "order"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_person__isnull=True) | Q(owner_member_organisation__isnull=True),
                name="key_task_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"

    @property
    def owner(self):
        return self.owner_person or self.owner_member_organisation


class KeyTaskMeasure(models.Model):
    """A measure that shows a key task's progress, with an optional target."""

    key_task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="measures")
    measure_key = models.CharField("chỉ số", max_length=200)
    target = models.BigIntegerField("chỉ tiêu", null=True, blank=True)

    class Meta:
        verbose_name = "chỉ số theo dõi nhiệm vụ"
        verbose_name_plural = "chỉ số theo dõi nhiệm vụ"
        constraints = [
            models.UniqueConstraint(fields=["key_task", "measure_key"], name="key_task_measure")
        ]

    def __str__(self) -> str:
        return self.measure_key


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SIGNED = "signed", "Đã ký kết"


class CoordinationProgram(models.Model):
    """A coordination program between a committee and one of its member organisations."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="ủy ban MTTQ",
        on_delete=models.PROTECT,
        related_name="coordination_programs",
    )
    member_organisation = models.ForeignKey(
        "units.MemberOrganisation",
        verbose_name="tổ chức thành viên",
        on_delete=models.PROTECT,
        related_name="coordination_programs",
    )
    year = models.PositiveSmallIntegerField("năm", validators=YEAR_VALIDATORS)
    title = models.CharField("tên chương trình", max_length=400)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    signed_on = models.DateField("ngày ký", null=True, blank=True)
    document = models.FileField(
        "văn bản đã ký",
        upload_to=program_document_path,
        validators=[validate_document],
        blank=True,
        max_length=200,
    )
    document_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    note = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "chương trình phối hợp"
        verbose_name_plural = "chương trình phối hợp"
        ordering = ["unit", "-year", "member_organisation__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "member_organisation", "year"], name="program_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False),
                name="program_signed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProgramItem(models.Model):
    program = models.ForeignKey(CoordinationProgram, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("thứ tự")
    content = models.TextField("nội dung phối hợp")
    key_task = models.ForeignKey(
        KeyTask,
        verbose_name="nhiệm vụ trọng tâm",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="program_items",
    )
    lead = models.CharField("chủ trì / phối hợp", max_length=300, blank=True)
    timeframe = models.CharField("thời gian", max_length=120, blank=True)

    class Meta:
        verbose_name = "nội dung phối hợp"
        verbose_name_plural = "nội dung phối hợp"
        ordering = ["program", "order", "id"]

    def __str__(self) -> str:
        return self.content[:80]


class SignatorySide(models.TextChoices):
    COMMITTEE = "committee", "Ủy ban MTTQ"
    MEMBER_ORG = "member_org", "Tổ chức thành viên"


class ProgramSignatory(models.Model):
    program = models.ForeignKey(
        CoordinationProgram, on_delete=models.CASCADE, related_name="signatories"
    )
    side = models.CharField("bên ký", max_length=12, choices=SignatorySide.choices)
    person = models.ForeignKey(
        "units.Person",
        verbose_name="cá nhân",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    full_name = models.CharField("họ và tên", max_length=120, blank=True)
    title = models.CharField("chức danh", max_length=200)

    class Meta:
        verbose_name = "người ký"
        verbose_name_plural = "người ký"
        ordering = ["program", "side", "id"]

    def __str__(self) -> str:
        return f"{self.full_name or '(chưa ghi tên)'} – {self.title}"


# =========================================================================== emulation


class EmulationCluster(models.Model):
    """A named peer group (cụm thi đua) set by an organiser unit."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị tổ chức", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("tên cụm", max_length=200)
    members = models.ManyToManyField("units.Unit", related_name="emulation_clusters")
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "cụm thi đua"
        verbose_name_plural = "cụm thi đua"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="cluster_unique")]

    def __str__(self) -> str:
        return self.name


class PledgeStatus(models.TextChoices):
    DRAFT = "draft", "Đang xây dựng"
    ACTIVE = "active", "Đang thực hiện"
    LOCKED = "locked", "Đã khóa kết quả"


class Pledge(models.Model):
    """An emulation pledge (giao ước thi đua) of a peer group for a year."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị tổ chức",
        on_delete=models.PROTECT,
        related_name="organised_pledges",
    )
    year = models.PositiveSmallIntegerField("năm", validators=YEAR_VALIDATORS)
    title = models.CharField("tên giao ước", max_length=400)
    cluster = models.ForeignKey(
        EmulationCluster,
        verbose_name="cụm thi đua",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
    )
    signed_on = models.DateField("ngày ký kết", null=True, blank=True)
    scale_points = points_field("thang điểm", default=Decimal(100))
    status = models.CharField(
        "trạng thái", max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.DRAFT
    )
    locked_at = models.DateTimeField("khóa lúc", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "giao ước thi đua"
        verbose_name_plural = "giao ước thi đua"
        ordering = ["-year", "unit", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == PledgeStatus.LOCKED


class PledgeMember(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="pledges"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "đơn vị tham gia giao ước"
        verbose_name_plural = "đơn vị tham gia giao ước"
        ordering = ["pledge", "order", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "unit"], name="pledge_member_unique")
        ]

    def __str__(self) -> str:
        return str(self.unit_id)


class CriterionKind(models.TextChoices):
    THRESHOLD = "threshold", "Chỉ tiêu tối thiểu (đạt từ mức giao trở lên)"
    QUOTA = "quota", "Chỉ tiêu giao riêng từng đơn vị (hoàn thành và vượt)"
    RANGE = "range", "Chỉ tiêu theo khoảng (từ … đến …)"
    REQUIREMENT = "requirement", "Yêu cầu có/không, kèm minh chứng"
    RATING = "rating", "Xếp loại do cấp trên đánh giá"


MEASURE_KINDS = {CriterionKind.THRESHOLD, CriterionKind.QUOTA, CriterionKind.RANGE}


class Criterion(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("ký hiệu", max_length=20)
    short_name = models.CharField("tên ngắn", max_length=120)
    text = models.TextField("nội dung tiêu chí")
    kind = models.CharField("loại tiêu chí", max_length=12, choices=CriterionKind.choices)
    measure_key = models.CharField("chỉ số đo", max_length=200, blank=True)
    target = models.BigIntegerField("chỉ tiêu (mức tối thiểu)", null=True, blank=True)
    target_max = models.BigIntegerField("mức tối đa của khoảng", null=True, blank=True)
    points = points_field("điểm chuẩn", validators=[MinValueValidator(Decimal(0))])
    bonus_points = points_field(
        "điểm thưởng tối đa",
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Cộng khi vượt chỉ tiêu.",
    )
    penalty_points = points_field(
        "điểm trừ tối đa",
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Trừ khi không thực hiện.",
    )
    partial_credit = models.BooleanField(
        "tính điểm theo tỷ lệ hoàn thành",
        default=False,
        help_text="Nếu chưa đạt chỉ tiêu: điểm = điểm chuẩn × kết quả / chỉ tiêu.",
    )
    points_good = points_field(
        "điểm khi hoàn thành tốt", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    points_done = points_field(
        "điểm khi hoàn thành", null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "tiêu chí thi đua"
        verbose_name_plural = "tiêu chí thi đua"
        ordering = ["pledge", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(target_max__isnull=True)
                | Q(target__isnull=True)
                | Q(target_max__gte=models.F("target")),
                name="criterion_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.short_name}"

    @property
    def uses_measure(self) -> bool:
        return self.kind in MEASURE_KINDS

    @property
    def max_points(self) -> Decimal:
        return self.points + self.bonus_points


class CriterionTarget(models.Model):
    """The target a criterion sets for one member unit (e.g. its fund quota)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    target = models.BigIntegerField("chỉ tiêu", validators=[MinValueValidator(0)])
    target_max = models.BigIntegerField("mức tối đa", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "chỉ tiêu giao đơn vị"
        verbose_name_plural = "chỉ tiêu giao đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="criterion_target_unique"),
            models.CheckConstraint(
                condition=Q(target_max__isnull=True) | Q(target_max__gte=models.F("target")),
                name="criterion_target_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}/{self.unit_id}: {self.target}"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "Hoàn thành xuất sắc nhiệm vụ"
    GOOD = "good", "Hoàn thành tốt nhiệm vụ"
    DONE = "done", "Hoàn thành nhiệm vụ"
    NOT_DONE = "not_done", "Không hoàn thành nhiệm vụ"


RATING_RANK = {Rating.EXCELLENT: 4, Rating.GOOD: 3, Rating.DONE: 2, Rating.NOT_DONE: 1}


class UnitRating(models.Model):
    """The rating of a unit's Front work for a year, given by the level above."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="ratings"
    )
    year = models.PositiveSmallIntegerField("năm", validators=YEAR_VALIDATORS)
    rating = models.CharField("xếp loại", max_length=12, choices=Rating.choices)
    note = models.CharField("nhận xét", max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "xếp loại đơn vị"
        verbose_name_plural = "xếp loại đơn vị"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unit_rating_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.get_rating_display()}"


class MeasureEntry(models.Model):
    """A figure entered by hand for a measure that no record or ledger yields (yet)."""

    measure_key = models.CharField("chỉ số", max_length=200)
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField("ngày")
    value = models.BigIntegerField("giá trị", validators=[MinValueValidator(0)])
    note = models.CharField("nội dung", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "số liệu nhập tay"
        verbose_name_plural = "số liệu nhập tay"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["measure_key", "on"])]

    def __str__(self) -> str:
        return f"{self.measure_key} {self.unit_id} {self.on}: {self.value}"


class Evidence(models.Model):
    """A file or note a member unit gives as proof for a criterion."""

    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="evidence")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(
        "tệp minh chứng",
        upload_to=evidence_path,
        validators=[validate_document],
        blank=True,
        max_length=200,
    )
    file_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    note = models.TextField("mô tả", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"
        ordering = ["criterion", "unit", "uploaded_at"]
        indexes = [models.Index(fields=["criterion", "unit"])]

    def __str__(self) -> str:
        return self.file_name or self.note[:60]


class SheetStatus(models.TextChoices):
    DRAFT = "draft", "Đơn vị đang tự chấm"
    SUBMITTED = "submitted", "Đã gửi, chờ thẩm định"
    VERIFIED = "verified", "Đã thẩm định"


class ScoreSheet(models.Model):
    """A member unit's scores under a pledge: self-assessed, then verified."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="sheets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="score_sheets")
    status = models.CharField(
        "trạng thái", max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    final_total = points_field("tổng điểm chính thức", null=True, blank=True)
    final_rank = models.PositiveSmallIntegerField("xếp hạng chính thức", null=True, blank=True)

    class Meta:
        verbose_name = "phiếu chấm điểm"
        verbose_name_plural = "phiếu chấm điểm"
        constraints = [models.UniqueConstraint(fields=["pledge", "unit"], name="sheet_unique")]

    def __str__(self) -> str:
        return f"{self.pledge_id}/{self.unit_id}"


class CriterionScore(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    self_points = points_field("điểm tự chấm", null=True, blank=True)
    self_note = models.TextField("giải trình của đơn vị", blank=True)
    self_value = models.CharField("kết quả khi tự chấm", max_length=200, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    self_at = models.DateTimeField(null=True, blank=True)
    verified_points = points_field("điểm thẩm định", null=True, blank=True)
    verify_reason = models.TextField("lý do điều chỉnh", blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique"),
            models.CheckConstraint(
                condition=Q(verified_points__isnull=True)
                | Q(self_points__isnull=True)
                | Q(verified_points=models.F("self_points"))
                | ~Q(verify_reason=""),
                name="score_change_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.criterion_id}"

    @property
    def final_points(self) -> Decimal | None:
        return self.verified_points if self.verified_points is not None else self.self_points

    @property
    def changed(self) -> bool:
        return self.verified_points is not None and self.verified_points != self.self_points


# ======================================================================= commendations


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", "Tập thể"
    INDIVIDUAL = "individual", "Cá nhân"
    BOTH = "both", "Tập thể và cá nhân"


class AwardType(models.Model):
    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên hình thức khen thưởng", max_length=200)
    recipient_kind = models.CharField(
        "đối tượng", max_length=12, choices=RecipientKind.choices, default=RecipientKind.BOTH
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    # Award types are data: which province's units may record them (its GSO code;
    # empty: every province) and the level of the body that issues them.
    province_code = models.CharField(
        "mã tỉnh/thành phố",
        max_length=10,
        blank=True,
        help_text="Để trống: dùng ở mọi tỉnh, thành phố (ví dụ hình thức của Trung ương).",
    )
    issuer_level = models.PositiveSmallIntegerField(
        "cấp ban hành",
        null=True,
        blank=True,
        choices=[(0, "Trung ương"), (1, "Cấp tỉnh"), (2, "Cấp huyện"), (3, "Cấp xã")],
    )

    class Meta:
        verbose_name = "hình thức khen thưởng"
        verbose_name_plural = "hình thức khen thưởng"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CommendationDecision(models.Model):
    """A commendation decision (quyết định khen thưởng) as recorded by a unit."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị lưu quyết định",
        on_delete=models.PROTECT,
        related_name="commendation_decisions",
    )
    award_type = models.ForeignKey(
        AwardType, verbose_name="hình thức", on_delete=models.PROTECT, related_name="decisions"
    )
    issuer = models.CharField("cơ quan ban hành", max_length=200)
    number = models.CharField("số quyết định", max_length=60, blank=True)
    signed_on = models.DateField("ngày ký", null=True, blank=True)
    achievement_year = models.PositiveSmallIntegerField(
        "thành tích năm", validators=YEAR_VALIDATORS
    )
    summary = models.CharField("trích yếu", max_length=400)
    document = models.FileField(
        "văn bản quyết định",
        upload_to=decision_document_path,
        validators=[validate_document],
        blank=True,
        max_length=200,
    )
    document_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    source_note = models.TextField(
        "nguồn / ghi chú",
        blank=True,
        help_text="Ghi nguồn khi số, ngày hoặc người nhận không có trong tài liệu gốc.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quyết định khen thưởng"
        verbose_name_plural = "quyết định khen thưởng"
        ordering = ["-achievement_year", "-signed_on", "-id"]

    def __str__(self) -> str:
        number = self.number or "(chưa ghi số)"
        return f"Quyết định {number} – {self.award_type}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Đề nghị"
    DECIDED = "decided", "Đã có quyết định"
    REJECTED = "rejected", "Không được chấp thuận"


class RecipientMixin(models.Model):
    """Exactly one of: a unit (collective), a member organisation (collective), a person."""

    recipient_unit = models.ForeignKey(
        "units.Unit",
        verbose_name="tập thể (đơn vị)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_member_organisation = models.ForeignKey(
        "units.MemberOrganisation",
        verbose_name="tập thể (tổ chức thành viên)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_person = models.ForeignKey(
        "units.Person",
        verbose_name="cá nhân",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_title = models.CharField("chức danh / đơn vị công tác", max_length=300, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def one_recipient_q() -> Q:
        unit = Q(recipient_unit__isnull=False)
        org = Q(recipient_member_organisation__isnull=False)
        person = Q(recipient_person__isnull=False)
        return (unit & ~org & ~person) | (~unit & org & ~person) | (~unit & ~org & person)

    @property
    def recipient(self):
        return self.recipient_unit or self.recipient_member_organisation or self.recipient_person

    @property
    def is_collective(self) -> bool:
        return self.recipient_person_id is None

    @property
    def recipient_label(self) -> str:
        if self.recipient_unit_id:
            from .wording import committee_name

            return committee_name(self.recipient_unit)
        if self.recipient_member_organisation_id:
            return self.recipient_member_organisation.name
        title = f", {self.recipient_title}" if self.recipient_title else ""
        return f"{self.recipient_person.full_name}{title}"


class CommendationProposal(RecipientMixin):
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị đề nghị",
        on_delete=models.PROTECT,
        related_name="commendation_proposals",
    )
    year = models.PositiveSmallIntegerField("thành tích năm", validators=YEAR_VALIDATORS)
    award_type = models.ForeignKey(
        AwardType, verbose_name="hình thức", on_delete=models.PROTECT, related_name="+"
    )
    achievement = models.TextField("thành tích")
    pledge = models.ForeignKey(
        Pledge,
        verbose_name="theo kết quả giao ước",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    rank = models.PositiveSmallIntegerField("xếp hạng", null=True, blank=True)
    total_points = points_field("tổng điểm", null=True, blank=True)
    status = models.CharField(
        "trạng thái",
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
    )
    decision = models.ForeignKey(
        CommendationDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đề nghị khen thưởng"
        verbose_name_plural = "đề nghị khen thưởng"
        ordering = ["-year", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=RecipientMixin.one_recipient_q(), name="proposal_one_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"Đề nghị {self.award_type} – {self.recipient_label}"


class Commendation(RecipientMixin):
    """One recipient of a decision."""

    decision = models.ForeignKey(
        CommendationDecision, on_delete=models.PROTECT, related_name="commendations"
    )
    achievement = models.TextField("thành tích", blank=True)
    proposal = models.OneToOneField(
        CommendationProposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commendation",
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "người / tập thể được khen"
        verbose_name_plural = "người / tập thể được khen"
        ordering = ["decision", "id"]
        constraints = [
            models.CheckConstraint(
                condition=RecipientMixin.one_recipient_q(), name="commendation_one_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision.award_type} – {self.recipient_label}"


# ========================================================================= conferences


class ConferenceKind(models.TextChoices):
    LAUNCH = "launch", "Hội nghị phát động thi đua, ký kết"
    REVIEW = "review", "Hội nghị sơ kết"
    ANNUAL = "annual", "Hội nghị tổng kết"
    CONGRESS = "congress", "Đại hội đại biểu Mặt trận Tổ quốc"
    OTHER = "other", "Hội nghị khác"


class Session(models.TextChoices):
    MORNING = "morning", "Sáng"
    NOON = "noon", "Trưa"
    AFTERNOON = "afternoon", "Chiều"
    EVENING = "evening", "Tối"


class Conference(models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị tổ chức",
        on_delete=models.PROTECT,
        related_name="conferences",
    )
    kind = models.CharField("loại hội nghị", max_length=10, choices=ConferenceKind.choices)
    title = models.CharField("tên hội nghị", max_length=500)
    held_on = models.DateField("ngày")
    starts_at = models.TimeField("giờ bắt đầu", null=True, blank=True)
    session = models.CharField(
        "buổi",
        max_length=10,
        choices=Session.choices,
        blank=True,
        help_text="Khi chỉ biết buổi (tin viết “Sáng 13/01/2023”), không biết giờ.",
    )
    place = models.CharField("địa điểm", max_length=300, blank=True)
    chair = models.ForeignKey(
        "units.Person",
        verbose_name="chủ trì",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_conferences",
    )
    chair_title = models.CharField("chức danh người chủ trì", max_length=300, blank=True)
    summary = models.TextField("nội dung chính", blank=True)
    key_task_year = models.PositiveSmallIntegerField(
        "phát động nhiệm vụ trọng tâm năm", null=True, blank=True
    )
    pledges = models.ManyToManyField(
        Pledge, verbose_name="giao ước ký kết", blank=True, related_name="conferences"
    )
    programs = models.ManyToManyField(
        CoordinationProgram,
        verbose_name="chương trình phối hợp ký kết",
        blank=True,
        related_name="conferences",
    )
    decisions = models.ManyToManyField(
        CommendationDecision,
        verbose_name="khen thưởng được trao",
        blank=True,
        related_name="conferences",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hội nghị"
        verbose_name_plural = "hội nghị"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ConferenceAttendee(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendees")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    person = models.ForeignKey(
        "units.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    full_name = models.CharField("họ và tên", max_length=120, blank=True)
    title = models.CharField("chức danh / thành phần", max_length=300)
    headcount = models.PositiveSmallIntegerField(
        "số người",
        default=1,
        null=True,
        blank=True,
        help_text="Lớn hơn 1 cho một nhóm không ghi tên từng người; để trống nếu không rõ.",
    )
    is_guest = models.BooleanField("khách mời", default=False)

    class Meta:
        verbose_name = "đại biểu"
        verbose_name_plural = "đại biểu"
        ordering = ["conference", "order", "id"]

    def __str__(self) -> str:
        return f"{self.full_name or self.title}"


class AgendaItem(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField("thứ tự")
    content = models.TextField("nội dung")
    speaker = models.CharField("người trình bày", max_length=300, blank=True)

    class Meta:
        verbose_name = "nội dung chương trình hội nghị"
        verbose_name_plural = "chương trình hội nghị"
        ordering = ["conference", "order", "id"]

    def __str__(self) -> str:
        return self.content[:80]
