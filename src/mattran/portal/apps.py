from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "mattran.portal"
    label = "portal"
    verbose_name = "Cổng thông tin"
