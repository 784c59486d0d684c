from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "syncadmin.usage"
    verbose_name = "API usage"
