from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "syncadmin.accounts"
    verbose_name = "Accounts"
