from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mattran.reports"
    label = "reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from mattran.activities import checks

        from .locks import ensure_unlocked
        from .validation import activity_errors, aggregate_errors, rules_active

        checks.install(
            ensure_unlocked=ensure_unlocked,
            rules_active=rules_active,
            activity_errors=activity_errors,
            aggregate_errors=aggregate_errors,
        )
