"""The activity list's table is cached by the data's version and the user's grants
(activities/views.py, access/cached.py): a new record shows at once, in its unit's
list and its ancestors'; users with other grants never share an entry."""

import datetime as dt

import pytest
from django.core.cache import cache

from mattran.access.models import Role
from mattran.activities import services, views
from mattran.activities.models import ActivityType
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_cache(settings):
    settings.MATTRAN_DATA_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rendered(monkeypatch):
    """Which users' tables were really rendered (a cache hit renders nothing)."""
    calls = []
    real = views.render_to_string

    def spy(name, context=None, *args, **kwargs):
        if name == views.RECORDS:
            calls.append(context["request"].user.username)
        return real(name, context, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", spy)
    return calls


def _record(actor, unit, title):
    return services.activity_record_create(
        actor=actor,
        unit=unit,
        type=ActivityType.objects.get(code="tuyen_truyen"),
        date=dt.date(2025, 3, 1),
        title=title,
        attendance=10,
    )


def _table(client, unit, **params):
    response = client.get(f"/hoat-dong/don-vi/{unit.pk}/", params)
    assert response.status_code == 200
    return response.content.decode().split('<div id="records">')[1]


def test_a_new_record_shows_at_once_and_grants_never_share(
    client, tree, data_cache, rendered, django_capture_on_commit_callbacks
):
    district, ward = tree["district_a"], tree["ward_a1"]
    editor = UserFactory(username="bientap")
    grant(editor, ward, Role.EDITOR)
    viewer = UserFactory(username="xem_quan")
    grant(viewer, district, Role.VIEWER)
    twin = UserFactory(username="xem_quan_2")  # the same grants as `viewer`
    grant(twin, district, Role.VIEWER)
    city_viewer = UserFactory(username="xem_tp")
    grant(city_viewer, tree["city"], Role.VIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        _record(editor, ward, "Hội nghị cũ")

    client.force_login(viewer)
    assert "Hội nghị cũ" in _table(client, district)
    assert "Hội nghị cũ" in _table(client, district)
    assert rendered == ["xem_quan"]  # the second view read the cache
    client.force_login(twin)
    assert "Hội nghị cũ" in _table(client, district)
    assert rendered == ["xem_quan"]  # equal grants: the same entry
    client.force_login(city_viewer)
    assert "Hội nghị cũ" in _table(client, district)
    assert rendered == ["xem_quan", "xem_tp"]  # other grants: an entry of its own
    # filters and pages are part of the key
    assert "Hội nghị cũ" not in _table(client, district, q="không có")
    assert rendered[-1] == "xem_tp" and len(rendered) == 3

    # a record of the ward shows at once in the ward's and the district's lists
    client.force_login(editor)
    assert "Hội nghị mới" not in _table(client, ward)
    with django_capture_on_commit_callbacks(execute=True):
        _record(editor, ward, "Hội nghị mới")
    assert "Hội nghị mới" in _table(client, ward)
    client.force_login(viewer)
    assert "Hội nghị mới" in _table(client, district)
    # the htmx partial is the same table
    partial = client.get(f"/hoat-dong/don-vi/{district.pk}/", headers={"HX-Request": "true"})
    assert "Hội nghị mới" in partial.content.decode()

    # a unit the user may not see is refused before any cache
    client.force_login(editor)
    assert client.get(f"/hoat-dong/don-vi/{district.pk}/").status_code == 404
