"""Background jobs with progress: one API for imports, exports and report rendering.

Usage::

    @job_handler("funds.statement_import")
    def run_import(*, job: Job, progress: Progress, account_id: int, ...) -> dict:
        progress.update(0, total=n, message="Đang đọc tệp")
        ...
        return {"created": 12}          # stored as Job.result (JSON)

    job = job_start(kind="funds.statement_import", actor=user, unit=unit, params={...})
    job_progress(job)   # {"status", "done", "total", "percent", "message"} for a progress bar

`job_start` creates the `Job` row and enqueues it through django-tasks (the
backend in settings.TASKS: the database backend run by `mattran db_worker`, or
the immediate backend in tests). `job_run` runs a job in this process (the
worker calls it; so does a command-line tool that wants its own progress bar,
through `on_progress`).

Live progress goes to the "jobs" cache, not the database: the work itself
usually runs in one long write transaction (all-or-nothing imports), whose
row updates nobody else can see before it commits, and which on SQLite holds
the only write lock. The final figures are written to the row.

A worker that dies in the middle of a job (killed, out of memory, machine
restart) leaves nothing half-written — the handler's transaction is rolled
back — but its job would stay "running" and its queue entry claimed forever.
So a running job keeps a heartbeat in the "jobs" cache (a thread refreshes it
every few seconds, whatever the handler does), and `jobs_recover_interrupted`,
run by `mattran worker` when it starts, puts every running job whose heartbeat
has stopped back on the queue (at most MAX_ATTEMPTS runs, then it is marked
failed). Handlers must therefore be safe to run again after an interruption:
all-or-nothing, and deduplicating (the statement import is both). A job is
claimed with one conditional UPDATE, so two workers never run it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .errors import UserFacingError
from .models import Job, JobStatus
from .text import printable

logger = logging.getLogger(__name__)

__all__ = [
    "Progress",
    "job_handler",
    "job_is_alive",
    "job_progress",
    "job_run",
    "job_start",
    "jobs_recover_interrupted",
]

# Runs of one job before an interruption marks it failed instead of re-queueing it
# (a file that kills the worker every time must not loop forever).
MAX_ATTEMPTS = 3
INTERRUPTED_MESSAGE = (
    "Tiến trình xử lý đã dừng giữa chừng; chưa ghi dữ liệu nào. "
    "Công việc sẽ được chạy lại khi tiến trình nền khởi động lại."
)


class Handler(Protocol):
    def __call__(self, *, job: Job, progress: Progress, **params: Any) -> dict | None: ...


_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of this kind."""

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


def _cache():
    try:
        return caches["jobs"]
    except Exception:  # noqa: BLE001 - fall back when no "jobs" cache is configured
        return caches["default"]


def _cache_key(job_id: int) -> str:
    return f"mattran:job:{job_id}:progress"


def _alive_key(job_id: int) -> str:
    return f"mattran:job:{job_id}:alive"


def _heartbeat_ttl() -> float:
    """Seconds after which a running job without heartbeat counts as interrupted."""
    return float(getattr(settings, "MATTRAN_JOB_HEARTBEAT_SECONDS", 30))


