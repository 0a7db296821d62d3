"""The hierarchy: structure versions, units, lineage, member organisations, terms, people.

A structure version is one dated administrative map. Within a version the tree
is fixed, so each unit stores a materialised path ("/12/57/901/") assigned at
creation and never moved; a subtree is one indexed range query on `path`
(see `Unit.subtree_q`). Between versions, `Lineage` rows say which old units
became which new ones. The tree is small and immutable within a version, so a
tree library's move/re-balance machinery (django-treebeard, django-mptt) would
add weight without use.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from mattran.core.vietnamese import fold


class PathField(models.CharField):
    """A materialised path compared byte by byte.

    Subtree queries are range comparisons, so the column must sort in code
    point order: PostgreSQL's default (linguistic) collations ignore "/",
    hence collation "C" there; SQLite's default BINARY already does this.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class StructureVersion(models.Model):
    code = models.CharField("mã", max_length=20, unique=True)
    name = models.CharField("tên", max_length=200)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300, blank=True)

    class Meta:
        verbose_name = "phiên bản địa giới"
        verbose_name_plural = "phiên bản địa giới"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class Level(models.IntegerChoices):
    PROVINCE = 1, "Cấp tỉnh"
    DISTRICT = 2, "Cấp huyện"
    COMMUNE = 3, "Cấp xã"
    RESIDENTIAL_AREA = 4, "Khu dân cư"


class Unit(models.Model):
    version = models.ForeignKey(
        StructureVersion, verbose_name="phiên bản", on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField("cấp", choices=Level.choices)
    kind = models.CharField("loại", max_length=40, help_text="Quận, Phường, Xã, Tổ dân phố…")
    name = models.CharField("tên", max_length=200)
    code = models.CharField(
        "mã đơn vị hành chính",
        max_length=20,
        blank=True,
        help_text="Mã theo danh mục của Tổng cục Thống kê; chỉ có nghĩa trong phiên bản của nó.",
    )
    path = PathField("đường dẫn trong cây", max_length=255, editable=False)
    search_key = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                condition=~Q(code=""),
                name="unit_code_unique_in_version",
            ),
            models.UniqueConstraint(fields=["path"], name="unit_path_unique"),
        ]
        indexes = [models.Index(fields=["version", "level"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p.isdigit()]

    @staticmethod
    def subtree_q(path: str, prefix: str = "") -> Q:
        """Q for the unit with this path and all its descendants, as one index range.

        Paths end with "/", and "/" sorts just before "0", so every descendant
        path lies in [path, path[:-1] + "0").
        """
        return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": path[:-1] + "0"})

    def is_ancestor_of(self, other: Unit) -> bool:
        return other.path.startswith(self.path)


class LineageKind(models.TextChoices):
    WHOLE = "whole", "Toàn bộ"
    PART = "part", "Một phần"


class Lineage(models.Model):
    """An old unit (wholly or partly) became a new unit in a later version."""

    from_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị cũ", on_delete=models.PROTECT, related_name="successor_links"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị mới", on_delete=models.PROTECT, related_name="predecessor_links"
    )
    kind = models.CharField("hình thức", max_length=10, choices=LineageKind.choices)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["from_unit", "to_unit"], name="lineage_unique_pair"),
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")), name="lineage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit} ({self.get_kind_display()})"


class Term(models.Model):
    """A committee term (nhiệm kỳ), e.g. 2019–2024."""

    name = models.CharField("tên", max_length=50, unique=True)
    start_year = models.PositiveSmallIntegerField("năm bắt đầu")
    end_year = models.PositiveSmallIntegerField("năm kết thúc")

    class Meta:
        verbose_name = "nhiệm kỳ"
        verbose_name_plural = "nhiệm kỳ"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gt=models.F("start_year")), name="term_years_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"Nhiệm kỳ {self.name}"


class Person(models.Model):
    full_name = models.CharField("họ và tên", max_length=120)
    search_key = models.CharField(max_length=120, editable=False, db_index=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "cá nhân"
        verbose_name_plural = "cá nhân"
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_key = fold(self.full_name)
        super().save(*args, **kwargs)


class MemberOrganisation(models.Model):
    """A member organisation (tổ chức thành viên) of a unit's Front committee."""

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="member_organisations"
    )
    name = models.CharField("tên", max_length=200)
    short_name = models.CharField("tên viết tắt", max_length=40, blank=True)
    head = models.ForeignKey(
        Person,
        verbose_name="người đứng đầu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_organisations",
    )
    head_title = models.CharField("chức danh người đứng đầu", max_length=120, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "tổ chức thành viên"
        verbose_name_plural = "tổ chức thành viên"
        ordering = ["unit", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="member_org_unique_in_unit")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CHAIR = "chair", "Chủ tịch"
    VICE_CHAIR = "vice_chair", "Phó Chủ tịch"
    STANDING = "standing", "Ủy viên Ban Thường trực"
    MEMBER = "member", "Ủy viên"
    BOARD_HEAD = "board_head", "Trưởng ban công tác Mặt trận"
    BOARD_DEPUTY = "board_deputy", "Phó Trưởng ban công tác Mặt trận"
    BOARD_MEMBER = "board_member", "Thành viên Ban công tác Mặt trận"


ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}


class Position(models.Model):
    """A person holding a position in a unit's committee for a term."""

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="positions"
    )
    term = models.ForeignKey(
        Term, verbose_name="nhiệm kỳ", on_delete=models.PROTECT, related_name="positions"
    )
    person = models.ForeignKey(
        Person, verbose_name="cá nhân", on_delete=models.PROTECT, related_name="positions"
    )
    role = models.CharField("chức vụ", max_length=20, choices=Role.choices)
    title = models.CharField(
        "chức danh khác", max_length=200, blank=True, help_text="Ví dụ: UVTV Quận ủy"
    )
    started_on = models.DateField("từ ngày", null=True, blank=True)
    ended_on = models.DateField("đến ngày", null=True, blank=True)

    class Meta:
        verbose_name = "chức vụ"
        verbose_name_plural = "chức vụ trong ủy ban"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "term", "person", "role"], name="position_unique"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="position_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} ({self.unit})"
