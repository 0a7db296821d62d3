import pytest
from django.apps import apps

from tests.factories import make_unit


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background jobs run synchronously in tests (django-tasks' immediate backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The API's per-user rate limit is tested on its own (tests/api/test_idempotency_and_rate.py);
    # elsewhere thousands of calls from one token (fuzzing, the access matrix) must not hit it.
    settings.MATTRAN_API_RATE = ""


@pytest.fixture
def tree(db):
    """A small 2023-style tree: city > 2 districts > wards > a residential area.

    city
    ├── district_a (Quận A)
    │   ├── ward_a1 ── area_a1
    │   └── ward_a2
    └── district_b (Quận B)
        └── ward_b1
    """
    city = make_unit("Thành phố Thử", code="91")
    district_a = make_unit("Quận A", city, code="911")
    district_b = make_unit("Quận B", city, code="912")
    ward_a1 = make_unit("Phường A1", district_a, code="91101")
    ward_a2 = make_unit("Phường A2", district_a, code="91102")
    ward_b1 = make_unit("Phường B1", district_b, code="91201")
    area_a1 = make_unit("Tổ dân phố 1", ward_a1)
    return {
        "city": city,
        "district_a": district_a,
        "district_b": district_b,
        "ward_a1": ward_a1,
        "ward_a2": ward_a2,
        "ward_b1": ward_b1,
        "area_a1": area_a1,
    }


@pytest.fixture(autouse=True)
def _reference_catalogues(request):
    """Re-install the catalogues that data migrations provide.

    A transactional test (live server, concurrency) empties every table when it
    ends, data-migration rows included; the next tests need them back.
    """
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    from mattran.activities import catalogue as activity_catalogue
    from mattran.activities.models import ActivityType
    from mattran.reports import catalogue as report_catalogue

    if not ActivityType.objects.exists():
        activity_catalogue.install(apps)
        report_catalogue.install(apps)
