"""A batched code.scanned delivery's events move from a many-to-many list into one event row
(the delivery's message). Batches written before keep their `webhook-id` (the delivery's
`message_id`), so a pending retry is signed and sent with the same id and the same body."""

from django.db import migrations


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def batches_to_events(apps, schema_editor):
    WebhookDelivery = apps.get_model("webhooks", "WebhookDelivery")
    WebhookEvent = apps.get_model("webhooks", "WebhookEvent")
    for delivery in WebhookDelivery.objects.filter(is_batch=True).iterator():
        events = sorted(delivery.batch.select_related("workspace"), key=lambda e: e.pk)
        if not events:
            continue
        first = events[0]
        message = WebhookEvent.objects.create(
            workspace_id=first.workspace_id,
            type="code.scanned",
            created_at=first.created_at,
            data={
                "events": [
                    {
                        "id": e.public_id,
                        "type": e.type,
                        "created_at": _iso(e.created_at),
                        "workspace": e.workspace.public_id,
                        "data": e.data,
                    }
                    for e in events
                ]
            },
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(event=message)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_sandbox"),
    ]

    operations = [
        migrations.RunPython(batches_to_events, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="batch",
        ),
    ]
