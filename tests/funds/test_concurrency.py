"""Parallel workers on real, separate database connections: no overdraft, no voucher gaps.

Each thread opens its own connection (Django gives every thread one), waits at
a barrier, then tries its disbursement at the same moment. On PostgreSQL the
fund row lock (SELECT ... FOR UPDATE) serialises them; on SQLite the BEGIN
IMMEDIATE write transaction does.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from mattran.core.errors import UserFacingError
from mattran.funds import selectors, services
from mattran.funds.models import LedgerEntry, Purpose

WORKERS = 8


def _run_parallel(target, n=WORKERS):
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_disbursements_never_overdraw(fund, editor):
    services.receipt_create(
        actor=editor, fund=fund, amount=1_000_000, booked_on=dt.date(2023, 3, 1)
    )
    main_backend_pid = _backend_id()

    def pay(i):
        services.disbursement_create(
            actor=editor,
            fund=fund,
            amount=300_000,
            booked_on=dt.date(2023, 3, 2),
            purpose=Purpose.GIFTS,
            memo=f"suất quà {i}",
        )
        return _backend_id()

    results = _run_parallel(pay)
    ok = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, UserFacingError)]
    assert len(ok) == 3, results
    assert len(refused) == WORKERS - 3, results
    assert all("Không đủ số dư" in r.message for r in refused)
    if connection.vendor == "postgresql":  # really separate server sessions
        assert len(set(ok)) == 3 and main_backend_pid not in ok
    assert selectors.fund_balance(fund=fund) == 100_000
    numbers = sorted(
        LedgerEntry.objects.filter(fund=fund, voucher_series="PC").values_list(
            "voucher_number", flat=True
        )
    )
    assert numbers == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_parallel_receipts_get_continuous_voucher_numbers(fund, editor):
    def receive(i):
        return services.receipt_create(
            actor=editor, fund=fund, amount=1_000 + i, booked_on=dt.date(2023, 4, 1)
        ).voucher_number

    results = _run_parallel(receive)
    assert sorted(results) == list(range(1, WORKERS + 1)), results


def _backend_id():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    return threading.get_ident()
