from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "mattran.access"
    label = "access"
    verbose_name = "Phân quyền"
