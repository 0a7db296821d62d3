"""The ledger's money is part of every backup's fingerprint and of its restore check."""

import datetime as dt

import pytest

from mattran.core import backup
from mattran.funds import services
from mattran.funds.models import Purpose
from tests.core.test_backup import scratch_url  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_fingerprint_holds_ledger_totals_and_restore_matches(
    tmp_path,
    fund,
    editor,
    scratch_url,  # noqa: F811
):
    services.receipt_create(
        actor=editor, fund=fund, amount=1_005_000, booked_on=dt.date(2023, 3, 1), party_name="A"
    )
    services.receipt_create(
        actor=editor, fund=fund, amount=2_000_000, booked_on=dt.date(2023, 3, 2), party_name="B"
    )
    services.disbursement_create(
        actor=editor,
        fund=fund,
        amount=500_000,
        booked_on=dt.date(2023, 3, 3),
        purpose=Purpose.GIFTS,
        quantity=1,
    )
    manifest = backup.backup_create(out=tmp_path / "b.backup")
    ledger = manifest["fingerprint"]["ledger_totals_per_fund"]
    assert ledger[f"{fund.pk}:receipt:sum"] == 3_005_000
    assert ledger[f"{fund.pk}:receipt:entries"] == 2
    assert ledger[f"{fund.pk}:disbursement:sum"] == 500_000
    assert backup.backup_restore(path=tmp_path / "b.backup", target_url=scratch_url) == []
