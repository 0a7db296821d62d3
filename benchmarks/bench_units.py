"""Subtree queries at national scale: one indexed range query vs a naive walk.

Builds a structure version shaped like Vietnam after 1 July 2025 (34 provinces,
3,321 communes, ~100,000 residential areas) in a scratch version, then times:

* `Unit.subtree_q` (one range query on the materialised path), and
* a naive breadth-first walk issuing one query per level of children,

for a province, and the visible-units query of a user with several grants.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        .venv/bin/python benchmarks/bench_units.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from mattran.access.models import Grant, Role  # noqa: E402
from mattran.access.policy import AccessPolicy  # noqa: E402
from mattran.units.models import Level, StructureVersion, Unit  # noqa: E402
from mattran.units.services import unit_paths_assign  # noqa: E402

PROVINCES, COMMUNES, AREAS = 34, 3321, 100_000
CODE = "bench-national"


def build() -> StructureVersion:
    version = StructureVersion.objects.filter(code=CODE).first()
    if version:
        return version
    with transaction.atomic():
        version = StructureVersion.objects.create(
            code=CODE, name="Benchmark national", valid_from=dt.date(2025, 7, 1)
        )
        provinces = [
            Unit(version=version, level=Level.PROVINCE, kind="Tỉnh", name=f"Tỉnh {i}", code=f"P{i}")
            for i in range(PROVINCES)
        ]
        unit_paths_assign(provinces)
        communes = [
            Unit(
                version=version,
                parent=provinces[i % PROVINCES],
                level=Level.COMMUNE,
                kind="Xã",
                name=f"Xã {i}",
                code=f"C{i}",
            )
            for i in range(COMMUNES)
        ]
        unit_paths_assign(communes)
        areas = [
            Unit(
                version=version,
                parent=communes[i % COMMUNES],
                level=Level.RESIDENTIAL_AREA,
                kind="Thôn",
                name=f"Thôn {i}",
            )
            for i in range(AREAS)
        ]
        unit_paths_assign(areas)
    return version


def timed(fn, repeat: int = 20) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def naive_subtree_count(root: Unit) -> int:
    total, frontier = 1, [root.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        total += len(frontier)
    return total


def naive_recursive_count(unit_id: int) -> int:
    """What a per-unit loop costs: one query per unit."""
    return 1 + sum(
        naive_recursive_count(c)
        for c in Unit.objects.filter(parent_id=unit_id).values_list("pk", flat=True)
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    version = build()
    print(
        f"vendor={connection.vendor} units in version: {version.units.count():,} "
        f"(built/checked in {time.perf_counter() - start:.1f}s)"
    )
    province = version.units.get(code="P7")
    ms_range, n_range = timed(lambda: Unit.objects.filter(Unit.subtree_q(province.path)).count())
    ms_bfs, n_bfs = timed(lambda: naive_subtree_count(province))
    ms_rec, n_rec = timed(lambda: naive_recursive_count(province.pk), repeat=3)
    assert n_range == n_bfs == n_rec, (n_range, n_bfs, n_rec)
    print(f"subtree of one province ({n_range:,} units):")
    print(f"  path range, 1 query         median {ms_range:8.2f} ms")
    print(f"  level-by-level walk         median {ms_bfs:8.2f} ms")
    print(f"  per-unit recursion (naive)  median {ms_rec:8.2f} ms")

    user, _ = get_user_model().objects.get_or_create(username="bench-user")
    Grant.objects.filter(user=user).delete()
    for code in ("P3", "P11", "C100", "C2000", "C3000"):
        Grant.objects.create(user=user, unit=version.units.get(code=code), role=Role.VIEWER)
    policy = AccessPolicy(user)
    ms_vis, n_vis = timed(lambda: policy.units().filter(version=version).count())
    print(f"visible units for a user with 5 grants ({n_vis:,} units): median {ms_vis:.2f} ms")
    with connection.cursor() as cursor:
        sql, params = (
            Unit.objects.filter(Unit.subtree_q(province.path)).values("pk").query.sql_with_params()
        )
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            print("plan:", " | ".join(r[0].strip() for r in cursor.fetchall()[:3]))


if __name__ == "__main__":
    sys.exit(main())
