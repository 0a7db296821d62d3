from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mattran.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
