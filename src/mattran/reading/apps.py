from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "mattran.reading"
    verbose_name = "Đọc báo cáo cũ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mattran.reports.checks import install_text_checker

        from .checker import check_text

        install_text_checker(check_text)
