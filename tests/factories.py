"""factory_boy factories for tests."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from mattran.access.models import Grant, Role
from mattran.units.models import Level, StructureVersion, Unit
from mattran.units.services import unit_paths_assign


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Mat-khau-thu-nghiem-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureVersion
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"v{n}")
    name = factory.LazyAttribute(lambda o: f"Phiên bản {o.code}")
    valid_from = dt.date(2020, 1, 1)


def make_unit(name: str, parent: Unit | None = None, *, version=None, code: str = "", kind=None):
    """Create a unit with its path, the way the services do."""
    version = version or (parent.version if parent else VersionFactory())
    level = Level.PROVINCE if parent is None else min(parent.level + 1, Level.RESIDENTIAL_AREA)
    kind = kind or {1: "Thành phố", 2: "Quận", 3: "Phường", 4: "Tổ dân phố"}[level]
    unit = Unit(version=version, parent=parent, level=level, kind=kind, name=name, code=code)
    unit_paths_assign([unit])
    return unit


def grant(user, unit, role=Role.VIEWER, member_organisation=None):
    return Grant.objects.create(
        user=user, unit=unit, role=role, member_organisation=member_organisation
    )


def row_counts() -> dict[str, int]:
    """Rows of every model table (sessions aside: a page view may touch its own):
    compared before and after a refused action to show nothing was left behind."""
    from django.apps import apps

    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label != "sessions.Session"
    }
