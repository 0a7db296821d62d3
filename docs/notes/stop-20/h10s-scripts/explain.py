import sys, os
sys.path.insert(0, "/work/wt/h10s/benchmarks"); sys.path.insert(0, "/work/wt/h10s/src")
import bench_rollup as b
b.setup_django(os.environ["MATTRAN_BENCH_DATABASE_URL"])
from django.db import connection
from django.test.utils import CaptureQueriesContext
from mattran.core.periods import Period
from mattran.reports.selectors import report_build
from mattran.units.models import StructureVersion, Unit
version = StructureVersion.objects.get(code=b.VERSION)
period = Period.parse("2025-9M")
province = Unit.objects.filter(version=version, level=1).order_by("path").first()
commune = Unit.objects.filter(version=version, level=3).order_by("path").first()
which = sys.argv[1]
unit = {"nation": None, "province": province, "commune": commune}[which]
b.fresh(); report_build(user=None, unit=unit, period=period, version=version)
b.fresh()
with CaptureQueriesContext(connection) as ctx:
    report_build(user=None, unit=unit, period=period, version=version)
only = [int(x) for x in sys.argv[2:]]
with connection.cursor() as cur:
    for i, q in enumerate(ctx.captured_queries):
        if only and i not in only: continue
        print(f"==== {i} ({q['time']}) {q['sql'][:3000]}")
        for part in q["sql"].split(";\n"):
            for _ in range(3):
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + part)
            rows = cur.fetchall()
            print("----", part[:100])
            print("\n".join(r[0] for r in rows))
