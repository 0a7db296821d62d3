"""The report's figures table rows built in Python (reports/views.py,
`_figure_rows_html`) are the HTML the template loop gave, for a report with child
units and one without, with every badge (no source, new after approval, entered
previous year, unit label) and text that needs escaping."""

import re
from pathlib import Path

import pytest
from django.template import engines

from mattran.figures.scope import SELF
from mattran.reports.views import _figure_rows_html

pytestmark = pytest.mark.django_db

# The template's loop as it was (reports/report.html before stop 21).
TEMPLATE_LOOP = (Path(__file__).parent / "figure_rows_before.html").read_text("utf-8")


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("which", ["district_a", "ward_a2"])
def test_rows_are_the_template_loop_html(client, records, people, tree, which):
    client.force_login(people["approver_a"])
    unit = tree[which]
    response = client.get(f"/bao-cao/{unit.pk}/2023-9M/")
    assert response.status_code == 200
    context = response.context
    table, report = context["table"], context["report"]
    assert bool(report.child_rows) == (which == "district_a")
    # every badge and characters to escape, on a few rows
    rows = [r for sec in table for r in sec["rows"]]
    assert len(rows) > 10
    rows[0]["fig"].available = False
    rows[1]["fig"].is_new = True
    rows[2]["fig"].entered = {1: True}
    rows[3]["cur"] = '<b>"1 & 2"</b>'
    table[0]["heading"] = "Mục <một> & hai"
    expected = (
        engines["django"]
        .from_string(TEMPLATE_LOOP)
        .render({"table": table, "report": report, "SELF": SELF})
    )
    mine = _figure_rows_html(table, bool(report.child_rows))
    assert _squeeze(mine) == _squeeze(expected)
    assert "&lt;b&gt;&quot;1 &amp; 2&quot;&lt;/b&gt;" in mine and "chưa có nguồn" in mine
    assert _squeeze(str(context["figure_rows"])) in _squeeze(response.content.decode())
