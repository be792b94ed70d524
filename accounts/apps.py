from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and workspaces"

    def ready(self):
        # Imported for what they register: the auth schemes' documentation, signal receivers.
        from accounts import key_cache
        from accounts.api import receivers, schema  # noqa: F401

        key_cache.connect_receivers()
