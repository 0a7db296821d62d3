"""Every role against its own unit, a child, a sibling and the parent."""

import pytest
from django.urls import reverse

from mattran.access.models import Role
from mattran.access.policy import ROLE_PERMS, AccessPolicy, Perm
from mattran.units.models import MemberOrganisation
from tests.factories import UserFactory, grant

ALL_PERMS = [Perm.VIEW, Perm.EDIT, Perm.APPROVE, Perm.ADMINISTER, Perm.REPORT_MEMBER_ORG]
# relation -> unit key in the `tree` fixture, for a grant on district_a
RELATIONS = {
    "own": "district_a",
    "child": "ward_a1",
    "grandchild": "area_a1",
    "sibling": "district_b",
    "sibling_child": "ward_b1",
    "parent": "city",
}
INSIDE = {"own", "child", "grandchild"}


def _grant_for(role, tree, user):
    mo = None
    if role == Role.MEMBER_ORG_REPORTER:
        mo = MemberOrganisation.objects.create(unit=tree["district_a"], name="Hội Cựu chiến binh")
    return grant(user, tree["district_a"], role, mo)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("relation", RELATIONS)
def test_role_permissions_follow_the_subtree(tree, role, relation):
    user = UserFactory()
    _grant_for(role, tree, user)
    policy = AccessPolicy(user)
    unit = tree[RELATIONS[relation]]
    for perm in ALL_PERMS:
        expected = relation in INSIDE and perm in ROLE_PERMS[role]
        assert policy.can(perm, unit) is expected, (role, relation, perm)
    visible = set(policy.units().values_list("pk", flat=True))
    assert (unit.pk in visible) is (relation in INSIDE)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("relation", RELATIONS)
def test_unit_page_answers_404_outside_the_grant(client, tree, role, relation):
    user = UserFactory()
    _grant_for(role, tree, user)
    client.force_login(user)
    unit = tree[RELATIONS[relation]]
    for name in ("units:detail", "units:children", "units:audit"):
        response = client.get(reverse(name, args=[unit.pk]))
        assert response.status_code == (200 if relation in INSIDE else 404), (name, relation)


@pytest.mark.parametrize("relation", RELATIONS)
def test_residential_area_form_needs_edit_on_a_ward(client, tree, relation):
    editor = UserFactory()
    grant(editor, tree["district_a"], Role.EDITOR)
    viewer = UserFactory()
    grant(viewer, tree["district_a"], Role.VIEWER)
    unit = tree[RELATIONS[relation]]
    url = reverse("units:area_create", args=[unit.pk])
    client.force_login(editor)
    expected = 200 if relation == "child" else 404  # only wards take residential areas
    assert client.get(url).status_code == expected
    client.force_login(viewer)
    assert client.get(url).status_code == 404


def test_several_grants_add_up(tree):
    user = UserFactory()
    grant(user, tree["ward_a1"], Role.EDITOR)
    grant(user, tree["district_b"], Role.VIEWER)
    policy = AccessPolicy(user)
    assert policy.can(Perm.EDIT, tree["area_a1"])
    assert not policy.can(Perm.EDIT, tree["ward_b1"])
    assert policy.can(Perm.VIEW, tree["ward_b1"])
    assert not policy.can(Perm.VIEW, tree["ward_a2"])
    names = set(policy.units().values_list("name", flat=True))
    assert names == {"Phường A1", "Tổ dân phố 1", "Quận B", "Phường B1"}
    assert {u.name for u in policy.top_units()} == {"Phường A1", "Quận B"}


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("units:detail", args=[tree["city"].pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_user_without_grants_sees_nothing(client, tree):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("units:tree"))
    assert response.status_code == 200
    assert "chưa được phân quyền" in response.content.decode()
    assert client.get(reverse("units:detail", args=[tree["city"].pk])).status_code == 404


def test_superuser_sees_everything(tree):
    admin = UserFactory(is_superuser=True)
    policy = AccessPolicy(admin)
    assert all(policy.can(Perm.ADMINISTER, u) for u in tree.values())


def test_visible_units_is_one_query(tree, django_assert_num_queries):
    user = UserFactory()
    grant(user, tree["ward_a1"], Role.VIEWER)
    grant(user, tree["district_b"], Role.EDITOR)
    policy = AccessPolicy(user)  # one query for the grants
    with django_assert_num_queries(1):
        assert len(list(policy.units())) == 4
