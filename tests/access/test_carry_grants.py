"""Carrying grants over a reorganisation (lineage from one structure version to the next)."""

from io import StringIO

import pytest
from django.core.management import call_command

from mattran.access.models import Grant, Role
from mattran.access.policy import Perm, policy_for
from mattran.access.selectors import grant_carry_over_plan
from mattran.access.services import grants_carry_over
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from mattran.units.models import Lineage, MemberOrganisation, Unit
from tests.factories import UserFactory, VersionFactory, grant, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reorg():
    """2023: city > D1 (W1 with area A1, W2), D2 (W3, W4).
    2025: city > N1 (W1 whole + part of W2), N2 (rest of W2 + W3), N3 (W4)."""
    old, new = VersionFactory(code="2023"), VersionFactory(code="2025-07")
    city = make_unit("Thành phố Thử", version=old, code="91")
    d1 = make_unit("Quận Một", city, code="911")
    d2 = make_unit("Quận Hai", city, code="912")
    w1, w2 = make_unit("Phường W1", d1), make_unit("Phường W2", d1)
    w3, w4 = make_unit("Phường W3", d2), make_unit("Phường W4", d2)
    a1 = make_unit("Tổ dân phố 1", w1)
    city2 = make_unit("Thành phố Thử", version=new, code="91")
    n1, n2, n3 = (make_unit(f"Phường N{i}", city2) for i in (1, 2, 3))
    for src, dst, kind in [
        (w1, n1, "whole"),
        (w2, n1, "part"),
        (w2, n2, "part"),
        (w3, n2, "whole"),
        (w4, n3, "whole"),
    ]:
        Lineage.objects.create(from_unit=src, to_unit=dst, kind=kind)
    names = ["old", "new", "city", "d1", "d2", "w1", "w2", "w3", "w4", "a1"]
    found = dict(zip(names, [old, new, city, d1, d2, w1, w2, w3, w4, a1], strict=True))
    return found | {"city2": city2, "n1": n1, "n2": n2, "n3": n3}


def _plan(r):
    return {
        (i.grant.user.username, i.grant.unit.name): i
        for i in grant_carry_over_plan(source=r["old"], target=r["new"])
    }


def test_plan_follows_lineage_down_and_lifts_to_whole_parents(reorg):
    r = reorg
    grant(UserFactory(username="bientap"), r["w1"], Role.EDITOR)
    grant(UserFactory(username="pheduyet"), r["d1"], Role.APPROVER)
    grant(UserFactory(username="quantri"), r["city"], Role.ADMIN)
    grant(UserFactory(username="to1"), r["a1"], Role.EDITOR)
    plan = _plan(r)

    ward = plan[("bientap", "Phường W1")]
    assert ward.new_units == (r["n1"],) and not ward.problem
    assert ward.widened == (r["w2"],)  # N1 also took in part of W2

    district = plan[("pheduyet", "Quận Một")]  # abolished: goes to the wards its wards became
    assert set(district.new_units) == {r["n1"], r["n2"]}
    assert district.widened == (r["w3"],)  # N2 also took in W3 of Quận Hai

    city = plan[("quantri", "Thành phố Thử")]  # every new ward came from it: the new city
    assert city.new_units == (r["city2"],) and city.widened == ()

    area = plan[("to1", "Tổ dân phố 1")]
    assert area.new_units == () and "Không có đơn vị kế thừa" in area.problem


def test_member_organisation_reporters_go_to_the_same_organisation_of_a_single_successor(reorg):
    r = reorg
    doan4 = MemberOrganisation.objects.create(unit=r["w4"], name="Đoàn Thanh niên")
    doan_n3 = MemberOrganisation.objects.create(unit=r["n3"], name="Đoàn thanh niên")
    hoi1 = MemberOrganisation.objects.create(unit=r["d1"], name="Hội Phụ nữ")
    MemberOrganisation.objects.create(unit=r["n1"], name="Hội Phụ nữ")
    grant(UserFactory(username="doan"), r["w4"], Role.MEMBER_ORG_REPORTER, doan4)
    grant(UserFactory(username="hoi"), r["d1"], Role.MEMBER_ORG_REPORTER, hoi1)
    plan = _plan(r)
    assert plan[("doan", "Phường W4")].member_organisation == doan_n3
    assert "cần cấp lại quyền bằng tay" in plan[("hoi", "Quận Một")].problem  # two successors

    created, skipped = grants_carry_over(actor=None, source=r["old"], target=r["new"])
    assert [(g.unit, g.member_organisation) for g in created] == [(r["n3"], doan_n3)]
    assert [s.grant.user.username for s in skipped] == ["hoi"]


