from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        # Subscribes to the codes and analytics signals: their events go into the outbox in the
        # same transaction as the change.
        from qrsite.metrics import register_state
        from webhooks import receivers  # noqa: F401
        from webhooks.metrics import delivery_states

        register_state(delivery_states)
