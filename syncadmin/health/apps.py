from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "syncadmin.health"
    verbose_name = "Health"
