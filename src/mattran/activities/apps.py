from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "mattran.activities"
    label = "activities"
    verbose_name = "Hoạt động"

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - job handler of the XLSX bulk entry
