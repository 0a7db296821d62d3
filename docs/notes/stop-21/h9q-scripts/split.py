import sys, time, collections
sys.path.insert(0, "benchmarks")
from _setup import connection, make_fund, scratch_database
from pathlib import Path
path = Path(sys.argv[1])
spent = collections.defaultdict(float)
def wrap(cls, name):
    f = getattr(cls, name)
    def w(*a, **k):
        t = time.thread_time()
        try: return f(*a, **k)
        finally: spent[f"{cls.__name__}.{name}"] += time.thread_time() - t
    setattr(cls, name, w)
with scratch_database():
    from mattran.funds import importing
    from mattran.ledgerlog import services
    wrap(importing._Import, "flush"); wrap(importing._StagedWriter, "write"); wrap(importing._StagedWriter, "_send_postings")
    wrap(importing._StagedWriter, "close")
    import mattran.funds.importing as imp
    orig = imp.donor_name
    fund, account = make_fund(name="Quỹ s", number="9123456")
    t0 = time.thread_time()
    importing.statement_import_run(actor=None, account=account, path=path, file_name=path.name, layout_code="vcb")
    total = time.thread_time() - t0
    n = 100000
    print(f"main thread total {total/n*1e6:.1f} us/line")
    for k, v in spent.items(): print(f"  {k}: {v/n*1e6:.1f} us/line")
