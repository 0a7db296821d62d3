from django.apps import AppConfig


class EmulationConfig(AppConfig):
    name = "mattran.emulation"
    label = "emulation"
    verbose_name = "Thi đua, khen thưởng"

    def ready(self) -> None:
        from .figure_families import register

        register()
