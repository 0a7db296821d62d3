"""Where a request's time goes: one JSON line per request, for load runs.

Off unless ``MATTRAN_PROFILE_FILE`` names a file (``scripts/loadtest.sh`` sets it
to ``OUT/profile.jsonl``); ``scripts/load_profile.py`` summarises the lines per
request type next to locust's client-side figures. Each line holds:

- ``name``: the load driver's request type (header ``X-Load-Name``), else the
  URL pattern;
- ``wall_ms``: from the first middleware to the response, in this worker;
- ``cpu_ms``: CPU time of this request's thread in that span (Python, templates, the
  database driver; not the database server);
- ``sql_ms`` / ``sql_n``: time waiting for the database and number of statements;
- ``lock_ms``: the part of ``sql_ms`` spent in statements that take row locks
  (``FOR UPDATE``) or ``BEGIN IMMEDIATE``, i.e. mostly waiting for other writers;
- ``start``: the wall clock when the worker picked the request up, so the time
  the request waited for a free worker is the client's time minus ``wall_ms``.

The file is opened in append mode by each worker process; one ``write`` per line
of well under PIPE_BUF keeps lines whole across processes.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

LOCKING = ("FOR UPDATE", "BEGIN IMMEDIATE", "LOCK TABLE", "PG_ADVISORY")


class _SQLTimer:
    def __init__(self):
        self.n = 0
        self.ms = 0.0
        self.lock_ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = (time.perf_counter() - start) * 1000
            self.n += 1
            self.ms += spent
            head = sql[:4000].upper() if isinstance(sql, str) else ""
            if any(word in head for word in LOCKING):
                self.lock_ms += spent


class RequestProfileMiddleware:
    def __init__(self, get_response):
        path = getattr(settings, "MATTRAN_PROFILE_FILE", "")
        if not path:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.path = path

    def __call__(self, request):
        timer = _SQLTimer()
        start_clock = time.time()
        start = time.perf_counter()
        cpu = time.thread_time()  # this request's thread (gthread workers run several)
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(timer))
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        name = request.headers.get("X-Load-Name") or (
            f"{request.method} {match.route}" if match else f"{request.method} ?"
        )
        line = {
            "name": name,
            "method": request.method,
            "status": response.status_code,
            "start": round(start_clock, 3),
            "wall_ms": round((time.perf_counter() - start) * 1000, 2),
            "cpu_ms": round((time.thread_time() - cpu) * 1000, 2),
            "sql_ms": round(timer.ms, 2),
            "sql_n": timer.n,
            "lock_ms": round(timer.lock_ms, 2),
            "pid": os.getpid(),
        }
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return response
