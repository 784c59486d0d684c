from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "syncadmin.sync"
    verbose_name = "Sync"
