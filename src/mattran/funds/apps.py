from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "mattran.funds"
    label = "funds"
    verbose_name = "Quỹ"

    def ready(self) -> None:
        from . import backup_checks, db, jobs  # noqa: F401 - backup check, SQLite ledger functions, job handler
