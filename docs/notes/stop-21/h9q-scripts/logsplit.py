import sys, time, collections
sys.path.insert(0, "benchmarks")
from _setup import connection, make_fund, scratch_database
from pathlib import Path
path = Path(sys.argv[1])
spent = collections.defaultdict(float)
def wrap(mod, name, label=None):
    f = getattr(mod, name)
    def w(*a, **k):
        t = time.perf_counter()
        try: return f(*a, **k)
        finally: spent[label or name] += time.perf_counter() - t
    setattr(mod, name, w)
with scratch_database():
    from mattran.funds import importing
    from mattran.ledgerlog import services, tree
    from mattran.funds import hooks
    wrap(tree, "append"); wrap(tree, "_write_tiles"); wrap(tree, "read_tiles")
    wrap(services, "log_staged")
    hooks._listeners[:] = [services.on_entries_booked]
    import psycopg
    orig_fm = psycopg.ServerCursor.fetchmany
    def fm(self, *a, **k):
        t = time.perf_counter()
        try: return orig_fm(self, *a, **k)
        finally: spent["hash SELECT fetchmany"] += time.perf_counter() - t
    psycopg.ServerCursor.fetchmany = fm
    fund, account = make_fund(name="Quỹ s", number="9123456")
    t0 = time.perf_counter()
    importing.statement_import_run(actor=None, account=account, path=path, file_name=path.name, layout_code="vcb")
    print(f"import {time.perf_counter()-t0:.1f} s")
    for k, v in spent.items(): print(f"  {k}: {v:.2f} s")
