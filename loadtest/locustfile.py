"""The busiest hour of the year, for locust (run by scripts/loadtest.sh).

Three kinds of people at once, against a production-configured instance:
- WardEditor, one per ward of the province (126 for Hà Nội since 1 July 2025):
  signs in, records two activities of the period, opens the ward's report and
  submits it, then keeps looking at the report and the activity list;
- Approver, the city's standing board (4 accounts): opens the city roll-up of
  all wards, the submission completeness page, exports the roll-up to Excel,
  and approves each ward report as soon as it is submitted;
- PublicDonor (every other user): looks up donations by name on the public
  portal and opens fund disclosure pages.

Every write the driver believes it made is confirmed by the success message
of the page it lands on, and written to driver.json at the end; verify.py then
counts the database against it (nothing lost, nothing doubled).

Settings from the environment: LOAD_SEED (seed.json of seed.py), LOAD_OUT,
LOAD_THINK: a factor on every user's pause between actions (1 = the default
pauses of a few seconds; larger spreads the same work over more time; 0 = no
pause, the server's capacity), and LOAD_CLIENT: "fast" (default: locust's
FastHttpUser, geventhttpclient, a few times less CPU per request than the
requests library, which matters when the driver shares the server's two cores)
or "requests" (HttpUser).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from collections import deque
from pathlib import Path

from locust import FastHttpUser, HttpUser, between, events, task

HERE = Path(__file__).resolve().parent
SEED_PATH = Path(os.environ.get("LOAD_SEED", HERE / "out" / "seed.json"))
OUT = Path(os.environ.get("LOAD_OUT", HERE / "out"))
MARK = "[tải]"
THINK = float(os.environ.get("LOAD_THINK", "1"))
# Where sign-ins go: a separate pool of workers (scripts/loadtest.sh, LOAD_LOGIN_WORKERS).
LOGIN = os.environ.get("LOAD_LOGIN_HOST", "").rstrip("/") + "/dang-nhap/"
# Where writes go (scripts/loadtest.sh, LOAD_WRITE_WORKERS): a pool of workers for forms
# sent and the page that confirms them, as nginx routes them in production
# (docs/production.md): the redirect after a write is followed on the same pool, as
# its request carries Django's one-time "messages" cookie, which nginx routes there.
WRITES = os.environ.get("LOAD_WRITE_HOST", "").rstrip("/")
BaseUser = HttpUser if os.environ.get("LOAD_CLIENT", "fast") == "requests" else FastHttpUser
# FastHttpUser gives up after 60 s by default; like the requests library (no limit),
# a request waiting behind a sign-in storm on a busy machine is measured, not dropped
# (a dropped sign-in page leaves no CSRF cookie and the sign-in fails with 403).
FastHttpUser.network_timeout = FastHttpUser.connection_timeout = 600.0


def load_seed() -> dict:
    if SEED_PATH.exists():
        return json.loads(SEED_PATH.read_text(encoding="utf-8"))
    # Importable without a seeded database (the smoke test lists the user classes).
    return {
        "period": "2025-Q4",
        "city": {"id": 0, "name": ""},
        "wards": [{"id": 0, "code": "", "name": "", "user": ""}],
        "approvers": [""],
        "password": "",
        "donors": ["Nguyễn"],
        "public_funds": [0],
        "activity_type": 0,
    }


SEED = load_seed()
PERIOD = SEED["period"]
_next_ward = itertools.cycle(SEED["wards"])  # each editor takes the next ward
_next_approver = itertools.cycle(SEED["approvers"])
SUBMITTED: deque[dict] = deque()  # ward reports waiting for an approver

# What the driver did, as confirmed by the application's own success messages, and
# every write it attempted (sent, outcome unseen until confirmed): a write cut off
# by a timeout or by the end of the run may or may not have been made.
LEDGER: dict[str, list] = {
    "activities": [],  # titles of recorded activities
    "submissions": [],  # ward ids whose report was submitted
    "approvals": [],  # ward ids whose report was approved
}
ATTEMPTED: dict[str, list] = {"activities": [], "submissions": [], "approvals": []}


def _named(name: str) -> dict:
    """The request type travels to the server, so its profile lines group like locust's."""
    return {"X-Load-Name": name}


def _csrf(user) -> str:
    jar = user.client.cookiejar if isinstance(user, FastHttpUser) else user.client.cookies
    return next((c.value for c in jar if c.name == "csrftoken"), "")


def _login(user, username: str) -> bool:
    user.client.get(LOGIN, name="GET /dang-nhap/", headers=_named("GET /dang-nhap/"))
    with user.client.post(
        LOGIN,
        {"username": username, "password": SEED["password"], "csrfmiddlewaretoken": _csrf(user)},
        name="POST /dang-nhap/",
        headers=_named("POST /dang-nhap/"),
        catch_response=True,
    ) as response:
        # Signed in: redirected away from the sign-in form (FastHttpUser's response
        # carries the URL asked for, not the one redirected to: look at the page).
        if response.status_code != 200 or 'name="password"' in response.text:
            response.failure(f"login of {username} failed ({response.status_code})")
            return False
    return True


def _write(user, url: str, data: dict, *, name: str, success: str, kind: str, key):
    """POST a form; the write counts only if the landing page says it succeeded."""
    ATTEMPTED[kind].append(key)
    with user.client.post(
        WRITES + url,
        {**data, "csrfmiddlewaretoken": _csrf(user)},
        name=name,
        headers=_named(name),
        catch_response=True,
    ) as response:
        if response.status_code == 200 and success in response.text:
            LEDGER[kind].append(key)
            return True
        response.failure(f"no '{success}' after {name} ({response.status_code})")
        return False