def test_apply_grants_access_on_the_new_units_audited_and_only_once(reorg):
    r = reorg
    editor = UserFactory(username="bientap")
    old_grant = grant(editor, r["w1"], Role.EDITOR)
    approver = UserFactory(username="pheduyet")
    grant(approver, r["d1"], Role.APPROVER)
    grant(approver, r["n2"], Role.APPROVER)  # already given by hand
    admin = UserFactory(username="quantri")
    grant(admin, r["city2"], Role.ADMIN)

    created, skipped = grants_carry_over(actor=admin, source=r["old"], target=r["new"])
    assert sorted((g.user.username, g.unit.name, g.role) for g in created) == [
        ("bientap", "Phường N1", Role.EDITOR),
        ("pheduyet", "Phường N1", Role.APPROVER),
    ]
    assert skipped == []
    assert policy_for(editor).can(Perm.EDIT, r["n1"]) and policy_for(editor).can(Perm.EDIT, r["w1"])
    assert not policy_for(editor).can(Perm.EDIT, r["n2"])
    editor_grant = next(g for g in created if g.user == editor)
    event = AuditEvent.objects.get(action="grant.create", object_id=str(editor_grant.pk))
    assert event.actor == admin and event.unit == r["n1"]
    assert event.note == f"Chuyển theo kế thừa từ quyền #{old_grant.pk} tại {old_grant.unit}"

    again, _ = grants_carry_over(actor=admin, source=r["old"], target=r["new"])
    assert again == []
    assert Grant.objects.filter(unit__version=r["new"]).count() == 4


def test_only_an_administrator_of_the_new_units_may_carry_grants(reorg):
    r = reorg
    grant(UserFactory(username="bientap"), r["w1"], Role.EDITOR)
    outsider = UserFactory(username="quantri.n3")
    grant(outsider, r["n3"], Role.ADMIN)
    with pytest.raises(UserFacingError, match="quyền quản trị đơn vị Phường N1"):
        grants_carry_over(actor=outsider, source=r["old"], target=r["new"])
    assert not Grant.objects.filter(unit=r["n1"]).exists()  # all or nothing


def test_command_prints_the_plan_and_writes_only_with_apply(reorg):
    r = reorg
    grant(UserFactory(username="bientap"), r["w1"], Role.EDITOR)
    grant(UserFactory(username="to1"), r["a1"], Role.EDITOR)
    out = StringIO()
    call_command("carry_grants", "--from", "2023", "--to", "2025-07", stdout=out)
    text = out.getvalue()
    assert "→ bientap – Cập nhật tại Phường W1 ⇒ Phường N1" in text
    assert "Phường W2" in text  # the widening is shown
    assert "Không có đơn vị kế thừa" in text
    assert "--apply" in text
    assert not Grant.objects.filter(unit__version=r["new"]).exists()

    out = StringIO()
    call_command("carry_grants", "--from", "2023", "--to", "2025-07", "--apply", stdout=out)
    assert "Đã cấp 1 quyền mới; 1 quyền cần xử lý bằng tay." in out.getvalue()
    assert Grant.objects.get(unit__version=r["new"]).unit == r["n1"]


def test_real_hanoi_lineage_lang_thuong_editor_goes_to_phuong_lang(db):
    from mattran.demo.loader import step_units

    step_units(StringIO())
    lang_thuong = Unit.objects.get(version__code="2023", name="Phường Láng Thượng")
    dong_da = lang_thuong.parent
    grant(UserFactory(username="capnhat"), lang_thuong, Role.EDITOR)
    grant(UserFactory(username="pheduyet"), dong_da, Role.APPROVER)
    plan = {
        i.grant.user.username: i
        for i in grant_carry_over_plan(
            source=lang_thuong.version,
            target=Unit.objects.get(code="01", version__code="2025-07").version,
        )
    }
    assert [u.name for u in plan["capnhat"].new_units] == ["Phường Láng"]
    new_names = {u.name for u in plan["pheduyet"].new_units}
    assert {"Phường Láng", "Phường Đống Đa", "Phường Kim Liên"} <= new_names
    assert all(u.version.code == "2025-07" for u in plan["pheduyet"].new_units)


def test_command_names_an_unknown_version(reorg):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có phiên bản địa giới '2030'"):
        call_command("carry_grants", "--from", "2023", "--to", "2030")
