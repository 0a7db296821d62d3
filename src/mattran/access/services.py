from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError
from mattran.core.vietnamese import nfc
from mattran.units.models import MemberOrganisation, StructureVersion, Unit

from .models import Account, Grant, Role
from .policy import Perm, forget_policy, policy_for
from .selectors import GrantCarryOver, grant_carry_over_plan


def _require_admin_of(actor, unit: Unit) -> None:
    """actor=None is the operator at the console (`mattran` commands)."""
    if actor is not None and not policy_for(actor).can(Perm.ADMINISTER, unit):
        raise UserFacingError(f"Bạn không có quyền quản trị đơn vị {unit.name}.")


@transaction.atomic
def grant_create(
    *,
    actor,
    user: AbstractBaseUser,
    unit: Unit,
    role: str,
    member_organisation: MemberOrganisation | None = None,
    note: str = "",
) -> Grant:
    """Give `user` the `role` on `unit` and its subtree."""
    _require_admin_of(actor, unit)
    if role not in Role.values:
        raise UserFacingError(f"Vai trò '{role}' không hợp lệ.")
    if role == Role.MEMBER_ORG_REPORTER:
        if member_organisation is None:
            raise UserFacingError("Vai trò báo cáo của tổ chức thành viên cần chọn tổ chức.")
        if not member_organisation.unit.path.startswith(unit.path):
            raise UserFacingError("Tổ chức thành viên phải thuộc đơn vị được phân quyền.")
    elif member_organisation is not None:
        raise UserFacingError("Chỉ vai trò báo cáo của tổ chức thành viên mới gắn với tổ chức.")
    existing = Grant.objects.filter(
        user=user, unit=unit, role=role, member_organisation=member_organisation
    ).first()
    if existing:
        return existing
    grant = Grant(user=user, unit=unit, role=role, member_organisation=member_organisation)
    grant.full_clean()
    grant.save()
    audit_record(
        actor=actor, action="grant.create", obj=grant, unit=unit, after=snapshot(grant), note=note
    )
    forget_policy(user)
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: Grant) -> None:
    _require_admin_of(actor, grant.unit)
    before = snapshot(grant)
    audit_record(actor=actor, action="grant.revoke", obj=grant, unit=grant.unit, before=before)
    grant.delete()
    forget_policy(grant.user)


@transaction.atomic
def grants_carry_over(
    *, actor, source: StructureVersion, target: StructureVersion
) -> tuple[list[Grant], list[GrantCarryOver]]:
    """Give every grant of `source` to the successor units in `target`
    (selectors.grant_carry_over_plan). The old grants stay: the old structure's
    records and reports still need their readers. Grants that cannot be carried
    (no successor; a member organisation missing in the new unit) are returned
    for an administrator to settle by hand. All or nothing; each new grant is
    audited with the grant it came from."""
    if source.pk == target.pk:
        raise UserFacingError("Phiên bản nguồn và phiên bản đích phải khác nhau.")
    plan = grant_carry_over_plan(source=source, target=target)
    created: list[Grant] = []
    for item in plan:
        if item.problem:
            continue
        for unit in item.new_units:
            if unit in item.existing:
                continue
            created.append(
                grant_create(
                    actor=actor,
                    user=item.grant.user,
                    unit=unit,
                    role=item.grant.role,
                    member_organisation=item.member_organisation,
                    note=f"Chuyển theo kế thừa từ quyền #{item.grant.pk} tại {item.grant.unit}",
                )
            )
    return created, [item for item in plan if item.problem]


# ------------------------------------------------------------------------ users
#
# An office administrator (the admin role on a unit) creates the people who work
# in its subtree: name, username, email or phone, roles on a unit in one step,
# and how the first password is handed over. Deactivating keeps the user row,
# their grants and everything they recorded (history); they can no longer sign in.

FIRST_LOGIN_DAYS = 7
HANDOVER_LINK, HANDOVER_PASSWORD = "link", "password"
USER_ROLES = [Role.ADMIN, Role.APPROVER, Role.EDITOR, Role.VIEWER]
_PHONE_RE = re.compile(r"^\+?\d{9,12}$")
_TEMP_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


@dataclass(frozen=True)
class NewUser:
    user: AbstractBaseUser
    handover: str  # HANDOVER_LINK or HANDOVER_PASSWORD
    secret: str  # the link token or the temporary password: shown once, never stored


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_CHARS) for _ in range(12))


