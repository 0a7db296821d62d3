"""gunicorn settings for mattran (`gunicorn -c deploy/gunicorn.conf.py mattran.wsgi`).

Every value can be changed from the environment, so one file serves a laptop
and a server. gthread workers: (cores + 1) processes of 4 threads each. A request
spends much of its time waiting for PostgreSQL and Redis; threads let another
request of the same process run meanwhile, and the heavy work (imports, exports,
report rendering) runs in the job worker. Measured against the former sync
workers (2 x cores + 1 processes) in docs/capacity.md; MATTRAN_WEB_THREADS=1
brings them back.
"""

import multiprocessing
import os

bind = os.environ.get("MATTRAN_BIND", "127.0.0.1:8000").split(",")
# Requests at once per process; each thread holds its own database connection, so
# PostgreSQL sees workers x threads connections (12 on 2 cores). 1 = sync workers.
threads = int(os.environ.get("MATTRAN_WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# gthread: cores + 1 processes (one busy on Python per core, one more while others
# wait); sync: the classic (2 x cores) + 1. Capped so a big machine does not exhaust
# PostgreSQL's connections.
cores = multiprocessing.cpu_count()
workers = int(
    os.environ.get("MATTRAN_WEB_WORKERS", min(cores + 1 if threads > 1 else 2 * cores + 1, 12))
)
timeout = int(os.environ.get("MATTRAN_WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Sync workers close every connection; gthread workers would keep it open, and a
# client that reuses one just as the server closes it sees a reset: a form sent on
# it fails (make load, gthread with keep-alive 5 s: 1 write of 396). nginx talks to
# gunicorn without keep-alive by default: close after each response here too.
keepalive = 0 if threads > 1 else 5
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
