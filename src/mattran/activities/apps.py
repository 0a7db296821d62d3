from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "mattran.activities"
    label = "activities"
    verbose_name = "Hoạt động"

    def ready(self) -> None:
        from mattran.core import versions

        from . import jobs  # noqa: F401 - job handler of the XLSX bulk entry

        # The catalogue the figures engine reads, kept per process (figures/records.py).
        versions.reference_models("activities.activitytype", "activities.dataelement")
