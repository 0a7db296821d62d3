"""Profile report_build for nation/province/commune: queries (with time) and cProfile."""
import cProfile, pstats, sys, time, os, statistics
sys.path.insert(0, "/work/wt/h10s/benchmarks")
sys.path.insert(0, "/work/wt/h10s/src")
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
which = sys.argv[1] if len(sys.argv) > 1 else "province"
unit = {"nation": None, "province": province, "commune": commune}[which]
def run():
    return report_build(user=None, unit=unit, period=period, version=version)
b.fresh(); run()
b.fresh()
with CaptureQueriesContext(connection) as ctx:
    run()
for q in ctx.captured_queries:
    print(q["time"], q["sql"][:150].replace("\n", " "))
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
times = []
pr = cProfile.Profile(time.process_time)
for _ in range(n):
    b.fresh()
    t0 = time.perf_counter(); c0 = time.process_time()
    pr.enable(); run(); pr.disable()
    times.append((time.perf_counter() - t0, time.process_time() - c0))
print("wall median %.1f ms  cpu median %.1f ms" % (statistics.median(t for t, _ in times) * 1000, statistics.median(c for _, c in times) * 1000))
times = []
for _ in range(n):
    b.fresh()
    t0 = time.perf_counter(); c0 = time.process_time()
    run()
    times.append((time.perf_counter() - t0, time.process_time() - c0))
print("no-prof wall median %.1f ms  cpu median %.1f ms" % (statistics.median(t for t, _ in times) * 1000, statistics.median(c for _, c in times) * 1000))
st = pstats.Stats(pr); st.sort_stats("cumulative").print_stats(110)
st.sort_stats("tottime").print_stats(50)
