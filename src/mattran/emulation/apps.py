from django.apps import AppConfig


class EmulationConfig(AppConfig):
    name = "mattran.emulation"
    label = "emulation"
    verbose_name = "Thi đua, khen thưởng"
