import sys, os, time, statistics, functools
from collections import defaultdict
sys.path.insert(0, "/work/wt/h10s/benchmarks"); sys.path.insert(0, "/work/wt/h10s/src")
import bench_rollup as b
b.setup_django(os.environ["MATTRAN_BENCH_DATABASE_URL"])
from mattran.core.periods import Period
from mattran.reports import selectors
from mattran.units.models import StructureVersion, Unit
from mattran.figures import records, ledger, engine, batch, cached, values, entered
from mattran.reports import validation
from mattran.emulation import figure_families as ff
from mattran.figures import registry
acc = defaultdict(float)
def wrap(mod, name, label=None):
    fn = getattr(mod, name)
    @functools.wraps(fn)
    def w(*a, **k):
        c0 = time.process_time(); w0 = time.perf_counter()
        try: return fn(*a, **k)
        finally:
            acc[(label or name) + " cpu"] += time.process_time() - c0
            acc[(label or name) + " wall"] += time.perf_counter() - w0
    setattr(mod, name, w)
    return w
wrap(records, "rollup_summary"); wrap(records, "rollup_lists")
wrap(batch.Batch, "run", "batch.run")
wrap(engine, "figures_compute"); 
wrap(cached, "_set"); wrap(cached, "_get")
wrap(values.FigureValues, "sum_up")
wrap(entered, "entered_apply")
wrap(selectors, "report_failures")
wrap(selectors, "figures_for_indicators")
wrap(selectors, "paragraph_render")
for s in ("records", "funds.entries", "funds.transfers", "commendations", "conferences"):
    src = registry.source_get(s)
    src.compute = wrap(src, "compute", "src " + s)
version = StructureVersion.objects.get(code=b.VERSION)
period = Period.parse("2025-9M")
unit = Unit.objects.filter(version=version, level=int(sys.argv[1])).order_by("path").first()
b.fresh(); selectors.report_build(user=None, unit=unit, period=period, version=version)
acc.clear()
n = int(sys.argv[2]); tot_c = tot_w = 0
for _ in range(n):
    b.fresh()
    c0 = time.process_time(); w0 = time.perf_counter()
    selectors.report_build(user=None, unit=unit, period=period, version=version)
    tot_c += time.process_time() - c0; tot_w += time.perf_counter() - w0
print("report cpu %.2f wall %.2f ms" % (tot_c / n * 1000, tot_w / n * 1000))
for k, v in sorted(acc.items()):
    print("%-40s %.2f ms" % (k, v / n * 1000))
