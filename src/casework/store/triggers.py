"""Triggers that make casework's tables refuse what they must never see: UPDATE, DELETE
and TRUNCATE on the append-only tables, and on the key table anything but a re-wrap or
a recorded destruction. Anyone who owns the database can drop a trigger; the ledger
(`casework verify`) is what catches them then.

PostgreSQL cuts identifiers at 63 bytes, so a name built from a long table name is made
short and unique: the table name cut down, and a hash of the full name.
"""

from hashlib import sha256
from typing import Any

from psycopg.sql import SQL, Identifier, Literal

IDENTIFIER_LIMIT = 63


def trigger_name(table: str, purpose: str) -> str:
    """`<table>_<purpose>`, or, when that is longer than PostgreSQL keeps, the table name
    cut so that `<cut table>_<8 hex of the full name>_<purpose>` fits in 63 bytes."""
    name = f"{table}_{purpose}"
    if len(name.encode()) <= IDENTIFIER_LIMIT:
        return name
    digest = sha256(name.encode()).hexdigest()[:8]
    room = IDENTIFIER_LIMIT - len(digest) - len(purpose) - 2
    cut = table.encode()[:room].decode(errors="ignore")
    return f"{cut}_{digest}_{purpose}"


def sqlite_append_only(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, 'no_' + op.lower())} "
        f"BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'casework: {table} is append-only; {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ]


def postgres_append_only(schema: str, table: str) -> list[Any]:
    function = Identifier(schema, "casework_refuse_change")
    qualified = f"{schema}.{table}"
    # Created only when missing: CREATE OR REPLACE TRIGGER would lock out writers.
    guarded = (
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = {lit_name} "
        "AND tgrelid = {lit_table}::regclass) THEN CREATE TRIGGER {name} {when} ON {table} "
        "FOR EACH {each} EXECUTE FUNCTION {f}(); END IF; END $$"
    )
    return [
        SQL(
            "CREATE OR REPLACE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'casework: % is append-only; % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        ).format(f=function),
        *(
            SQL(guarded).format(
                lit_name=Literal(name),
                lit_table=Literal(qualified),
                name=Identifier(name),
                when=SQL(when),
                table=Identifier(schema, table),
                each=SQL(each),
                f=function,
            )
            for name, when, each in (
                (trigger_name(table, "append_only"), "BEFORE UPDATE OR DELETE", "ROW"),
                (trigger_name(table, "no_truncate"), "BEFORE TRUNCATE", "STATEMENT"),
            )
        ),
    ]


def sqlite_key_table_guard(table: str, log: str) -> list[str]:
    """The key table keeps every row, and changes one only by a re-wrap or a destruction
    that the key log already records (in the same transaction)."""
    allowed = (
        "NEW.key_id IS OLD.key_id AND NEW.scope_id IS OLD.scope_id "  # noqa: S608 - our own tables
        "AND NEW.created_at IS OLD.created_at "
        "AND OLD.wrapped_key IS NOT NULL AND OLD.destroyed_at IS NULL AND ("
        "(NEW.wrapped_key IS NOT NULL AND NEW.destroyed_at IS NULL AND EXISTS (SELECT 1 FROM "
        f"{log} WHERE key_id = NEW.key_id AND action = 'rewrapped' "
        "AND kek_fingerprint IS NEW.kek_fingerprint)) "
        "OR (NEW.wrapped_key IS NULL AND NEW.destroyed_at IS NOT NULL AND EXISTS (SELECT 1 FROM "
        f"{log} WHERE key_id = NEW.key_id AND action = 'destroyed')))"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, 'no_delete')} BEFORE DELETE ON "
        f"{table} BEGIN SELECT RAISE(ABORT, 'casework: {table} keeps every key; DELETE "
        "refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, 'guard')} BEFORE UPDATE ON {table} "
        f"WHEN NOT ({allowed}) BEGIN SELECT RAISE(ABORT, 'casework: {table} accepts only a "
        "logged re-wrap or a logged destruction; UPDATE refused'); END",
    ]


def postgres_key_table_guard(schema: str, table: str, log: str) -> list[Any]:
    """As `sqlite_key_table_guard`; a re-wrap must also match the logged hash."""
    function = Identifier(schema, trigger_name(table, "guard"))
    body = SQL(
        "CREATE OR REPLACE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' AND NEW.key_id = OLD.key_id AND NEW.scope_id = OLD.scope_id "
        "AND NEW.created_at = OLD.created_at AND OLD.wrapped_key IS NOT NULL "
        "AND OLD.destroyed_at IS NULL AND ("
        "(NEW.wrapped_key IS NOT NULL AND NEW.destroyed_at IS NULL AND EXISTS (SELECT 1 FROM "
        "{log} WHERE key_id = NEW.key_id AND action = 'rewrapped' "
        "AND wrapped_hash = pg_catalog.sha256(NEW.wrapped_key))) "
        "OR (NEW.wrapped_key IS NULL AND NEW.destroyed_at IS NOT NULL AND EXISTS (SELECT 1 "
        "FROM {log} WHERE key_id = NEW.key_id AND action = 'destroyed'))) "
        "THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'casework: % accepts only a logged re-wrap or a logged destruction; "
        "% refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
    ).format(f=function, log=Identifier(schema, log))
    name = trigger_name(table, "guard")
    create = SQL(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = {lit_name} "
        "AND tgrelid = {lit_table}::regclass) THEN CREATE TRIGGER {name} BEFORE UPDATE OR "
        "DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {f}(); END IF; END $$"
    ).format(
        lit_name=Literal(name),
        lit_table=Literal(f"{schema}.{table}"),
        name=Identifier(name),
        table=Identifier(schema, table),
        f=function,
    )
    refuse_function, _, no_truncate = postgres_append_only(schema, table)
    return [body, create, refuse_function, no_truncate]
