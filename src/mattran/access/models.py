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


class Account(models.Model):
    """What an office administrator records about a user they created: the unit that
    manages the account, a phone number, and the first-login state.

    A new user gets either a one-time first-login link (only its SHA-256 is stored)
    or a temporary password; in both cases `must_change_password` holds until the
    user sets their own (access.middleware sends them to do so first).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="account",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị quản lý tài khoản",
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    must_change_password = models.BooleanField("phải đổi mật khẩu", default=True)
    first_login_digest = models.CharField(max_length=64, blank=True, db_index=True)
    first_login_expires = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return str(self.user)
