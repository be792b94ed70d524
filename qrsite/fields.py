"""Model fields shared by the apps."""

from django.db import models


class JSONField(models.JSONField):
    """Django's JSONField, bulk-inserted row by row in VALUES on PostgreSQL.

    Django 5.2 bulk-inserts literal values through `UNNEST(%s::jsonb[])`, which has psycopg
    write every document into the text form of an array, escaping each of its quotes with a
    regular-expression callback: about a millisecond per kilobyte of JSON. A flush's batched
    scan events (100 events of ~1.5 KB each per row) spent 90 % of their time there. A field
    with its own placeholder keeps Django on plain VALUES, where each document is one
    parameter."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"
