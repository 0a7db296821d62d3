from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị"
    APPROVER = "approver", "Phê duyệt"
    EDITOR = "editor", "Cập nhật"
    VIEWER = "viewer", "Xem"
    MEMBER_ORG_REPORTER = "mo_reporter", "Báo cáo của tổ chức thành viên"


class Grant(models.Model):
    """A role on one unit and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="grants",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="grants"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    member_organisation = models.ForeignKey(
        "units.MemberOrganisation",
        verbose_name="tổ chức thành viên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        help_text="Chỉ dùng cho vai trò báo cáo của tổ chức thành viên.",
    )
    granted_at = models.DateTimeField("cấp lúc", auto_now_add=True)

    class Meta:
        verbose_name = "quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(member_organisation__isnull=True),
                name="grant_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role", "member_organisation"],
                condition=Q(member_organisation__isnull=False),
                name="grant_unique_member_org",
            ),
            models.CheckConstraint(
                condition=Q(role="mo_reporter", member_organisation__isnull=False)
                | (~Q(role="mo_reporter") & Q(member_organisation__isnull=True)),
                name="grant_member_org_only_for_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
