"""The sealed event store: envelope encryption with per-case keys, the msgspec mapper,
append-only recorders for SQLite and PostgreSQL, and the database settings.

Nothing in the domain (`casework.aggregates`) knows this package exists.
"""
