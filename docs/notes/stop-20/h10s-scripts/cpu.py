import sys, os, time, statistics
sys.path.insert(0, "/work/wt/h10s/benchmarks"); sys.path.insert(0, "/work/wt/h10s/src")
import bench_rollup as b
b.setup_django(os.environ["MATTRAN_BENCH_DATABASE_URL"])
from mattran.core.periods import Period
from mattran.reports.selectors import report_build
from mattran.units.models import StructureVersion, Unit
version = StructureVersion.objects.get(code=b.VERSION)
period = Period.parse("2025-9M")
province = Unit.objects.filter(version=version, level=1).order_by("path").first()
commune = Unit.objects.filter(version=version, level=3).order_by("path").first()
for name, unit in (("province", province), ("commune", commune)):
    b.fresh(); report_build(user=None, unit=unit, period=period, version=version)
    cpu = []
    for _ in range(int(sys.argv[1])):
        b.fresh()
        c0 = time.process_time()
        report_build(user=None, unit=unit, period=period, version=version)
        cpu.append(time.process_time() - c0)
    cpu.sort()
    print(name, "cpu min %.2f p25 %.2f median %.2f ms" % (cpu[0]*1000, cpu[len(cpu)//4]*1000, statistics.median(cpu)*1000))
