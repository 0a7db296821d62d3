"""The load test is a script (scripts/loadtest.sh, `make load`), not part of the suite;
this only proves its scenario definitions load, in a subprocess (locust patches
the standard library with gevent when imported)."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCUST = Path(sys.executable).with_name("locust")


def test_locustfile_defines_the_three_kinds_of_users(tmp_path):
    env = {"PATH": str(LOCUST.parent), "LOAD_SEED": str(tmp_path / "absent.json")}
    result = subprocess.run(
        [str(LOCUST), "-f", "loadtest/locustfile.py", "--list"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    users = set(result.stdout.split())
    assert {"WardEditor", "Approver", "PublicDonor"} <= users, result.stdout


def test_task_ratios_follow_the_seed(tmp_path):
    seed = {
        "period": "2025-Q4",
        "city": {"id": 1, "name": "Thành phố Hà Nội"},
        "wards": [
            {"id": i, "code": f"{i:05d}", "name": f"Phường {i}", "user": f"tai.{i}"}
            for i in range(1, 11)
        ],
        "approvers": ["tai.pheduyet.1", "tai.pheduyet.2"],
        "password": "x",
        "donors": ["Nguyễn Văn An"],
        "public_funds": [1],
        "activity_type": 1,
    }
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [str(LOCUST), "-f", "loadtest/locustfile.py", "--show-task-ratio-json", "-u", "20"],
        cwd=REPO,
        env={"PATH": str(LOCUST.parent), "LOAD_SEED": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ratios = json.loads(result.stdout[result.stdout.index("{") :])["per_class"]
    # One editor per ward, one session per approver, the rest are the public.
    assert ratios["WardEditor"]["ratio"] == 10 / 20
    assert ratios["Approver"]["ratio"] == 2 / 20
    assert ratios["PublicDonor"]["ratio"] == 8 / 20
    assert set(ratios["Approver"]["tasks"]) == {"rollup", "completeness", "export", "approve"}
