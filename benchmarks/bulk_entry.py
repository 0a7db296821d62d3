"""XLSX bulk entry: 5,000 activity rows, the bulk write vs one service call per row.

Builds a district with 20 wards in a scratch database, fills the app's own
template (`bulk_template`) with N rows spread over the wards and the month,
and times:

* `bulk_import` (parse, validate, check duplicates, then one INSERT per batch
  of 500 and one audit INSERT per batch), and
* the naive baseline, measured in the same run on the same rows:
  `activity_record_create` once per row (permission, version, lock and audit
  queries for every row), as the upload did before.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        .venv/bin/python benchmarks/bulk_entry.py [rows]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time

from _setup import scratch_database  # noqa: F401 - sets Django up
from django.db import transaction  # noqa: E402
from openpyxl import load_workbook  # noqa: E402


def main(n: int) -> None:
    from django.contrib.auth import get_user_model

    from mattran.access.models import Grant, Role
    from mattran.activities import services
    from mattran.activities.importers import bulk_import, bulk_template
    from mattran.activities.models import ActivityRecord, ActivityType
    from mattran.core.periods import Period
    from mattran.units.models import Level, StructureVersion, Unit
    from mattran.units.services import unit_paths_assign

    version = StructureVersion.objects.create(
        code="bench-bulk", name="bench", valid_from=dt.date(2020, 1, 1)
    )
    district = Unit(version=version, level=Level.DISTRICT, kind="Quận", name="Quận Thử", code="901")
    unit_paths_assign([district])
    wards = [
        Unit(version=version, parent=district, level=Level.COMMUNE, kind="Phường",
             name=f"Phường {i}", code=f"0{90100 + i}")
        for i in range(20)
    ]  # fmt: skip
    unit_paths_assign(wards)
    user = get_user_model().objects.create(username="bench")
    Grant.objects.create(user=user, unit=district, role=Role.EDITOR)
    period = Period.parse("2023-09")
    wb = load_workbook(io.BytesIO(bulk_template(unit=district, period=period)))
    ws = wb["Hoạt động"]
    for i in range(n):
        day = f"{1 + i % 30:02d}/09/2023"
        code = int(wards[i % 20].code)  # typed as a number: leading zero lost
        ws.append([day, "toa_dam" if i % 2 else "Tọa đàm", f"Tọa đàm số {i}", None,
                   None, None, None, code])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()

    started = time.perf_counter()
    result = bulk_import(actor=user, unit=district, period=period, source=io.BytesIO(data))
    bulk_s = time.perf_counter() - started
    assert result.activities == n, result

    toa_dam = ActivityType.objects.get(code="toa_dam")
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            services.activity_record_create(
                actor=user,
                unit=wards[i % 20],
                type=toa_dam,
                date=dt.date(2023, 9, 1 + i % 30),
                title=f"Lần hai {i}",
            )
    naive_s = time.perf_counter() - started
    assert ActivityRecord.objects.count() == 2 * n
    print(f"rows: {n}")
    print(f"bulk_import (parse + validate + bulk write): {bulk_s:6.2f} s")
    print(f"naive: activity_record_create per row:       {naive_s:6.2f} s")
    print(f"speed-up: {naive_s / bulk_s:.1f}x")


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with scratch_database():
        main(rows)
