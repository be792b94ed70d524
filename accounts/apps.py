from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and workspaces"

    def ready(self):
        from accounts.api import schema  # noqa: F401 - registers the auth schemes' documentation
