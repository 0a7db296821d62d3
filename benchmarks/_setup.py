"""Shared set-up: Django on a scratch test database (created and dropped by the benchmark)."""

import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
os.environ.setdefault("MATTRAN_DATA_DIR", str(ROOT / "var"))
os.environ.setdefault("MATTRAN_DEBUG", "0")  # debug mode keeps every SQL query in memory
os.environ.setdefault("MATTRAN_SECRET_KEY", "benchmark-only")
os.environ.setdefault("MATTRAN_ALLOWED_HOSTS", "localhost")  # required with MATTRAN_DEBUG=0

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from mattran.demo.data import STATEMENTS_DIR as STATEMENTS  # noqa: E402 - the samples' home

VCB_FILE = STATEMENTS / "vcb-0011001932418-2024-09-01_part00.csv"


@contextlib.contextmanager
def scratch_database(keep: bool = False):
    """A test database (test_<name>), migrated; dropped at the end unless `keep`."""
    from mattran.funds.db import ledger_maintenance

    old = connection.settings_dict["NAME"]
    # serialize=False: no JSON dump of the whole (kept, possibly huge) database
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
    try:
        yield
    finally:
        if keep:
            connection.close()
        else:
            with ledger_maintenance():
                connection.creation.destroy_test_db(old, verbosity=0)


def make_fund(name="Quỹ thử nghiệm", number="0011001932418"):
    import datetime as dt

    from mattran.funds import services
    from mattran.units.models import Level, StructureVersion, Unit
    from mattran.units.services import unit_paths_assign

    version, _ = StructureVersion.objects.get_or_create(
        code="bench", defaults={"name": "bench", "valid_from": dt.date(2020, 1, 1)}
    )
    unit = Unit(version=version, level=Level.PROVINCE, kind="Thành phố", name=f"Thử {name}")
    unit_paths_assign([unit])
    fund = services.fund_create(
        actor=None, unit=unit, name=name, kind="relief", opened_on=dt.date(2020, 1, 1)
    )
    account = services.fund_account_create(
        actor=None, fund=fund, kind="bank", bank_name="Vietcombank", account_number=number
    )
    return fund, account
