"""`mattran worker`: run the job worker of whichever task backend is configured.

One command for Procfiles and systemd units: the database-backed worker of
django-tasks-db by default, the RQ worker (with django-tasks-rq's job class)
when MATTRAN_TASK_BACKEND=rq.

Before it consumes the queue it re-queues jobs whose worker died in the middle
(mattran.core.jobs.jobs_recover_interrupted): restarting a crashed worker, as
systemd does, finishes what the crash interrupted.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DB_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý công việc nền (theo MATTRAN_TASK_BACKEND: db hoặc rq)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Xử lý hết công việc đang chờ rồi thoát (dùng cho kiểm thử, cron).",
        )
        parser.add_argument("--name", default=None, help="Tên tiến trình (hiện trong nhật ký).")

    def handle(self, *args, burst: bool = False, name: str | None = None, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend in (DB_BACKEND, RQ_BACKEND):
            from mattran.core.jobs import jobs_recover_interrupted

            for job in jobs_recover_interrupted():
                self.stderr.write(
                    f"Công việc #{job.pk} ({job.kind}) bị dừng giữa chừng: "
                    + ("đã đưa lại vào hàng đợi." if job.status == "queued" else "đánh dấu lỗi.")
                )
        queues = list(settings.TASKS["default"].get("QUEUES") or ["default"])
        if backend == RQ_BACKEND:
            kwargs = {"job_class": "django_tasks_rq.Job", "burst": burst}
            if name:
                kwargs["name"] = name
            call_command("rqworker", *queues, **kwargs)
        elif backend == DB_BACKEND:
            kwargs = {"batch": burst, "reload": False, "queue_name": ",".join(queues)}
            if name:
                kwargs["worker_id"] = name
            call_command("db_worker", **kwargs)
        else:
            raise CommandError(
                f"Backend công việc nền {backend} không cần tiến trình riêng "
                "(hoặc chưa được hỗ trợ bởi lệnh này)."
            )
