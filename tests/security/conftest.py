import sys
from pathlib import Path

from django.conf import settings

from tests.reports.conftest import people, records  # noqa: F401 - shared fixtures

from .hostile import TALLY


def _summary_lines() -> list[str]:
    """How many hostile cases each test tried (none got through: each one is an assertion,
    so a failing case fails its test). Also written to $MATTRAN_DATA_DIR/reports/."""
    lines = []
    if TALLY.cases:
        report = TALLY.write(Path(settings.DATA_DIR) / "reports")
        total = sum(v["cases"] for v in report.values())
        lines.append(f"hostile input: {total} cases, none got through")
        lines += [f"  {name}: {v['cases']}" for name, v in report.items()]
    fuzz = sys.modules.get("tests.security.test_api_fuzz")  # only when it ran
    if fuzz is not None and fuzz.TALLY:
        lines.append(fuzz.fuzz_summary())
    return lines


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands its lines to the controller, which prints them
    (tests/conftest.py: pytest_testnodedown)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output.setdefault("summary_lines", []).extend(_summary_lines())


def pytest_terminal_summary(terminalreporter):
    if not hasattr(terminalreporter.config, "workeroutput"):  # a run without workers
        for line in _summary_lines():
            terminalreporter.write_line(line)
