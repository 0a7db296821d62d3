"""Money operations on two funds, raced from threads or separate processes.

`run_ops` is what each racer does: a seeded random mix of disbursements,
transfers to the other fund, receipts and confirmations of transfers received,
on random days of March 2023, through the real services. It returns one
outcome per operation: ("ok" | "refused" | "error", kind, fund, amount, detail).

As a process (`python -m tests.faults.race_worker A B SEED N START`), with the
database of MATTRAN_DATABASE_URL, it waits until the wall-clock START so all
processes begin together, and prints the outcomes as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time

KINDS = ("disbursement", "transfer", "receipt", "confirm")


def run_ops(fund_ids: tuple[int, int], seed: int, n: int) -> list[tuple]:
    from mattran.core.errors import UserFacingError
    from mattran.funds import services
    from mattran.funds.models import Fund, Purpose, Transfer, TransferStatus

    rng = random.Random(seed)
    funds = {f.pk: f for f in Fund.objects.select_related("unit").filter(pk__in=fund_ids)}
    out = []
    for i in range(n):
        kind = rng.choice(KINDS)
        this, other = fund_ids if rng.random() < 0.5 else fund_ids[::-1]
        fund = funds[this]
        day = dt.date(2023, 3, rng.randint(1, 28))
        amount = rng.choice([30_000, 70_000, 120_000, 250_000])
        try:
            if kind == "disbursement":
                services.disbursement_create(
                    actor=None,
                    fund=fund,
                    amount=amount,
                    booked_on=day,
                    purpose=Purpose.GIFTS,
                    memo=f"quà {seed}-{i}",
                )
            elif kind == "transfer":
                services.transfer_send(
                    actor=None,
                    from_fund=fund,
                    to_fund=funds[other],
                    amount=amount,
                    sent_on=day,
                    purpose_text=f"điều chuyển {seed}-{i}",
                )
            elif kind == "receipt":
                amount = amount // 2
                services.receipt_create(
                    actor=None, fund=fund, amount=amount, booked_on=day, memo=f"thu {seed}-{i}"
                )
            else:
                pending = (
                    Transfer.objects.filter(to_fund_id=this, status=TransferStatus.PENDING)
                    .order_by("pk")
                    .first()
                )
                if pending is None:
                    out.append(("refused", kind, this, 0, "nothing pending"))
                    continue
                amount = pending.amount
                services.transfer_confirm(
                    actor=None, transfer=pending, received_on=dt.date(2023, 3, 28)
                )
            out.append(("ok", kind, this, amount, ""))
        except UserFacingError as exc:
            out.append(("refused", kind, this, amount, exc.message))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            out.append(("error", kind, this, amount, f"{type(exc).__name__}: {exc}"))
    return out


def main(argv: list[str]) -> None:
    import django

    django.setup()
    fund_a, fund_b, seed, n, start = argv
    time.sleep(max(0.0, float(start) - time.time()))
    print(json.dumps(run_ops((int(fund_a), int(fund_b)), int(seed), int(n))))


if __name__ == "__main__":
    main(sys.argv[1:])
