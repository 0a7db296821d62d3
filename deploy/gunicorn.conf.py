"""gunicorn settings for mattran (`gunicorn -c deploy/gunicorn.conf.py mattran.wsgi`).

Every value can be changed from the environment, so one file serves a laptop
and a server. Sync workers: each request holds one database connection, pages are
short and the heavy work (imports, exports, report rendering) runs in the job
worker, so processes, not threads or async, are the simple and robust choice.
"""

import multiprocessing
import os

bind = os.environ.get("MATTRAN_BIND", "127.0.0.1:8000").split(",")
# The classic (2 x cores) + 1, capped so a big machine does not exhaust
# PostgreSQL's connections (each worker holds at most one).
workers = int(
    os.environ.get("MATTRAN_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
)
# MATTRAN_WEB_THREADS > 1: gthread workers, that many requests at once per process
# (docs/capacity.md: measured against sync workers); each thread holds its own
# database connection, so connections = workers x threads.
threads = int(os.environ.get("MATTRAN_WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("MATTRAN_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows unbounded.
max_requests = int(os.environ.get("MATTRAN_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Limits on the request line and headers (uploads are limited by Django).
limit_request_line = 8190
limit_request_fields = 100
# Trust X-Forwarded-* only from the local reverse proxy / load balancer.
forwarded_allow_ips = os.environ.get("MATTRAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, not on a slow or full disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("MATTRAN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("MATTRAN_LOG_LEVEL", "info").lower()
proc_name = "mattran-web"
wsgi_app = "mattran.wsgi:application"
