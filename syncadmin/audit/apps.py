from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "syncadmin.audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from syncadmin.audit import log  # noqa: F401  (connect signals)