def user_errors(
    *, full_name: str, username: str, email: str, phone: str, roles: list[str]
) -> dict[str, str]:
    """Field name -> Vietnamese message for what is wrong with a new user's details."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    errors: dict[str, str] = {}
    if not full_name:
        errors["full_name"] = "Chưa ghi họ và tên."
    if not username:
        errors["username"] = "Chưa ghi tên đăng nhập."
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = (
                f"Tên đăng nhập “{username}” chỉ gồm chữ, số và các dấu . @ + - _ (không dấu cách)."
            )
        else:
            if get_user_model().objects.filter(username__iexact=username).exists():
                errors["username"] = f"Tên đăng nhập “{username}” đã có người dùng."
    if not email and not phone:
        errors["email"] = "Cần ghi email hoặc số điện thoại để liên hệ."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = f"Email “{email}” không hợp lệ."
    if phone and not _PHONE_RE.match(phone):
        errors["phone"] = f"Số điện thoại “{phone}” không hợp lệ (9–12 chữ số)."
    if not roles:
        errors["roles"] = "Chọn ít nhất một vai trò."
    elif bad := [r for r in roles if r not in USER_ROLES]:
        errors["roles"] = f"Vai trò không hợp lệ: {', '.join(bad)}."
    return errors


def _clean_phone(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", phone or "")


@transaction.atomic
def user_create(
    *,
    actor,
    unit: Unit,
    full_name: str,
    username: str,
    email: str = "",
    phone: str = "",
    roles: list[str],
    handover: str = HANDOVER_LINK,
) -> NewUser:
    """Create a user with `roles` on `unit` (and its subtree) in one step.

    `handover`: a one-time first-login link (valid FIRST_LOGIN_DAYS days) or a
    temporary password; either way the user must set their own password first.
    """
    from django.contrib.auth import get_user_model

    _require_admin_of(actor, unit)
    full_name, username, email = nfc(full_name), (username or "").strip(), (email or "").strip()
    phone = _clean_phone(phone)
    roles = list(dict.fromkeys(roles))
    if errors := user_errors(
        full_name=full_name, username=username, email=email, phone=phone, roles=roles
    ):
        raise UserFacingError(" ".join(errors.values()))
    if handover not in (HANDOVER_LINK, HANDOVER_PASSWORD):
        raise UserFacingError(
            "Chọn cách trao mật khẩu: đường dẫn đăng nhập lần đầu hoặc mật khẩu tạm."
        )
    user = get_user_model()(username=username, first_name=full_name[:150], email=email)
    account = Account(unit=unit, phone=phone, must_change_password=True)
    if handover == HANDOVER_PASSWORD:
        secret = temporary_password()
        user.set_password(secret)
    else:
        secret = secrets.token_urlsafe(32)
        user.set_unusable_password()
        account.first_login_digest = _digest(secret)
        account.first_login_expires = timezone.now() + dt.timedelta(days=FIRST_LOGIN_DAYS)
    user.save()
    account.user = user
    account.created_by = actor if getattr(actor, "is_authenticated", False) else None
    account.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        unit=unit,
        after={
            "username": username,
            "full_name": full_name,
            "email": email,
            "phone": phone,
            "roles": roles,
            "handover": handover,
        },
    )
    for role in roles:
        grant_create(actor=actor, user=user, unit=unit, role=role)
    return NewUser(user=user, handover=handover, secret=secret)


def first_login_account(token: str) -> Account | None:
    """The account a first-login link opens (unused, not expired, user active)."""
    if not token:
        return None
    return (
        Account.objects.select_related("user")
        .filter(
            first_login_digest=_digest(token),
            first_login_expires__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


@transaction.atomic
def password_set_first(*, token: str, password: str) -> AbstractBaseUser:
    """Use a first-login link once: set the user's own password."""
    account = first_login_account(token)
    if account is None:
        raise UserFacingError(
            "Đường dẫn đăng nhập lần đầu không đúng, đã dùng hoặc đã hết hạn. "
            "Đề nghị quản trị đơn vị cấp lại."
        )
    user = account.user
    user.set_password(password)
    user.save(update_fields=["password"])
    account.first_login_digest = ""
    account.first_login_expires = None
    account.must_change_password = False
    account.save(
        update_fields=["first_login_digest", "first_login_expires", "must_change_password"]
    )
    audit_record(actor=user, action="user.first_login", obj=user, unit=account.unit)
    return user


@transaction.atomic
def password_changed(*, user) -> None:
    """The user has set their own password: no longer a temporary one."""
    Account.objects.filter(user=user, must_change_password=True).update(
        must_change_password=False, first_login_digest="", first_login_expires=None
    )


def _require_admin_of_user(actor, user) -> Unit:
    account = Account.objects.filter(user=user).select_related("unit").first()
    units = [account.unit] if account else [g.unit for g in user.grants.select_related("unit")]
    policy = policy_for(actor)
    if not units or not all(policy.can(Perm.ADMINISTER, u) for u in units):
        raise UserFacingError(f"Bạn không có quyền quản lý tài khoản {user.username}.")
    return units[0]


@transaction.atomic
def user_deactivate(*, actor, user, reason: str = "") -> None:
    """The user can no longer sign in; their grants, records and audit trail stay."""
    unit = _require_admin_of_user(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise UserFacingError("Không thể tự khóa tài khoản của mình.")
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="user.deactivate",
        obj=user,
        unit=unit,
        before={"is_active": True},
        after={"is_active": False},
        note=nfc(reason),
    )
    forget_policy(user)
