import sys
from pathlib import Path

from django.conf import settings

from tests.reports.conftest import people, records  # noqa: F401 - shared fixtures

from .hostile import TALLY


def pytest_terminal_summary(terminalreporter):
    """How many hostile cases each test tried (none got through: each one is an assertion,
    so a failing case fails its test). Also written to $MATTRAN_DATA_DIR/reports/."""
    if TALLY.cases:
        report = TALLY.write(Path(settings.DATA_DIR) / "reports")
        total = sum(v["cases"] for v in report.values())
        terminalreporter.write_line(f"hostile input: {total} cases, none got through")
        for name, v in report.items():
            terminalreporter.write_line(f"  {name}: {v['cases']}")
    fuzz = sys.modules.get("tests.security.test_api_fuzz")  # only when it ran
    if fuzz is not None and fuzz.TALLY:
        terminalreporter.write_line(fuzz.fuzz_summary())
