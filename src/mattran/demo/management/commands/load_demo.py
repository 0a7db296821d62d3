from django.core.management.base import BaseCommand

from mattran.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu (Hà Nội 2023 và 2025, ủy ban MTTQ Đống Đa, Thanh Xuân, tài khoản demo). "
        "Chạy lại không nhân đôi dữ liệu."
    )

    def handle(self, *args, **options):
        load_demo(out=self.stdout)
