"""`mattran check_worker`: enqueue a probe task and wait until a worker ran it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from mattran.core.tasks import worker_probe


class Command(BaseCommand):
    help = "Gửi một công việc thử vào hàng đợi và chờ tiến trình nền xử lý xong."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="Số giây chờ tối đa.")

    def handle(self, *args, timeout: float, **options):
        result = worker_probe.enqueue()
        deadline = time.monotonic() + timeout
        while True:
            result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"Tiến trình nền đã xử lý công việc thử: {result.return_value}")
                return
            if result.status == TaskResultStatus.FAILED:
                raise CommandError(f"Công việc thử bị lỗi: {result.errors}")
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Sau {timeout:g} giây chưa có tiến trình nền nào xử lý công việc thử "
                    f"(mã {result.id}). Hãy kiểm tra `mattran worker`."
                )
            time.sleep(0.2)
