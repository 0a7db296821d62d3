from django.apps import AppConfig


class LedgerLogConfig(AppConfig):
    name = "mattran.ledgerlog"
    label = "ledgerlog"
    verbose_name = "Sổ cái công khai kiểm chứng được"

    def ready(self) -> None:
        from mattran.funds import hooks

        from .leaves import entry_leaf_hash_sql
        from .services import on_entries_booked

        hooks.register_entries_booked(on_entries_booked)
        hooks.register_leaf_hash_sql(entry_leaf_hash_sql)
