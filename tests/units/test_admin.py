"""The units admin: names and codes are edited there, the tree is not, and every change
is audited (core.admin.AuditedAdmin) with the unit it belongs to."""

from django.contrib.admin import site

from mattran.core.models import AuditEvent
from mattran.units.models import Unit
from tests.factories import UserFactory


def test_a_unit_renamed_in_the_admin_is_audited_and_cannot_move(tree, rf):
    ward = tree["ward_a1"]
    request = rf.post("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    model_admin = site._registry[Unit]
    form = model_admin.get_form(request, ward)
    assert {"parent", "version", "level", "path"}.isdisjoint(form.base_fields)
    assert "parent" in model_admin.get_form(request, None).base_fields  # a new unit's

    ward.name = "Phường A1 mới"
    model_admin.save_model(request, ward, None, True)
    event = AuditEvent.objects.get(action="unit.admin_update")
    assert event.unit == ward and event.actor == request.user
    assert (event.before["name"], event.after["name"]) == ("Phường A1", "Phường A1 mới")
