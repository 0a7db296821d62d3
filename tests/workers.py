"""Per-worker external state when the suite runs in parallel (pytest-xdist, `make test`).

pytest-django gives each xdist worker (gw0, gw1, ...) its own test database; what lives
outside the database must be separated here, or two workers would read each other's:
- the data directory (SQLite test file, uploads, reports written by tests): a
  subdirectory per worker;
- the suite's Redis database (MATTRAN_REDIS_URL: the jobs cache, keyed by job id, which
  both workers' databases number from 1): base + worker number;
- the Redis database of the tests that flush it or run RQ (MATTRAN_TEST_REDIS_URL,
  tests/deploy/helpers.py, default 15): base - worker number, so that with the
  defaults (0 and 15) the two ranges meet only beyond 8 workers.
Without xdist (a plain `pytest`, or `-n 0`) nothing changes.
"""

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Set by pytest-xdist in each worker process before the settings are imported.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0


def redis_url(url: str, step: int) -> str:
    """`url` with its database number moved by `step` per worker (no change on gw0)."""
    if not (WORKER and url):
        return url
    match = re.fullmatch(r"(redis://[^/?#]*)(?:/(\d*))?(\?.*)?", url)
    if not match:
        raise ValueError(f"Cannot derive a per-worker Redis database from {url!r}")
    head, db, query = match.group(1), int(match.group(2) or 0), match.group(3) or ""
    number = db + step * INDEX
    if not 0 <= number <= 15:
        raise ValueError(
            f"Worker {WORKER}: Redis database {number} (from {url}) is outside 0-15; "
            "use fewer workers (PYTEST_WORKERS) or another base database."
        )
    return f"{head}/{number}{query}"


def apply_to_environment() -> None:
    """Point this worker's settings at its own data directory and Redis database
    (called by tests/settings.py before the application's settings read them; once per
    process: the first call records the worker in MATTRAN_TEST_WORKER)."""
    if not WORKER or os.environ.get("MATTRAN_TEST_WORKER") == WORKER:
        return
    os.environ["MATTRAN_TEST_WORKER"] = WORKER
    base = Path(os.environ.get("MATTRAN_DATA_DIR") or REPO / "var")
    os.environ["MATTRAN_DATA_DIR"] = str(base / WORKER)
    if os.environ.get("MATTRAN_REDIS_URL"):
        os.environ["MATTRAN_REDIS_URL"] = redis_url(os.environ["MATTRAN_REDIS_URL"], +1)
