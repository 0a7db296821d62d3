from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "mattran.units"
    label = "units"
    verbose_name = "Đơn vị"
