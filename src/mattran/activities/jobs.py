"""Job handlers of the activities app (registered with mattran.core.jobs at start-up)."""

from __future__ import annotations

from pathlib import Path

from mattran.core.jobs import Progress, job_handler
from mattran.core.models import Job
from mattran.core.periods import Period
from mattran.units.models import Unit

from .importers import bulk_import

BULK_IMPORT = "activities.bulk_import"


@job_handler(BULK_IMPORT)
def run_bulk_import(
    *,
    job: Job,
    progress: Progress,
    unit_id: int,
    period: str,
    path: str,
    include_duplicates: bool = False,
) -> dict:
    """Import an uploaded XLSX; the file is removed once read. A bad file fails the
    job with the message listing every bad row (core.jobs keeps it in the result)."""
    unit = Unit.objects.select_related("version").get(pk=unit_id)
    file = Path(path)
    try:
        with file.open("rb") as fh:
            result = bulk_import(
                actor=job.created_by,
                unit=unit,
                period=Period.parse(period) if period else None,
                source=fh,
                include_duplicates=include_duplicates,
                progress=progress,
            )
    finally:
        file.unlink(missing_ok=True)
    skipped = [str(d) for d in result.duplicates]
    message = f"Đã ghi {result.activities} hoạt động và {result.mediation} vụ việc hòa giải."
    if skipped:
        message += f" {len(skipped)} dòng trùng với dữ liệu đã có " + (
            "vẫn được ghi theo lựa chọn của bạn." if result.duplicates_written else "được bỏ qua."
        )
    progress.update(message=message)
    return {
        "activities": result.activities,
        "mediation": result.mediation,
        "period": result.period_code,
        "duplicates": skipped,
        "duplicates_written": result.duplicates_written,
    }