class _Heartbeat:
    """Refreshes the job's "alive" key from a thread while the handler runs."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.ttl = _heartbeat_ttl()
        self.value = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def _beat(self) -> None:
        _cache().set(_alive_key(self.job_id), self.value, timeout=max(1, round(self.ttl)))

    def _run(self) -> None:
        interval = max(self.ttl / 6, 0.2)
        while not self._stop.wait(interval):
            try:
                self._beat()
            except Exception:  # noqa: BLE001 - a cache hiccup must not kill the job
                logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._beat()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        _cache().delete(_alive_key(self.job_id))


def job_is_alive(job: Job) -> bool:
    """Whether a worker is running this job right now (its heartbeat is fresh)."""
    return _cache().get(_alive_key(job.pk)) is not None


class Progress:
    """Progress reporter handed to a job handler; writes at most every `interval` seconds."""

    def __init__(
        self,
        job: Job,
        *,
        interval: float = 0.25,
        on_progress: Callable[[int, int | None, str], None] | None = None,
    ):
        self.job = job
        self.done = 0
        self.total: int | None = job.total
        self.message = job.message
        self.interval = interval
        self.on_progress = on_progress
        self._last = 0.0

    def update(
        self,
        done: int | None = None,
        *,
        total: int | None = None,
        message: str | None = None,
        force: bool = False,
    ) -> None:
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message
        now = time.monotonic()
        if force or message is not None or now - self._last >= self.interval:
            self._last = now
            _cache().set(
                _cache_key(self.job.pk),
                {"done": self.done, "total": self.total, "message": self.message},
                timeout=24 * 3600,
            )
            if self.on_progress:
                self.on_progress(self.done, self.total, self.message)

    def advance(self, n: int = 1, *, message: str | None = None) -> None:
        self.update(self.done + n, message=message)


def job_start(
    *,
    kind: str,
    actor=None,
    unit=None,
    params: dict | None = None,
    message: str = "Đang chờ xử lý",
    enqueue: bool = True,
) -> Job:
    """Create a job and hand it to the task queue (unless enqueue=False: run it yourself)."""
    if kind not in _HANDLERS:
        raise ImproperlyConfigured(f"No job handler registered for {kind!r}")
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        message=message,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
    )
    if enqueue:
        _enqueue(job)
        job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    result = run_job_task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=result.id)


@task()
def run_job_task(job_id: int) -> str:
    """The django-tasks entry point: run one job by id."""
    return job_run(job_id).status


def job_run(
    job_id: int, *, on_progress: Callable[[int, int | None, str], None] | None = None
) -> Job:
    """Run a queued job in this process; returns the finished Job (never raises for job errors)."""
    started = timezone.now()
    # Claim: only one runner moves a queued job to running.
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=started, attempts=F("attempts") + 1
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    handler = _HANDLERS[job.kind]
    progress = Progress(job, on_progress=on_progress)
    try:
        with _Heartbeat(job.pk):
            progress.update(0, message="Đang xử lý", force=True)
            result = handler(job=job, progress=progress, **job.params)
    except UserFacingError as exc:
        # A message may quote the bad input (a header with a NUL byte, say), which a
        # PostgreSQL text field refuses: store it without the forbidden characters.
        text = printable(exc.message)
        job.status = JobStatus.FAILED
        job.message = text[:500]
        job.result = {"error": text}
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.message = "Lỗi hệ thống khi xử lý; chưa ghi dữ liệu nào. Vui lòng báo quản trị."
        job.result = {"error": job.message}
    else:
        job.status = JobStatus.DONE
        job.result = result
        job.message = progress.message if progress.message != "Đang xử lý" else "Hoàn thành"
    job.done = progress.done
    job.total = progress.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "message", "done", "total", "finished_at"])
    _cache().delete(_cache_key(job.pk))
    if on_progress:
        on_progress(job.done, job.total, job.message)
    return job


def _interrupted(job: Job) -> bool:
    """Running on paper, but no worker has shown a sign of life for a heartbeat period."""
    if job.status != JobStatus.RUNNING or job_is_alive(job):
        return False
    grace = timedelta(seconds=_heartbeat_ttl())
    return job.started_at is None or job.started_at < timezone.now() - grace


def _retire_queue_entry(task_id: str) -> None:
    """The database queue's entry of a dead run stays "running" forever: close it."""
    if not task_id:
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )


def jobs_recover_interrupted() -> list[Job]:
    """Put running jobs whose worker died back on the queue (or fail them after
    MAX_ATTEMPTS runs). Safe to call from several workers at once."""
    recovered = []
    for job_id in Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=job_id).first()
            if job is None or not _interrupted(job):
                continue
            _retire_queue_entry(job.task_id)
            if job.attempts >= MAX_ATTEMPTS:
                job.status = JobStatus.FAILED
                job.message = (
                    f"Tiến trình xử lý đã dừng giữa chừng {job.attempts} lần; chưa ghi dữ liệu "
                    "nào. Vui lòng kiểm tra tệp hoặc báo quản trị."
                )
                job.result = {"error": job.message, "interrupted": job.attempts}
                job.finished_at = timezone.now()
            else:
                job.status = JobStatus.QUEUED
                job.message = (
                    "Tiến trình xử lý đã dừng giữa chừng; chưa ghi dữ liệu nào. Đang chạy lại."
                )
                transaction.on_commit(lambda job=job: _enqueue(job))
            job.save(update_fields=["status", "message", "result", "finished_at"])
            _cache().delete(_cache_key(job.pk))
            logger.warning("job %s (%s) interrupted; now %s", job.pk, job.kind, job.status)
            recovered.append(job)
    return recovered


def job_progress(job: Job) -> dict[str, Any]:
    """What a progress bar needs: status, done, total, percent (0–100 or None), message."""
    data = {"done": job.done, "total": job.total, "message": job.message}
    if job.status == JobStatus.RUNNING:
        data.update(_cache().get(_cache_key(job.pk)) or {})
        if _interrupted(job):
            data["message"] = INTERRUPTED_MESSAGE
    total = data.get("total")
    done = data.get("done") or 0
    if job.status == JobStatus.DONE:
        percent: int | None = 100
    elif total:
        percent = min(100, (100 * done) // total)
    else:
        percent = None
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": done,
        "total": total,
        "percent": percent,
        "message": data.get("message") or "",
        "finished": job.is_finished,
    }
