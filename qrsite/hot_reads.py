"""Reads on the API's hot path, as SQL written once instead of compiled per request.

Compiling a queryset costs Django about a millisecond for a row with a few joins, several
times the query itself on a local database, and an authenticated API call made three such
reads before its handler ran. The statements here are built from the models' own metadata
at first use (so a new column is picked up without editing SQL), executed with plain
parameters, and their rows turned into model instances with the same database converters
the ORM applies (SQLite hands back datetimes as text).

On PostgreSQL they run as server-side prepared statements (``DB_PREPARED_HOT_READS``): the
planner's work on a four-table join took longer than the join (0.26 ms of planning against
0.09 ms of execution; the key lookup went from 0.72 to 0.29 ms), and Django's client-side
binding never prepares. They still go through Django's cursor wrapper, so query logging,
`assertNumQueries` and error wrapping see them.

Only for a few fixed lookups by indexed columns; everything else goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.db.models import Model

try:
    import psycopg
except ImportError:  # pragma: no cover - the embedded default (SQLite) needs no driver
    psycopg = None

if psycopg is not None:

    class _PreparedCursor(psycopg.Cursor):
        """Server-side binding, each statement prepared on the connection at first use."""

        # Set where Django logs queries (DEBUG, assertNumQueries): its log reads the
        # statement's text from `_query`, which psycopg leaves empty for a prepared one.
        keep_statement_text = False

        def execute(self, query, params=None, *, prepare=None, binary=None):
            result = super().execute(query, params, prepare=True, binary=binary)
            if self.keep_statement_text and self._query is None:
                self._query = self._convert_query(query, params)
            return result


def _cursor(connection):
    if psycopg is None or connection.vendor != "postgresql" or not settings.DB_PREPARED_HOT_READS:
        return connection.cursor()
    # What `connection.cursor()` does, with a cursor of our class instead of the backend's.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _PreparedCursor(connection.connection)
        cursor.keep_statement_text = connection.queries_logged
        return connection._prepare_cursor(cursor)


@dataclass(frozen=True)
class Part:
    """One model's columns in a joined row, under a table alias."""

    model: type[Model]
    alias: str
    # Where the model's columns start in the row; set by HotRead.
    start: int = 0
    fields: tuple = field(default=(), compare=False)
    pk_index: int = 0

    def select_list(self, quote) -> str:
        return ", ".join(f"{quote(self.alias)}.{quote(f.column)}" for f in self.fields)

    def instance(self, row: Sequence, converters, connection) -> Model | None:
        values = list(row[self.start : self.start + len(self.fields)])
        if values[self.pk_index] is None:  # a LEFT JOIN that matched nothing
            return None
        for i, column, steps in converters:
            for step in steps:
                values[i] = step(values[i], column, connection)
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], values)


class HotRead:
    """`SELECT <every column of each part> FROM ... WHERE ...`, with `{alias}` placeholders in
    `tail` for quoted table names; `fetch(params)` returns one instance per part, or None when
    no row matched."""

    def __init__(self, parts: Sequence[tuple[type[Model], str]], tail: str, using="default"):
        self._spec = parts
        self._tail = tail
        self._using = using
        self._compiled = None

    def _compile(self):
        connection = connections[self._using]
        quote = connection.ops.quote_name
        parts, start = [], 0
        for model, alias in self._spec:
            fields = tuple(model._meta.concrete_fields)
            pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
            parts.append(
                Part(model=model, alias=alias, start=start, fields=fields, pk_index=pk_index)
            )
            start += len(fields)
        tables = {
            f"{alias}_table": quote(model._meta.db_table) + " " + quote(alias)
            for model, alias in self._spec
        }
        aliases = {alias: quote(alias) for _, alias in self._spec}
        sql = (
            "SELECT "
            + ", ".join(part.select_list(quote) for part in parts)
            + " "
            + self._tail.format(**tables, **aliases)
        )
        converters = [self._converters(part, connection) for part in parts]
        self._compiled = (sql, parts, converters)
        return self._compiled

    @staticmethod
    def _converters(part: Part, connection):
        found = []
        for i, model_field in enumerate(part.fields):
            column = model_field.get_col(part.alias)
            steps = connection.ops.get_db_converters(column) + model_field.get_db_converters(
                connection
            )
            if steps:
                found.append((i, column, steps))
        return found

    def fetch(self, params: Sequence) -> list[Model | None] | None:
        """The first matching row's instances, one per part; None when nothing matched."""
        rows = self._rows(params, one=True)
        return rows[0] if rows else None

    def fetch_all(self, params: Sequence) -> list[list[Model | None]]:
        return self._rows(params, one=False)

    def _rows(self, params: Sequence, *, one: bool) -> list[list[Model | None]]:
        sql, parts, converters = self._compiled or self._compile()
        connection = connections[self._using]
        with _cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = [cursor.fetchone()] if one else cursor.fetchall()
        return [
            [
                part.instance(row, steps, connection)
                for part, steps in zip(parts, converters, strict=True)
            ]
            for row in rows
            if row is not None
        ]
