"""Background tasks owned by core."""

import os
import socket

from django.db import connection
from django.utils import timezone
from django_tasks import task


@task()
def worker_probe() -> dict:
    """Answer from inside a worker: proves that a worker consumes the queue and
    reaches the database (used by `mattran check_worker` and the deploy tests)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database = cursor.fetchone()[0] == 1
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "database": database,
        "at": timezone.now().isoformat(),
    }
