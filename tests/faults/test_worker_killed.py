"""Kill the job worker (SIGKILL, a real `mattran worker` process on the database
queue) in the middle of a large statement import: nothing of the import is in
the database afterwards, the job shows it was interrupted, and a restarted
worker runs it again to the end, exactly once.

Runs on SQLite and on PostgreSQL (whichever the suite runs on): the worker
subprocess uses the test database itself.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db.models import Count, Sum

from mattran.core import jobs
from mattran.core.models import AuditEvent, Job, JobStatus
from mattran.funds import services
from mattran.funds.jobs import STATEMENT_IMPORT
from mattran.funds.models import (
    AccountKind,
    EntryKind,
    FundKind,
    LedgerEntry,
    StatementImport,
    StatementLine,
)
from tests.deploy.helpers import REPO, base_env
from tests.faults.helpers import database_url, write_large_vcb

HEARTBEAT = 2.0  # seconds; production default 30
ROWS = int(os.environ.get("MATTRAN_FAULT_IMPORT_ROWS", "200000"))
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def real_queue(settings):
    settings.TASKS = DB_QUEUE
    settings.MATTRAN_JOB_HEARTBEAT_SECONDS = HEARTBEAT


def _worker(settings, *args: str) -> subprocess.Popen:
    # The worker must share this process's "jobs" cache (progress and heartbeat):
    # the same data directory for the file cache, the same Redis when there is one.
    shared_cache = {"MATTRAN_REDIS_URL": settings.REDIS_URL} if settings.REDIS_URL else {}
    env = base_env(
        settings.DATA_DIR,
        MATTRAN_DATABASE_URL=database_url(),
        MATTRAN_TASK_BACKEND="db",
        MATTRAN_JOB_HEARTBEAT_SECONDS=str(HEARTBEAT),
        **shared_cache,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "mattran.cli", "worker", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    return proc.stdout.read() if proc.stdout else ""


@pytest.fixture
def relief(transactional_db):
    from tests.factories import make_unit

    unit = make_unit("Ban Cứu trợ Trung ương", code="00")
    fund = services.fund_create(
        actor=None,
        unit=unit,
        name="Quỹ cứu trợ bão Yagi 2024",
        kind=FundKind.RELIEF,
        opened_on=dt.date(2024, 9, 1),
    )
    account = services.fund_account_create(
        actor=None,
        fund=fund,
        kind=AccountKind.BANK,
        bank_name="Vietcombank",
        account_number="0011001932418",
    )
    return fund, account


def _import_footprint(fund, account) -> dict[str, int]:
    return {
        "imports": StatementImport.objects.filter(account=account).count(),
        "lines": StatementLine.objects.filter(account=account).count(),
        # The statement's lines; the account's opening balance taken from the
        # statement (one entry of kind OPENING) is counted apart.
        "entries": LedgerEntry.objects.filter(fund=fund).exclude(kind=EntryKind.OPENING).count(),
        "audit": AuditEvent.objects.filter(action="statement.import").count(),
    }


def test_killed_worker_leaves_no_partial_import_and_a_restart_finishes_it_once(
    relief, real_queue, settings, tmp_path
):
    fund, account = relief
    path = tmp_path / "vcb-lon.csv"
    rows = write_large_vcb(path, ROWS)
    job = jobs.job_start(
        kind=STATEMENT_IMPORT,
        unit=fund.unit,
        params={
            "account_id": account.pk,
            "path": str(path),
            "file_name": path.name,
            "layout": "vcb",
            "mapping": None,
        },
    )
    first_task = job.task_id

    worker = _worker(settings, "--name", "worker-to-kill")
    try:
        deadline = time.monotonic() + 180
        while True:
            job.refresh_from_db()
            progress = jobs.job_progress(job)
            if job.status == JobStatus.RUNNING and progress["done"] > 0:
                break
            assert job.status != JobStatus.DONE, "the import finished before it could be killed"
            assert worker.poll() is None, _stop(worker)
            assert time.monotonic() < deadline, f"no progress: {progress}"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        output = _stop(worker)
    assert worker.returncode == -signal.SIGKILL, output
    done_when_killed = progress["done"]
    assert 0 < done_when_killed < rows

    # Nothing of the import is in the database: no import, no line, no receipt.
    assert _import_footprint(fund, account) == {"imports": 0, "lines": 0, "entries": 0, "audit": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1  # the dead run's claim
    time.sleep(HEARTBEAT + 0.5)  # its heartbeat runs out
    assert jobs.job_progress(job)["message"] == jobs.INTERRUPTED_MESSAGE

    # A restarted worker re-queues the interrupted job and runs it to the end.
    restarted = _worker(settings, "--burst", "--name", "worker-restarted")
    try:
        restarted.wait(timeout=600)
    finally:
        output = _stop(restarted)
    assert restarted.returncode == 0, output
    assert f"Công việc #{job.pk} ({STATEMENT_IMPORT}) bị dừng giữa chừng" in output
    assert "Traceback" not in output, output

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.status, job.message, output)
    assert job.attempts == 2 and job.task_id != first_task
    imp = StatementImport.objects.get(account=account)
    assert job.result["import_id"] == imp.pk
    assert imp.rows_read == rows and imp.duplicates_skipped == 0
    footprint = _import_footprint(fund, account)
    assert footprint == {
        "imports": 1,
        "lines": imp.lines_created,
        # Every statement line is booked: credits as receipts, debits as payments.
        "entries": imp.receipts_created + imp.debits,
        "audit": 1,
    }
    # Each statement line booked at most once, and the money adds up to the import's figures.
    per_line = (
        LedgerEntry.objects.filter(fund=fund)
        .values("statement_line")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not per_line.exists()
    booked = LedgerEntry.objects.filter(fund=fund).exclude(kind=EntryKind.OPENING)
    assert booked.aggregate(s=Sum("amount"))["s"] == imp.receipts_amount + imp.debits_amount
    assert LedgerEntry.objects.filter(fund=fund, kind=EntryKind.OPENING).count() <= 1
    # No voucher number lost to the crash: each series (receipts, payments) has no gap.
    series = booked.values_list("voucher_series", flat=True)
    for code in set(series):
        numbers = list(
            LedgerEntry.objects.filter(fund=fund, voucher_series=code)
            .order_by("voucher_number")
            .values_list("voucher_number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1)), code

    # The database queue's entry of the killed run is closed, the rerun's succeeded.
    from django_tasks_db.models import DBTaskResult

    statuses = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    assert statuses[first_task] == "FAILED"
    assert statuses[job.task_id] == "SUCCESSFUL"


@pytest.mark.django_db
def test_recovery_spares_live_jobs_and_gives_up_after_max_attempts(settings, real_queue):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    alive = Job.objects.create(kind=STATEMENT_IMPORT, status=JobStatus.RUNNING, started_at=old)
    dead = Job.objects.create(
        kind=STATEMENT_IMPORT, status=JobStatus.RUNNING, started_at=old, attempts=1
    )
    hopeless = Job.objects.create(
        kind=STATEMENT_IMPORT,
        status=JobStatus.RUNNING,
        started_at=old,
        attempts=jobs.MAX_ATTEMPTS,
    )
    jobs._cache().set(jobs._alive_key(alive.pk), "host:1", timeout=60)
    try:
        recovered = {j.pk: j.status for j in jobs.jobs_recover_interrupted()}
    finally:
        jobs._cache().delete(jobs._alive_key(alive.pk))
    assert recovered == {dead.pk: JobStatus.QUEUED, hopeless.pk: JobStatus.FAILED}
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING
    hopeless.refresh_from_db()
    assert "dừng giữa chừng 3 lần" in hopeless.message and hopeless.finished_at


@pytest.mark.django_db
def test_a_job_is_claimed_once(settings):
    """Two runners of one queued job (e.g. a stale worker and its replacement): one runs it."""
    calls = []

    @jobs.job_handler("tests.count_calls")
    def count_calls(*, job, progress):
        calls.append(job.pk)
        # A second runner while this one works: the claim is taken, it returns at once.
        assert jobs.job_run(job.pk).status == JobStatus.RUNNING
        return {"ok": True}

    job = jobs.job_start(kind="tests.count_calls", enqueue=False)
    assert jobs.job_run(job.pk).status == JobStatus.DONE
    assert jobs.job_run(job.pk).status == JobStatus.DONE  # finished: not run again
    assert calls == [job.pk]
