from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mattran.api"
    verbose_name = "API"
