"""deploy/gunicorn.conf.py: gthread workers by default (cores + 1 processes of 4
threads, no keep-alive), sync workers with MATTRAN_WEB_THREADS=1."""

import multiprocessing
import runpy

from tests.deploy.helpers import REPO

CONF = str(REPO / "deploy" / "gunicorn.conf.py")


def _conf(monkeypatch, **env):
    for name in ("MATTRAN_WEB_THREADS", "MATTRAN_WEB_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_threads_by_default_and_sync_workers_on_request(monkeypatch):
    cores = multiprocessing.cpu_count()
    conf = _conf(monkeypatch)
    assert (conf["worker_class"], conf["threads"]) == ("gthread", 4)
    assert conf["workers"] == min(cores + 1, 12)
    # a client reusing a connection the server is closing would lose a form sent on it
    assert conf["keepalive"] == 0
    conf = _conf(monkeypatch, MATTRAN_WEB_THREADS="1")
    assert (conf["worker_class"], conf["workers"]) == ("sync", min(2 * cores + 1, 12))
    conf = _conf(monkeypatch, MATTRAN_WEB_THREADS="2", MATTRAN_WEB_WORKERS="7")
    assert (conf["worker_class"], conf["threads"], conf["workers"]) == ("gthread", 2, 7)
