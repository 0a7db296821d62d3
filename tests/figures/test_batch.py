"""The sources' statements of one computation: one round trip on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mattran.figures.batch import Batch
from mattran.units.models import Unit

pytestmark = pytest.mark.django_db


def test_prepared_statements_go_together_and_others_run_alone(tree):
    count = ("SELECT COUNT(*) FROM units_unit WHERE path >= %s AND path < %s", ["/", "0"])
    names = ("SELECT name FROM units_unit WHERE id = %s", [tree["city"].pk])
    batch = Batch()
    batch.add(*count)
    batch.add(*names)
    batch.add(*count)  # asked twice, sent once
    with CaptureQueriesContext(connection) as ctx:
        batch.run()
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    units = Unit.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        assert batch.fetch(*names) == [(tree["city"].name,)]
        assert batch.fetch(*count) == [(units,)]
    assert not ctx.captured_queries  # both came with the batch
    # a statement built differently (other parameters) is never answered from the batch
    other = ("SELECT name FROM units_unit WHERE id = %s", [tree["ward_a1"].pk])
    with CaptureQueriesContext(connection) as ctx:
        assert batch.fetch(*other) == [(tree["ward_a1"].name,)]
    assert len(ctx.captured_queries) == 1
