"""One user action, one service, one transaction: a refused step leaves nothing behind
(the units pages that record a person together with what the person heads or holds)."""

import pytest

from mattran.units import services
from mattran.units.models import MemberOrganisation, Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_refused_member_organisation_leaves_no_head_behind(client, tree):
    admin = UserFactory(is_superuser=True, is_staff=True)
    district = tree["district_a"]
    services.member_organisation_create(actor=admin, unit=district, name="Hội Cựu chiến binh")
    client.force_login(admin)
    people = Person.objects.count()
    response = client.post(
        f"/don-vi/{district.pk}/them-to-chuc-thanh-vien/",
        {"name": "Hội Cựu chiến binh", "head_name": "Nguyễn Văn Mới", "order": 1},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "đã có tổ chức thành viên" in response.content.decode()
    assert Person.objects.count() == people
    assert MemberOrganisation.objects.filter(unit=district).count() == 1


def test_the_head_is_recorded_with_the_organisation(tree):
    admin = UserFactory(is_superuser=True, is_staff=True)
    org = services.member_organisation_create(
        actor=admin, unit=tree["district_a"], name="Hội Phụ nữ", head_name="Trần Thị Hoa"
    )
    assert org.head.full_name == "Trần Thị Hoa"
