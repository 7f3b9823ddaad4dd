"""Trigger names fit PostgreSQL's 63-byte identifiers and stay unique, so a long table
name no longer makes the append-only and no-truncate triggers collide (one of them was
silently skipped): both are created, and both refuse."""

import psycopg
import pytest

from casework.store.triggers import IDENTIFIER_LIMIT, postgres_append_only, trigger_name
from tests.conftest import POSTGRES_URL


def test_long_table_names_give_short_unique_trigger_names() -> None:
    long = "casework_" + "x" * 70
    names = {
        trigger_name(table, purpose)
        for table in (long + "_a", long + "_b")
        for purpose in ("append_only", "no_truncate", "no_update", "no_delete", "guard")
    }
    assert len(names) == 10
    assert all(len(n.encode()) <= IDENTIFIER_LIMIT for n in names)
    assert trigger_name("stored_events", "no_update") == "stored_events_no_update"


@pytest.mark.postgres
def test_both_triggers_exist_and_refuse_on_a_long_table_name(postgres_settings: object) -> None:
    table = "casework_events_of_a_centre_with_a_very_long_application_name_indeed"
    assert len(f"{table}_append_only") > IDENTIFIER_LIMIT
    schema = str(postgres_settings.database_url).split("schema=")[1]  # type: ignore[attr-defined]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{schema}".{table} (n int)')
        for _ in range(2):  # a second start finds them and creates nothing twice
            for statement in postgres_append_only(schema, table):
                conn.execute(statement)
        found = conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            (f'"{schema}".{table}',),
        ).fetchall()
        assert {name for (name,) in found} == {
            trigger_name(table, "append_only"),
            trigger_name(table, "no_truncate"),
        }
        conn.execute(f'INSERT INTO "{schema}".{table} VALUES (1)')
        for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET n = 2", f"TRUNCATE {table}"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement.replace(table, f'"{schema}".{table}'))
