"""Model choice fields of the project's forms read their options in one plain query,
not through a server-side cursor (core/forms.py, ChoicesInOneQuery), with the same
options as Django's own iterator."""

import pytest
from django.db import connection
from django.forms.models import ModelChoiceIterator

from mattran.activities.forms import ActivityFilterForm, ActivityForm
from mattran.activities.models import ActivityType
from mattran.core.forms import ChoicesInOneQuery
from mattran.units.models import Unit
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def _options(field):
    return [(str(value), str(label)) for value, label in field.choices]


def test_options_come_from_one_plain_query_and_are_django_own(monkeypatch):
    ward = make_unit("Phường Một")
    ActivityType.objects.create(code="x-test", name="Hội nghị thử")
    units = Unit.objects.filter(pk=ward.pk)
    chunked = []
    real = connection.chunked_cursor
    monkeypatch.setattr(connection, "chunked_cursor", lambda: chunked.append(1) or real())
    forms = [
        ActivityFilterForm(),
        ActivityForm(unit=ward, supervisable=units, organisations=units),
    ]
    html = "".join(str(form) for form in forms)
    assert "Hội nghị thử" in html and "Phường Một" in html
    assert chunked == []  # no server-side cursor (a named cursor on PostgreSQL)

    for form in forms:
        for name, field in form.fields.items():
            if hasattr(field, "queryset"):
                assert field.iterator is ChoicesInOneQuery, name
                assert field.queryset._result_cache is None  # the field's own stays lazy
                mine = _options(field)
                field.iterator = ModelChoiceIterator
                assert mine == _options(field), name
