from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mattran.reports"
    label = "reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from mattran.activities import checks
        from mattran.core import versions

        from .locks import approved_over, ensure_unlocked, ensure_unlocked_days, lock_message
        from .validation import activity_errors, aggregate_errors, rules_active

        checks.install(
            ensure_unlocked=ensure_unlocked,
            ensure_unlocked_days=ensure_unlocked_days,
            approved_over=approved_over,
            lock_message=lock_message,
            rules_active=rules_active,
            activity_errors=activity_errors,
            aggregate_errors=aggregate_errors,
        )
        # A submission's status is read live by every report; no figure counts it.
        versions.figures_never_read("reports.submission")
        # What every report reads and each process keeps (selectors.report_definitions).
        versions.reference_models(
            "reports.reporttemplate",
            "reports.reportsection",
            "reports.reportitem",
            "reports.indicator",
            "reports.validationrule",
        )
        # The chart's indicators are a many-to-many: `.set()` saves no template row.
        from django.db.models.signals import m2m_changed

        from .models import ReportTemplate

        m2m_changed.connect(
            _chart_indicators_changed,
            sender=ReportTemplate.chart_indicators.through,
            dispatch_uid="mattran_reports_chart_indicators",
        )


def _chart_indicators_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        from mattran.core import versions

        versions.bump([versions.REF])
