import pytest
from django.urls import reverse

from mattran.access.models import Grant, Role
from mattran.access.services import grant_create, grant_revoke
from mattran.core.errors import UserFacingError
from mattran.core.models import AuditEvent
from tests.factories import UserFactory, grant


def test_admin_grants_and_revokes_in_subtree_with_audit(tree):
    admin = UserFactory()
    grant(admin, tree["district_a"], Role.ADMIN)
    editor = UserFactory()
    g = grant_create(actor=admin, user=editor, unit=tree["ward_a1"], role=Role.EDITOR)
    event = AuditEvent.objects.get(action="grant.create")
    assert event.actor == admin and event.unit == tree["ward_a1"]
    assert event.after["role"] == "editor" and event.before is None
    grant_revoke(actor=admin, grant=g)
    assert not Grant.objects.filter(pk=g.pk).exists()
    revoke = AuditEvent.objects.get(action="grant.revoke")
    assert revoke.before["user"] == editor.pk and revoke.after is None


def test_admin_cannot_grant_outside_subtree(tree):
    admin = UserFactory()
    grant(admin, tree["district_a"], Role.ADMIN)
    with pytest.raises(UserFacingError, match="không có quyền quản trị"):
        grant_create(actor=admin, user=UserFactory(), unit=tree["district_b"], role=Role.VIEWER)
    assert not AuditEvent.objects.exists()


def test_grant_page_lists_only_manageable_grants(client, tree):
    admin = UserFactory()
    grant(admin, tree["district_a"], Role.ADMIN)
    inside = grant(UserFactory(username="trong"), tree["ward_a1"], Role.VIEWER)
    outside = grant(UserFactory(username="ngoai"), tree["ward_b1"], Role.VIEWER)
    client.force_login(admin)
    html = client.get(reverse("access:grants")).content.decode()
    assert "trong" in html and "ngoai" not in html
    assert client.post(reverse("access:revoke", args=[outside.pk])).status_code == 404
    assert client.post(reverse("access:revoke", args=[inside.pk])).status_code == 302
    assert not Grant.objects.filter(pk=inside.pk).exists()


def test_grant_form_creates_grant(client, tree):
    admin = UserFactory()
    grant(admin, tree["district_a"], Role.ADMIN)
    UserFactory(username="moi")
    client.force_login(admin)
    response = client.post(
        reverse("access:grants"),
        {"username": "moi", "unit_code": "91101", "role": "editor", "member_organisation": ""},
    )
    assert response.status_code == 302
    assert Grant.objects.filter(user__username="moi", unit=tree["ward_a1"], role="editor").exists()
    response = client.post(
        reverse("access:grants"),
        {"username": "khongco", "unit_code": "91101", "role": "editor"},
    )
    assert "Không có người dùng" in response.content.decode()


def test_viewer_has_no_grant_page(client, tree):
    viewer = UserFactory()
    grant(viewer, tree["city"], Role.VIEWER)
    client.force_login(viewer)
    assert client.get(reverse("access:grants")).status_code == 404


def test_grant_link_only_for_administrators(client, tree):
    viewer = UserFactory()
    grant(viewer, tree["city"], Role.VIEWER)
    client.force_login(viewer)
    assert "Phân quyền" not in client.get(reverse("units:tree")).content.decode()
    admin = UserFactory()
    grant(admin, tree["ward_a1"], Role.ADMIN)
    client.force_login(admin)
    assert "Phân quyền" in client.get(reverse("units:tree")).content.decode()


def test_grants_changed_in_the_admin_are_audited_as_the_services_do(tree, rf):
    """core.admin.AuditedAdmin with the grant services' action names."""
    from django.contrib.admin import site

    admin, editor = UserFactory(is_superuser=True), UserFactory()
    request = rf.post("/")
    request.user = admin
    model_admin = site._registry[Grant]
    row = Grant(user=editor, unit=tree["ward_a1"], role=Role.EDITOR)
    model_admin.save_model(request, row, None, False)
    row.role = Role.VIEWER
    model_admin.save_model(request, row, None, True)
    model_admin.delete_model(request, row)
    events = list(
        AuditEvent.objects.filter(object_type="access.grant")
        .order_by("pk")
        .values_list("action", "unit", "actor", "before__role", "after__role")
    )
    unit = tree["ward_a1"].pk
    assert events == [
        ("grant.create", unit, admin.pk, None, Role.EDITOR),
        ("grant.update", unit, admin.pk, Role.EDITOR, Role.VIEWER),
        ("grant.revoke", unit, admin.pk, Role.VIEWER, None),
    ]
