"""SQL that runs on either backend, for casework's own tables beside the events."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID


@contextmanager
def one_statement(datastore: Any) -> Iterator[Any]:
    """A cursor of the SQLite store outside any explicit transaction, for one statement:
    it is its own snapshot, and BEGIN and ROLLBACK around it are two more calls into
    SQLite. Every request makes such reads (its session, its records' last versions),
    on the event loop for the session (ADR 0061), where each call lets a handler thread
    take the GIL, which the loop must then wait to get back."""
    with datastore.get_connection(commit=False) as connection, connection.cursor() as cursor:
        yield cursor


class Dialect:
    """Writes statements once: `?` parameters become psycopg's `%s` on PostgreSQL, and
    `{name}` marks become table names, schema-qualified where a schema is set."""

    def __init__(self, backend: str, schema: str = "") -> None:
        self.backend = backend
        self.postgres = backend == "postgres"
        self.schema = schema
        self.blob = "bytea" if self.postgres else "BLOB"
        self.bigint = "bigint" if self.postgres else "INTEGER"
        self.uuid = "uuid" if self.postgres else "TEXT"

    def table(self, name: str) -> str:
        return f'"{self.schema}".{name}' if self.postgres and self.schema else name

    def sql(self, statement: str, **tables: str) -> str:
        for mark, name in tables.items():
            statement = statement.replace(f"{{{mark}}}", self.table(name))
        return statement.replace("?", "%s") if self.postgres else statement

    def uuid_param(self, value: UUID) -> Any:
        """A UUID as the column stores it (text on SQLite)."""
        return value if self.postgres else value.hex

    @staticmethod
    def uuid_value(value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(value)
