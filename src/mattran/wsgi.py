import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
application = get_wsgi_application()


def startup_freeze() -> None:
    """Move the objects loaded at start-up (Django, the apps, every view module) out of
    the garbage collector's reach: they live as long as the process, and a full
    collection walked all of them on some request (stop 20: 82–88 ms inside one province
    report in 42). Run once per worker process (gunicorn imports this module in each
    worker, after the fork)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every view module now
    gc.collect()
    gc.freeze()


startup_freeze()
