"""An index on the scan time alone, for rolling up one day of every workspace's scans.

PostgreSQL gets a BRIN index: scans are appended in time order, so block ranges map to time
ranges, and the index costs the redirect's insert almost nothing (a btree would be updated on
every scan). SQLite (laptops) gets a plain btree. Raw SQL, not Meta.indexes: the index type
differs by database and the Scan model belongs to the recording code.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = "CREATE INDEX IF NOT EXISTS scan_time_brin ON analytics_scan USING brin (scanned_at)"
    else:
        sql = "CREATE INDEX IF NOT EXISTS scan_time ON analytics_scan (scanned_at)"
    schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS scan_time_brin")
    schema_editor.execute("DROP INDEX IF EXISTS scan_time")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_rollup_top_codes")]

    operations = [migrations.RunPython(create, drop)]
