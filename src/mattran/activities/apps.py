from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "mattran.activities"
    label = "activities"
    verbose_name = "Hoạt động"
