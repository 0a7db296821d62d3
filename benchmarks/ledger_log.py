"""The public ledger log (issue 15): append cost in an import, proof latency at scale, storage.

    MATTRAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
        python benchmarks/ledger_log.py --import-rows 100000 --leaves 1000000

Three measurements on a scratch PostgreSQL database, each next to a naive
baseline measured in the same run:

1. Import: a statement of --import-rows rows (the VCB sample replicated, as
   benchmarks/funds_import.py) imported with the log's listener and, into a
   second fund, without it. Prints rows/s both ways and the time spent
   appending leaves (hashing the leaves, COPY of the leaf rows, tiles).
   Baseline: appending the same kind of leaves one write at a time (what a
   per-row service call costs: lock, one leaf, its tiles), on a slice.
2. Proofs: a log of --leaves leaves (leaf rows by generate_series, each with a
   committed memo of ~45 characters, tiles by
   the real append code from random leaf hashes, a million at a time), then
   --queries inclusion proofs (random leaf, to the full tree, each verified
   against the root) and consistency proofs (random first size), timed
   end to end as the API computes them (leaf lookup by entry id + tiles).
   Baseline: the same proof computed from all leaf hashes read from the
   database (what a log without the node cache must do), on a prefix of at
   most --naive-leaves leaves.
3. Storage: bytes per leaf of ledgerlog_logleaf and ledgerlog_logtile
   (tables, indexes, TOAST), from pg_total_relation_size.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _setup import connection, make_fund, scratch_database


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


class CpuClock:
    """CPU seconds of this process and of its PostgreSQL backend (load-independent cost)."""

    def __enter__(self):
        from funds_import import _backend_cpu

        connection.ensure_connection()
        self._backend = _backend_cpu
        self._pid = connection.connection.info.backend_pid
        self._t = (time.process_time(), _backend_cpu(self._pid))
        return self

    def __exit__(self, *exc):
        self.client = time.process_time() - self._t[0]
        self.server = self._backend(self._pid) - self._t[1]


def bench_import(rows: int, slice_rows: int) -> None:
    from django.db import transaction
    from funds_import import replicate

    from mattran.funds import hooks, importing
    from mattran.funds.models import LedgerEntry
    from mattran.ledgerlog import services as log_services
    from mattran.ledgerlog.leaves import ENTRY_FIELDS, entry_leaf
    from mattran.ledgerlog.models import LogLeaf

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statement.csv"
        replicate(rows, path)

        spent = {"log": 0.0}
        real = log_services.on_entries_booked

        def timed(**kwargs):
            t = time.perf_counter()
            real(**kwargs)
            spent["log"] += time.perf_counter() - t

        results = {}
        for label, listeners in (("without the log", []), ("with the log", [timed])):
            fund, account = make_fund(name=f"Quỹ {label}", number=f"99{len(results)}0011001932418")
            saved = list(hooks._listeners)
            hooks._listeners[:] = listeners
            try:
                t = time.perf_counter()
                importing.statement_import_run(
                    actor=None,
                    account=account,
                    path=path,
                    file_name=path.name,
                    layout_code="vcb",
                )
                results[label] = time.perf_counter() - t
            finally:
                hooks._listeners[:] = saved
        leaves = LogLeaf.objects.count()
        without, with_log = results["without the log"], results["with the log"]
        print(f"== Import of {rows:,} rows (VCB sample replicated), PostgreSQL")
        print(f"   without the log: {without:6.1f} s  {rows / without:8,.0f} rows/s")
        print(f"   with the log:    {with_log:6.1f} s  {rows / with_log:8,.0f} rows/s")
        print(
            f"   leaves appended: {leaves:,} in {spent['log']:.2f} s "
            f"({leaves / max(spent['log'], 1e-9):,.0f} leaves/s; "
            f"{spent['log'] / with_log:.0%} of the import)"
        )

        # naive baseline: one append (lock, leaf, tiles) per ledger line, as a per-row service
        sample = list(LedgerEntry.objects.order_by("pk").values(*ENTRY_FIELDS)[:slice_rows])

        t = time.perf_counter()
        for row in sample:
            with transaction.atomic():
                state = log_services._lock_state()
                leaf = entry_leaf(row)
                leaf["id"] = -row["id"]  # another source id: the real leaf exists already
                log_services._append(state, 2, [leaf])
        naive = time.perf_counter() - t
        print(
            f"   naive, one append per line ({len(sample):,} lines): "
            f"{len(sample) / naive:,.0f} leaves/s"
        )


def fill(leaves: int, chunk: int = 1_000_000) -> float:
    """Leaf rows by generate_series (the real ledger lines in id order when the database
    holds them, as benchmarks/scale_data.py fills it), tiles by the real append code."""
    from mattran.ledgerlog import tree
    from mattran.ledgerlog.models import LogState

    start = LogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    if start >= leaves:
        return 0.0
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM funds_ledgerentry WHERE id <= %s", [leaves])
        if cursor.fetchone()[0] == leaves and not start:  # ids 1..leaves: leaf i is line i + 1
            cursor.execute(
                'INSERT INTO ledgerlog_logleaf ("index", source, source_id, memo) '
                "SELECT id - 1, 1, id, memo FROM funds_ledgerentry WHERE id <= %s",
                [leaves],
            )
        else:
            cursor.execute(
                'INSERT INTO ledgerlog_logleaf ("index", source, source_id, memo) '
                "SELECT i, 1, 1000000000 + i, 'ung ho dong bao bi thiet hai do bao so 3 ' || i "
                "FROM generate_series(%s, %s) AS i",
                [start, leaves - 1],
            )
    n = start
    while n < leaves:
        m = min(chunk, leaves - n)
        data = os.urandom(32 * m)
        tree.append(n, [data[i : i + 32] for i in range(0, len(data), 32)])
        n += m
        print(f"   … {n:,} leaves", file=sys.stderr)
    LogState.objects.update_or_create(pk=1, defaults={"size": leaves})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledgerlog_logleaf; ANALYZE ledgerlog_logtile")
    return time.perf_counter() - t


def bench_proofs(leaves: int, queries: int, naive_leaves: int) -> None:
    from mattran.ledgerlog import selectors, tree
    from mattran.ledgerlog.models import LogLeaf
    from mattran.ledgerlog.verifier import (
        consistency_proof,
        inclusion_proof,
        verify_consistency,
        verify_inclusion,
    )

    rng = random.Random(15)
    size = leaves
    root = tree.root(size)
    inc, con = [], []
    picked = [rng.randrange(size) for _ in range(queries)]
    sources = dict(
        LogLeaf.objects.filter(index__in=picked, source=1).values_list("index", "source_id")
    )
    inc_cpu = CpuClock().__enter__()
    for index in picked:
        if index not in sources:
            continue  # a leaf of another kind (the naive baseline's)
        t = time.perf_counter()
        # what the API answers: leaf row by entry id, log size, ledger row, tiles, hashing
        answer = selectors.inclusion_public(entry_id=sources[index], size=size)
        inc.append(time.perf_counter() - t)
        proof = [bytes.fromhex(p) for p in answer["proof"]]
        verify_inclusion(index, size, bytes.fromhex(answer["leaf_hash"]), proof, root)
    inc_cpu.__exit__()
    answers = []
    con_cpu = CpuClock().__enter__()
    for _ in range(queries):
        first = rng.randrange(1, size)
        t = time.perf_counter()
        answer = selectors.consistency_public(first=first, second=size)
        con.append(time.perf_counter() - t)
        answers.append((first, [bytes.fromhex(p) for p in answer["proof"]]))
    con_cpu.__exit__()
    for first, proof in answers:  # verified outside the timed loop (tree.root reads tiles)
        verify_consistency(first, size, tree.root(first), root, proof)

    def summary(xs):
        xs = sorted(xs)
        return (
            f"median {_ms(statistics.median(xs))}, p95 {_ms(xs[int(len(xs) * 0.95) - 1])}, "
            f"max {_ms(xs[-1])}"
        )

    print(f"== Proofs at {size:,} leaves ({queries} each, every proof verified)")
    print(f"   inclusion (as the API: leaf, size, ledger row, tiles): {summary(inc)}")
    print(f"   consistency (as the API: size, tiles, hashing):       {summary(con)}")
    print(
        "   CPU per proof, this process + its PostgreSQL backend: "
        f"inclusion {_ms(inc_cpu.client / len(inc))} + "
        f"{_ms(inc_cpu.server / len(inc))}, consistency {_ms(con_cpu.client / len(con))} + "
        f"{_ms(con_cpu.server / len(con))}"
    )
    print(f"   load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")

    # naive: read every leaf hash, compute the proof from the list
    n = min(size, naive_leaves)
    t = time.perf_counter()
    hashes = selectors._stored_leaf_hashes(0, n)
    index = rng.randrange(n)
    inclusion_proof(hashes, index, n)
    naive_inc = time.perf_counter() - t
    t = time.perf_counter()
    consistency_proof(hashes, rng.randrange(1, n), n)
    naive_con = time.perf_counter() - t
    print(
        f"   naive (all leaf hashes read, proof from the list) at {n:,} leaves: "
        f"inclusion {_ms(naive_inc)}, consistency {_ms(naive_con)} (hashing only)"
    )


def bench_verifier(size: int, heads: int) -> None:
    """`mattran verify-log` without --full at `size` leaves: `heads` signed heads (sizes spread
    over the log, as daily heads would be), their signatures, forks and one consistency proof
    per step, read straight from the database; next to it, what --full would download."""
    from django.test import override_settings

    from mattran.ledgerlog import tree
    from mattran.ledgerlog.keys import key_create, signing_key
    from mattran.ledgerlog.models import TreeHead
    from mattran.ledgerlog.selectors import DbSource
    from mattran.ledgerlog.verifier import head_message, verify_log

    with (
        tempfile.TemporaryDirectory() as tmp,
        override_settings(LEDGER_KEY_FILE=Path(tmp) / "bench-key.pem"),
    ):
        if not TreeHead.objects.exists():  # a kept database keeps the heads of its first run
            key_create()
            private, key = signing_key()
            sizes = sorted({max(1, size * (i + 1) // heads) for i in range(heads)})
            stamp = int(time.time() * 1000)
            made = []
            for n, s in enumerate(sizes):
                root = tree.root(s)
                made.append(
                    TreeHead(
                        size=s,
                        root=root,
                        timestamp_ms=stamp + n,
                        key=key,
                        signature=private.sign(head_message(s, root, stamp + n)),
                    )
                )
            TreeHead.objects.bulk_create(made)
        sizes = sorted(set(TreeHead.objects.values_list("size", flat=True)))
        lines: list[str] = []
        t = time.perf_counter()
        with CpuClock() as cpu:
            ok, _ = verify_log(DbSource(), out=lines.append)
        took = time.perf_counter() - t
        assert ok, lines
        print(f"== Verifier without --full at {size:,} leaves, {len(sizes)} signed heads")
        print(
            f"   {took:.2f} s wall, CPU {cpu.client:.2f} s + {cpu.server:.2f} s (backend); "
            f"{len(sizes) - 1} consistency proofs; 0 leaves read "
            f"(--full would read {size:,} leaves in {size // 1000:,} requests of 1,000)"
        )
        print(f"   load average: {os.getloadavg()[0]:.1f}")
        for line in lines[:3]:
            print(f"   | {line}")


def storage() -> None:
    from mattran.ledgerlog.models import LogState

    size = LogState.objects.get(pk=1).size
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('ledgerlog_logleaf'), "
            "pg_total_relation_size('ledgerlog_logtile'), "
            "pg_relation_size('ledgerlog_logleaf'), pg_relation_size('ledgerlog_logtile')"
        )
        leaf_total, tile_total, leaf_heap, tile_heap = cursor.fetchone()
    print(f"== Storage at {size:,} leaves")
    print(f"   leaf rows: {leaf_total / size:.1f} B/leaf ({leaf_heap / size:.1f} heap + indexes)")
    print(f"   tiles:     {tile_total / size:.1f} B/leaf ({tile_heap / size:.1f} heap)")
    print(f"   total:     {(leaf_total + tile_total) / size:.1f} B/leaf")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--naive-slice", type=int, default=2_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive-leaves", type=int, default=1_000_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--heads", type=int, default=0, help="signed heads for the verifier run")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--fill-only", action="store_true", help="fill the log, measure nothing")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL (MATTRAN_DATABASE_URL=postgresql://…).")
    with scratch_database(keep=args.keep):
        if not args.skip_import:
            bench_import(args.import_rows, args.naive_slice)
        if args.leaves:
            seconds = fill(args.leaves)
            print(f"== Log filled to {args.leaves:,} leaves in {seconds:.0f} s", flush=True)
            if args.fill_only:
                return
            bench_proofs(args.leaves, args.queries, args.naive_leaves)
            if args.heads:
                bench_verifier(args.leaves, args.heads)
        storage()


if __name__ == "__main__":
    main()