class WardEditor(BaseUser):
    """Ward Front staff on the report deadline: record the last activities, submit."""

    fixed_count = len(SEED["wards"])
    wait_time = between(1 * THINK, 4 * THINK)

    def on_start(self):
        self.ward = next(_next_ward)
        self.to_record = 2
        self.submitted = False
        self.ready = _login(self, self.ward["user"])

    @task
    def work(self):
        if not self.ready:
            self.ready = _login(self, self.ward["user"])
            return
        ward = self.ward["id"]
        if self.to_record:
            self.client.get(
                f"/hoat-dong/don-vi/{ward}/them/",
                name="GET activity form",
                headers=_named("GET activity form"),
            )
            title = f"{MARK} Tuyên truyền {uuid.uuid4().hex[:12]}"
            day = "2025-12-0" + str(random.randint(1, 9))  # noqa: S311
            if _write(
                self,
                f"/hoat-dong/don-vi/{ward}/them/",
                {
                    "type": SEED["activity_type"],
                    "date": day,
                    "title": title,
                    "attendance": random.randint(20, 300),  # noqa: S311
                    "notes": "Ghi trong giờ cao điểm nộp báo cáo",
                },
                name="POST activity (record)",
                success="Đã ghi hoạt động",
                kind="activities",
                key=title,
            ):
                self.to_record -= 1
        elif not self.submitted:
            self.client.get(
                f"/bao-cao/{ward}/{PERIOD}/",
                name="GET report (ward)",
                headers=_named("GET report (ward)"),
            )
            if _write(
                self,
                f"/bao-cao/{ward}/{PERIOD}/nop/",
                {},
                name="POST report submit",
                success="Đã nộp báo cáo",
                kind="submissions",
                key=ward,
            ):
                self.submitted = True
                SUBMITTED.append(self.ward)
        elif random.random() < 0.5:  # noqa: S311
            self.client.get(
                f"/bao-cao/{ward}/{PERIOD}/",
                name="GET report (ward)",
                headers=_named("GET report (ward)"),
            )
        else:
            self.client.get(
                f"/hoat-dong/don-vi/{ward}/",
                name="GET activity list",
                headers=_named("GET activity list"),
            )


class Approver(BaseUser):
    """The city standing board: roll-ups, completeness, approvals."""

    fixed_count = len(SEED["approvers"])
    wait_time = between(1 * THINK, 3 * THINK)

    def on_start(self):
        self.ready = _login(self, next(_next_approver))

    @task(3)
    def rollup(self):
        if self.ready:
            city = SEED["city"]["id"]
            self.client.get(
                f"/bao-cao/{city}/{PERIOD}/",
                name="GET report (city roll-up)",
                headers=_named("GET report (city roll-up)"),
            )

    @task(2)
    def completeness(self):
        if self.ready:
            city = SEED["city"]["id"]
            self.client.get(
                f"/bao-cao/{city}/{PERIOD}/tinh-hinh-nop/",
                name="GET completeness",
                headers=_named("GET completeness"),
            )

    @task(1)
    def export(self):
        if self.ready:
            city = SEED["city"]["id"]
            self.client.get(
                f"/bao-cao/{city}/{PERIOD}/bao-cao.xlsx",
                name="GET roll-up XLSX",
                headers=_named("GET roll-up XLSX"),
            )

    @task(6)
    def approve(self):
        if not self.ready or not SUBMITTED:
            return
        ward = SUBMITTED.popleft()
        self.client.get(
            f"/bao-cao/{ward['id']}/{PERIOD}/",
            name="GET report (ward)",
            headers=_named("GET report (ward)"),
        )
        _write(
            self,
            f"/bao-cao/{ward['id']}/{PERIOD}/duyet/",
            {"comment": "Đồng ý"},
            name="POST report approve",
            success="Đã duyệt báo cáo",
            kind="approvals",
            key=ward["id"],
        )


class PublicDonor(BaseUser):
    """Anyone checking that their donation arrived."""

    weight = 1
    wait_time = between(2 * THINK, 8 * THINK)

    @task(6)
    def lookup(self):
        name = random.choice(SEED["donors"])  # noqa: S311
        words = name.split()
        if len(words) > 2 and random.random() < 0.5:  # noqa: S311
            name = " ".join(words[-2:])  # people type part of a name, without diacritics
        self.client.get(
            "/cong-khai/",
            params={"q": name},
            name="GET public lookup",
            headers=_named("GET public lookup"),
        )

    @task(2)
    def disclosure(self):
        fund = random.choice(SEED["public_funds"])  # noqa: S311
        self.client.get(
            f"/cong-khai/quy/{fund}/",
            name="GET fund disclosure",
            headers=_named("GET fund disclosure"),
        )

    @task(1)
    def portal(self):
        self.client.get(
            "/cong-khai/", name="GET public portal", headers=_named("GET public portal")
        )


@events.test_stop.add_listener
def _write_results(environment, **kwargs):
    """After the last user stopped (in-flight tasks finished): the ledger and the
    final figures per request type, both from the same moment."""
    OUT.mkdir(parents=True, exist_ok=True)
    unconfirmed = {k: [x for x in v if x not in set(LEDGER[k])] for k, v in ATTEMPTED.items()}
    data = {
        **LEDGER,
        "unconfirmed": unconfirmed,
        "period": PERIOD,
        "waiting_for_approval": [w["id"] for w in SUBMITTED],
    }
    (OUT / "driver.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    stats = environment.stats

    def row(entry):
        return {
            "name": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": round(entry.total_rps, 2),
            "median_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time or 0),
        }

    figures = {
        "entries": [row(e) for _, e in sorted(stats.entries.items())],
        "total": row(stats.total),
        "errors": [
            {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
    }
    (OUT / "stats.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), "utf-8")
