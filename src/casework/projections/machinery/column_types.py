"""Column types every view table uses: instants read back in UTC, and ids and log
positions stored compactly on SQLite."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Integer,
    LargeBinary,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.types import TypeEngine

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def sqlite_instant(value: datetime) -> int:
    return (value - EPOCH) // MICROSECOND


class UtcDateTime(TypeDecorator[datetime]):
    """Instants, read back time-zone aware (UTC) on both backends: `timestamptz` on
    PostgreSQL; on SQLite microseconds since 1970 (SQLite has no date type, and an
    integer sorts, compares and converts far faster than text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return sqlite_instant(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return EPOCH + value * MICROSECOND
        return value.astimezone(UTC)


class UuidBytes(TypeDecorator[UUID]):
    """A UUID as its 16 bytes: SQLite has no UUID type, and half-size keys make its
    indexes smaller and faster to write than the 32-character text SQLAlchemy uses."""

    impl = LargeBinary(16)
    cache_ok = True

    def process_bind_param(self, value: UUID | None, dialect: Dialect) -> bytes | None:
        return None if value is None else value.bytes

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> UUID | None:
        return None if value is None else UUID(bytes=value)


# Ids in every view table: native `uuid` on PostgreSQL, 16 bytes on SQLite.
Id = Uuid().with_variant(UuidBytes(), "sqlite")

# A log position. On SQLite an INTEGER PRIMARY KEY is the table's own rowid, which
# saves a separate index on append-only tables keyed by position.
Position = BigInteger().with_variant(Integer(), "sqlite")
