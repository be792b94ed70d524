from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_idempotency"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="idempotencyrecord",
            name="workspace",
        ),
    ]
