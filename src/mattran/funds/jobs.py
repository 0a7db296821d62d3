"""Job handlers of the funds app (registered with mattran.core.jobs at start-up)."""

from __future__ import annotations

from mattran.core.jobs import Progress, job_handler
from mattran.core.models import Job

from .importing import statement_import_run
from .models import FundAccount

STATEMENT_IMPORT = "funds.statement_import"


@job_handler(STATEMENT_IMPORT)
def run_statement_import(
    *,
    job: Job,
    progress: Progress,
    account_id: int,
    path: str,
    file_name: str,
    layout: str,
    mapping: dict | None = None,
) -> dict:
    account = FundAccount.objects.select_related("fund__unit").get(pk=account_id)
    imp = statement_import_run(
        actor=job.created_by,
        account=account,
        path=path,
        file_name=file_name,
        layout_code=layout,
        mapping=mapping,
        progress=progress,
        job=job,
    )
    counts = imp.reconciliation_counts()
    return {
        "import_id": imp.pk,
        "rows_read": imp.rows_read,
        "receipts_created": imp.receipts_created,
        "duplicates_skipped": imp.duplicates_skipped,
        "queued": imp.queued,
        "debits": imp.debits,
        "reconciled_days": counts["reconciled"],
        "gap_days": counts["gap"],
        "unverifiable_days": counts["unverifiable"],
    }
