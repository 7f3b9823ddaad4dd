"""Steps shared by the compliance stories: a ledger key beside the store, a family case
with notes, and an attacker's direct access to the events table."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.store.key_files import write_signing_key
from tests.family_centre import Centre, build_centre, open_family_case


def give_ledger_key(app: Casework) -> None:
    """What `casework keys init` does for the signing key."""
    if not app.settings.signing_key_file.exists():
        write_signing_key(app.settings.signing_key_file)


def family_case(app: Casework, notes: int = 3) -> tuple[Centre, UUID]:
    centre = build_centre(app)
    case_id = open_family_case(app, centre)
    for n in range(notes):
        app.record_note(case_id, centre.worker, NoteKind.HOME_VISIT, f"home visit {n}", 45)
    return centre, case_id


@contextmanager
def attacker(app: Casework) -> Iterator[Any]:
    """A cursor on the real database with the append-only triggers dropped, as someone
    with database access would do before editing history."""
    tables = [app.database.events_table, "casework_ledger_leaves", "casework_ledger_checkpoints"]
    with app.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        if app.database.backend == "sqlite":
            for table in tables:
                for op in ("update", "delete"):
                    c.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        else:
            for table in tables:
                for trigger in (f"{table}_append_only", f"{table}_no_truncate"):
                    on = app.database.dialect.table(table)
                    c.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {on}")
        yield c


def events_table(app: Casework) -> str:
    return app.database.dialect.table(app.database.events_table)


def id_column(app: Casework) -> str:
    return "rowid" if app.database.backend == "sqlite" else "notification_id"


def param(app: Casework) -> str:
    return "?" if app.database.backend == "sqlite" else "%s"
