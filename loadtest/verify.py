"""After a load run: the figures of the run, and proof that no write was lost or doubled.

    python loadtest/verify.py --seed OUT/seed.json --driver OUT/driver.json \
        --stats OUT/stats.json

Prints requests per second, median and 95th percentile latency and errors per
request type (stats.json, written by the locustfile when the run stops), then
counts the database against what the driver says it did: each activity title
recorded exactly once and audited once, each submitted ward report submitted
once, each approval once, nothing the driver did not do. Exit status 1 when a count disagrees.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path


def print_stats(path: Path) -> dict:
    figures = json.loads(path.read_text(encoding="utf-8"))
    print("\n## Requests (locust)\n")
    print("| request | count | errors | req/s | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in [*figures["entries"], {**figures["total"], "name": "**all**"}]:
        print(
            f"| {r['name']} | {r['requests']} | {r['failures']} | {r['rps']:.1f} "
            f"| {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']} |"
        )
    for e in figures["errors"]:
        print(f"error: {e['name']}: {e['error']} ({e['occurrences']}x)")
    return figures["total"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=Path, required=True)
    parser.add_argument("--driver", type=Path, required=True)
    parser.add_argument("--stats", type=Path, help="stats.json written by the locustfile")
    args = parser.parse_args()

    total = print_stats(args.stats) if args.stats and args.stats.exists() else {}

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")
    import django

    django.setup()
    from mattran.activities.models import ActivityRecord
    from mattran.core.models import AuditEvent
    from mattran.core.periods import Period
    from mattran.reports.models import Submission, SubmissionStatus

    seed = json.loads(args.seed.read_text(encoding="utf-8"))
    driver = json.loads(args.driver.read_text(encoding="utf-8"))
    period = Period.parse(driver["period"])
    ward_ids = [w["id"] for w in seed["wards"]]
    problems: list[str] = []

    unconfirmed = driver.get("unconfirmed", {})

    def compare(kind: str, in_db: Counter) -> None:
        """Confirmed writes all in the database once; nothing there the driver did
        not at least attempt (a write cut off by the end of the run may be either)."""
        confirmed = set(driver[kind])
        attempted = confirmed | set(unconfirmed.get(kind, []))
        lost = confirmed - set(in_db)
        extra = set(in_db) - attempted
        doubled = [k for k, n in in_db.items() if n > 1]
        if lost or extra or doubled or len(confirmed) != len(driver[kind]):
            problems.append(
                f"{kind}: {len(lost)} lost, {len(extra)} never sent by the driver, "
                f"{len(doubled)} doubled"
            )

    # Activities: by their unique titles; each with one audit event.
    in_db = Counter(
        ActivityRecord.objects.filter(title__startswith="[tải] ").values_list("title", flat=True)
    )
    audited = Counter(
        e["title"]
        for e in AuditEvent.objects.filter(action="activity.create").values_list("after", flat=True)
        if e and str(e.get("title", "")).startswith("[tải] ")
    )
    compare("activities", in_db)
    if audited != in_db:
        problems.append(f"activity audit {sum(audited.values())} vs {sum(in_db.values())}")

    # Ward reports: by ward; a submission or an approval counted by its audit events.
    subs = {
        s.pk: s
        for s in Submission.objects.filter(
            unit_id__in=ward_ids, period_start=period.start, period_end=period.end
        )
    }
    events = Counter(
        AuditEvent.objects.filter(
            object_type__endswith="submission", object_id__in=[str(pk) for pk in subs]
        ).values_list("object_id", "action")
    )
    submit_events = Counter(
        {subs[int(o)].unit_id: n for (o, a), n in events.items() if a.endswith("submit")}
    )
    approve_events = Counter(
        {subs[int(o)].unit_id: n for (o, a), n in events.items() if a.endswith("approve")}
    )
    compare("submissions", submit_events)
    compare("approvals", approve_events)
    db_approved = {s.unit_id for s in subs.values() if s.status == SubmissionStatus.APPROVED}
    if db_approved != set(approve_events):
        problems.append("approved reports and approval audit events disagree")
    if {s.unit_id for s in subs.values()} != set(submit_events):
        problems.append("submitted reports and submission audit events disagree")

    print("\n## Writes: driver vs database\n")
    print("| write | driver (confirmed) | database | audit events |")
    print("|---|---:|---:|---:|")
    print(
        f"| activity recorded | {len(driver['activities'])} | {sum(in_db.values())} "
        f"| {sum(audited.values())} |"
    )
    print(
        f"| report submitted | {len(driver['submissions'])} | {len(subs)} "
        f"| {sum(submit_events.values())} |"
    )
    print(
        f"| report approved | {len(driver['approvals'])} | {len(db_approved)} "
        f"| {sum(approve_events.values())} |"
    )
    unseen = {k: len(v) for k, v in unconfirmed.items() if v}
    print(f"\nwrites sent whose success the driver did not see: {unseen or 0}")
    if total:
        print(
            f"\nsummary: {total['requests']} requests, {total['rps']:.1f} req/s, "
            f"median {total['median_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms, "
            f"{total['failures']} errors; "
            f"{len(subs)}/{len(ward_ids)} wards submitted, {len(db_approved)} approved"
        )
    if problems:
        print("\nKHÔNG KHỚP / MISMATCH:\n  " + "\n  ".join(problems))
        return 1
    print("\nOK: no write lost or doubled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
