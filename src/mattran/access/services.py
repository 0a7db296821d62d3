from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError
from mattran.units.models import MemberOrganisation, Unit

from .models import Grant, Role
from .policy import Perm, forget_policy, policy_for


def _require_admin_of(actor, unit: Unit) -> None:
    if not policy_for(actor).can(Perm.ADMINISTER, unit):
        raise UserFacingError(f"Bạn không có quyền quản trị đơn vị {unit.name}.")


@transaction.atomic
def grant_create(
    *,
    actor,
    user: AbstractBaseUser,
    unit: Unit,
    role: str,
    member_organisation: MemberOrganisation | None = None,
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
    audit_record(actor=actor, action="grant.create", obj=grant, unit=unit, after=snapshot(grant))
    forget_policy(user)
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: Grant) -> None:
    _require_admin_of(actor, grant.unit)
    before = snapshot(grant)
    audit_record(actor=actor, action="grant.revoke", obj=grant, unit=grant.unit, before=before)
    grant.delete()
    forget_policy(grant.user)
