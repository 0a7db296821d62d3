from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "mattran.reading"
    verbose_name = "Đọc báo cáo cũ"
    default_auto_field = "django.db.models.BigAutoField"
