import sys, os, time, gc
sys.path.insert(0, "/work/wt/h10s/benchmarks"); sys.path.insert(0, "/work/wt/h10s/src")
import bench_rollup as b
b.setup_django(os.environ["MATTRAN_BENCH_DATABASE_URL"])
from mattran.core.periods import Period
from mattran.reports.selectors import report_build
from mattran.units.models import StructureVersion, Unit
version = StructureVersion.objects.get(code=b.VERSION)
period = Period.parse("2025-9M")
unit = Unit.objects.filter(version=version, level=1).order_by("path").first()
gcs = []
start = {}
def cb(phase, info):
    if phase == "start": start["t"] = time.perf_counter()
    else: gcs.append((info["generation"], time.perf_counter() - start["t"]))
gc.callbacks.append(cb)
b.fresh(); report_build(user=None, unit=unit, period=period, version=version)
if os.environ.get("FREEZE"): gc.collect(); gc.freeze()
times = []
for _ in range(42):
    b.fresh(); gcs.clear()
    t0 = time.perf_counter()
    report_build(user=None, unit=unit, period=period, version=version)
    dt = time.perf_counter() - t0
    times.append((dt, [(g, round(t * 1000, 1)) for g, t in gcs if t > 0.002 or g == 2]))
for dt, g in sorted(times)[-5:]:
    print("%.1f ms" % (dt * 1000), g)
print("median %.1f" % (sorted(times)[21][0] * 1000), "gc counts", gc.get_count(), "objects", len(gc.get_objects()))
