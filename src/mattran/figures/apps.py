from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "mattran.figures"
    label = "figures"
    verbose_name = "Số liệu"

    def ready(self) -> None:
        # The record apps below this layer (activities, funds, units) cannot import
        # it; their figure families are registered here, once, from their models.
        from . import families  # noqa: F401
