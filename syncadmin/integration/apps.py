from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "syncadmin.integration"
    verbose_name = "Integration settings"

    def ready(self) -> None:
        from syncadmin.integration import defaults  # noqa: F401  (connect signals)
