"""scripts/audit.py: a vulnerability fails, an unreachable service is "NOT RUN", never a pass."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]

spec = importlib.util.spec_from_file_location("audit_script", REPO_DIR / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(spec)
sys.modules["audit_script"] = audit  # dataclasses look their module up there
spec.loader.exec_module(audit)

SKIPPED = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_pip_vulnerability_fails():
    data = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [
                {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}
            ]},
            {"name": "babel", "version": "2.18.0", "vulns": []},
        ]
    }  # fmt: skip
    outcome = audit.classify_pip_audit(data)
    assert outcome.status == audit.VULNERABLE
    assert outcome.details == ["django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)"]


def test_pip_nothing_looked_up_is_not_a_pass():
    outcome = audit.classify_pip_audit({"dependencies": [SKIPPED, SKIPPED]})
    assert outcome.status == audit.NOT_RUN
    assert outcome.summary.startswith("0 of 2 packages")
    assert audit.classify_pip_audit(None, "ConnectionError").status == audit.NOT_RUN


def test_pip_partial_and_pass():
    ok = {"name": "babel", "version": "2.18.0", "vulns": []}
    assert audit.classify_pip_audit({"dependencies": [ok, SKIPPED]}).status == audit.PARTIAL
    assert audit.classify_pip_audit({"dependencies": [ok]}).status == audit.PASS


def test_npm_outcomes():
    unreachable = {"message": "405 Method Not Allowed", "statusCode": 405, "error": {}}
    assert audit.classify_npm_audit(unreachable).status == audit.NOT_RUN
    clean = {"metadata": {"vulnerabilities": {"total": 0}, "dependencies": {"total": 3}}}
    assert audit.classify_npm_audit(clean).status == audit.PASS
    bad = {
        "vulnerabilities": {"bootstrap": {"severity": "moderate", "range": "<5.3.9"}},
        "metadata": {"vulnerabilities": {"moderate": 1, "total": 1}, "dependencies": {"total": 3}},
    }
    outcome = audit.classify_npm_audit(bad)
    assert outcome.status == audit.VULNERABLE
    assert outcome.details == ["bootstrap: moderate (<5.3.9)"]


@pytest.mark.parametrize(
    ("outcomes", "require", "code"),
    [
        ([audit.PASS, audit.PASS], False, 0),
        ([audit.PASS, audit.VULNERABLE], False, 1),
        ([audit.NOT_RUN, audit.PASS], False, 0),
        ([audit.NOT_RUN, audit.PASS], True, 2),
        ([audit.NOT_RUN, audit.VULNERABLE], True, 1),
    ],
)
def test_exit_codes(monkeypatch, capsys, outcomes, require, code):
    python, npm = (
        audit.Outcome(tool, status, "…")
        for tool, status in zip(["python", "npm"], outcomes, strict=True)
    )
    monkeypatch.setattr(audit, "run_pip_audit", lambda: python)
    monkeypatch.setattr(audit, "run_npm_audit", lambda: npm)
    assert audit.main(["--require"] if require else []) == code
    out = capsys.readouterr().out
    if audit.NOT_RUN in outcomes:
        assert "DID NOT RUN. This is NOT a pass" in out


def test_the_real_audit_runs_and_says_what_it_did():
    result = subprocess.run(
        [sys.executable, str(REPO_DIR / "scripts" / "audit.py")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    for tool in ("python", "npm"):
        status = next(line for line in lines if line.startswith(f"AUDIT {tool}: "))
        assert status.split(": ", 1)[1].split(" - ")[0] in {
            audit.PASS,
            audit.PARTIAL,
            audit.VULNERABLE,
            audit.NOT_RUN,
        }
