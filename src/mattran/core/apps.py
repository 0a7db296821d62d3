from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mattran.core"
    label = "core"
    verbose_name = "Dùng chung"

    def ready(self):
        from django.urls import register_converter

        from . import converters, text, versions

        text.install()  # one text normaliser on every input, clean text in every export
        # `<id:pk>` and `<year:year>` in every URL pattern (core/converters.py)
        register_converter(converters.IdConverter, "id")
        register_converter(converters.YearConverter, "year")
        versions.install_signals()  # a ledger row saved outside a service bumps it too
