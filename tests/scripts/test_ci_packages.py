""".ci/install-packages decides by Debian package, not by a binary another package provides.

Runs the real script with stub `dpkg-query` and `apt-get` first on PATH: the stub
answers from a list of installed packages and records what apt-get was asked.
"""

import os
import subprocess
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
SCRIPT = REPO_DIR / ".ci" / "install-packages"

DPKG_QUERY = """#!/bin/sh
for pkg; do :; done  # the last argument
if grep -qx "$pkg" "$STUB_DIR/installed"; then printf 'install ok installed'; exit 0; fi
printf 'dpkg-query: no packages found matching %s\\n' "$pkg" >&2; exit 1
"""
APT_GET = """#!/bin/sh
echo "$@" >> "$STUB_DIR/apt.log"
"""


def run(tmp_path: Path, installed: list[str]) -> list[str]:
    for name, body in (("dpkg-query", DPKG_QUERY), ("apt-get", APT_GET)):
        path = tmp_path / name
        path.write_text(body)
        path.chmod(0o755)
    (tmp_path / "installed").write_text("".join(f"{p}\n" for p in installed))
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "STUB_DIR": str(tmp_path)}
    subprocess.run([str(SCRIPT)], env=env, check=True, capture_output=True, text=True)
    log = tmp_path / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


def test_writer_without_calc_installs_calc(tmp_path):
    # The machine CI failed on: soffice present (Writer), Calc absent.
    calls = run(
        tmp_path,
        ["chromium", "libreoffice-writer-nogui", "fonts-liberation2", "poppler-utils"],
    )
    assert calls == [
        "update -qq",
        "install -y -qq --no-install-recommends libreoffice-calc-nogui",
    ]


def test_the_desktop_variant_counts_as_installed(tmp_path):
    installed = ["chromium", "libreoffice-writer", "libreoffice-calc", "fonts-liberation2"]
    assert run(tmp_path, [*installed, "poppler-utils"]) == []


def test_a_bare_machine_gets_everything(tmp_path):
    assert run(tmp_path, []) == [
        "update -qq",
        "install -y -qq chromium",
        "install -y -qq --no-install-recommends libreoffice-writer-nogui "
        "libreoffice-calc-nogui fonts-liberation2 poppler-utils",
    ]
