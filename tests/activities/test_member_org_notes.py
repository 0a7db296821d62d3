"""Member-organisation reporters and the notes of other organisations' records.

Decision (docs DOMAIN: member organisations report the activities they ran; notes may
hold personal data): a reporter of organisation A sees every record of its units
(they feed the reports), but the notes only of A's records; the Front's own staff
read all notes. Checked on the record page and in the API."""

import datetime as dt

import pytest

from mattran.access.models import Role
from mattran.activities import services
from mattran.activities.models import ActivityType
from mattran.api.services import api_token_create
from mattran.units.models import MemberOrganisation
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

SECRET = "Bà Nguyễn Thị X, nhà số 5, đang có mâu thuẫn gia đình"


@pytest.fixture
def setting(tree):
    ward = tree["ward_a1"]
    women = MemberOrganisation.objects.create(unit=tree["district_a"], name="Hội Phụ nữ")
    youth = MemberOrganisation.objects.create(unit=tree["district_a"], name="Đoàn Thanh niên")
    reporter, editor = UserFactory(username="phunu"), UserFactory(username="canbo")
    grant(reporter, tree["district_a"], Role.MEMBER_ORG_REPORTER, member_organisation=women)
    grant(editor, tree["district_a"], Role.EDITOR)
    kind = ActivityType.objects.filter(active=True).order_by("pk").first()

    def record(org):
        return services.activity_record_create(
            actor=None,
            unit=ward,
            type=kind,
            date=dt.date(2023, 9, 14),
            title=f"Thăm hỏi ({org.name if org else 'Ủy ban'})",
            notes=SECRET,
            attendance=10 if kind.uses_attendance else None,
            member_organisation=org,
        )

    return {
        "reporter": reporter,
        "editor": editor,
        "own": record(women),
        "other": record(youth),
        "committee": record(None),
    }


def page(client, user, record) -> str:
    client.force_login(user)
    response = client.get(f"/hoat-dong/{record.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_on_the_record_page(client, setting):
    reporter, editor = setting["reporter"], setting["editor"]
    assert SECRET in page(client, reporter, setting["own"])
    for key in ("other", "committee"):
        html = page(client, reporter, setting[key])
        assert setting[key].title in html and SECRET not in html
        assert SECRET in page(client, editor, setting[key])


def test_in_the_api(setting):
    from rest_framework.test import APIClient

    def notes(user, record):
        _, token = api_token_create(actor=None, user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.get(f"/api/v1/activities/{record.pk}/")
        assert response.status_code == 200, response.content
        return response.json()["notes"]

    assert notes(setting["reporter"], setting["own"]) == SECRET
    assert notes(setting["reporter"], setting["other"]) == ""
    assert notes(setting["reporter"], setting["committee"]) == ""
    assert notes(setting["editor"], setting["other"]) == SECRET
