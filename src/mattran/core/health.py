"""Health checks for load balancers and monitoring (`/suc-khoe/`).

Each check answers a dict with at least {"ok": bool}; a failed check never
raises. The web node is unhealthy when the database, the cache or the job
queue's store cannot be reached; a queue that merely grows (no worker running)
is reported in the figures but does not take the web node out of the pool.
"""

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections

RQ_BACKEND = "django_tasks_rq.RQBackend"
DB_BACKEND = "django_tasks_db.DatabaseBackend"
REDIS_TIMEOUT_SECONDS = 2


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_cache() -> dict:
    cache = caches["default"]
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok, "backend": cache.__class__.__name__}


def check_queue() -> dict:
    config = settings.TASKS["default"]
    backend = config["BACKEND"]
    queues = list(config.get("QUEUES") or ["default"])
    if backend == DB_BACKEND:
        from django_tasks_db.models import DBTaskResult

        pending = DBTaskResult.objects.ready().count()
        return {"ok": True, "backend": "db", "pending": pending}
    if backend == RQ_BACKEND:
        import redis
        from rq import Queue

        pending = 0
        for name in queues:
            conn = redis.Redis.from_url(
                settings.RQ_QUEUES[name]["URL"],
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            try:
                conn.ping()
                pending += Queue(name, connection=conn).count
            finally:
                conn.close()
        return {"ok": True, "backend": "rq", "pending": pending}
    # In-process backends (immediate, dummy) have no store to reach.
    return {"ok": True, "backend": backend.rsplit(".", 1)[-1]}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_queue,
}


def run_checks() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = check()
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            result = {"ok": False, "error": exc.__class__.__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return all(r["ok"] for r in results.values()), results
