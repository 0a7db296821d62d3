from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mattran.core.audit import audit_record, snapshot
from mattran.core.errors import UserFacingError
from mattran.units.models import MemberOrganisation, StructureVersion, Unit

from .models import Grant, Role
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
