"""Static files from the front-end packages (node_modules, see package.json).

Only the files the pages load, each with its source map, are served and collected,
not the packages' whole `dist` folders: those hold ~15 MB of variants, sources and
type declarations that `collectstatic` hashed and compressed twice (gzip and
Brotli) on every deploy, 85 s of CPU for 84 MB (measured), for files no page asks
for. A page that needs another file adds it to VENDOR_FILES.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# Path under STATIC_URL -> file under node_modules.
VENDOR_FILES = {
    "vendor/bootstrap/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "vendor/bootstrap/css/bootstrap.min.css.map": "bootstrap/dist/css/bootstrap.min.css.map",
    "vendor/bootstrap/js/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "vendor/bootstrap/js/bootstrap.bundle.min.js.map": (
        "bootstrap/dist/js/bootstrap.bundle.min.js.map"
    ),
    "vendor/chartjs/chart.umd.js": "chart.js/dist/chart.umd.js",
    "vendor/chartjs/chart.umd.js.map": "chart.js/dist/chart.umd.js.map",
}


class VendorFinder(BaseFinder):
    """Finds the files of VENDOR_FILES in node_modules (development and collectstatic)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Path(settings.REPO_DIR) / "node_modules"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        source = VENDOR_FILES.get(path)
        if source is not None and (self.root / source).is_file():
            found = str(self.root / source)
            return [found] if find_all else found
        return []

    def list(self, ignore_patterns):
        for path, source in VENDOR_FILES.items():
            file = self.root / source
            if not file.is_file():
                continue
            storage = FileSystemStorage(location=str(file.parent))
            storage.prefix = str(Path(path).parent)
            yield file.name, storage
