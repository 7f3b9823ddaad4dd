"""Steps shared by the compliance stories: a ledger key beside the store, a family case
with notes, one with a lawyer on summary scope, and an attacker's direct access to the
events table (overwriting an event's state, deleting events)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from casework.aggregates.base import Actor
from casework.aggregates.case import NoteKind, TeamScope
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.compliance import EventProof
from casework.projections import Projections
from casework.store.key_files import write_signing_key
from casework.store.ledger import LogRow
from casework.store.triggers import trigger_name
from tests.builders.centre import (
    FamilyCentre,
    family_centre,
    join_team,
    open_family_case,
    write_note,
)


def give_ledger_key(app: Casework) -> None:
    """What `casework keys init` does for the signing key."""
    if not app.settings.signing_key_file.exists():
        write_signing_key(app.settings.signing_key_file)


def family_case(app: Casework, notes: int = 3) -> tuple[FamilyCentre, UUID]:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    for n in range(notes):
        write_note(app, centre.worker, case_id, f"home visit {n}", NoteKind.HOME_VISIT, 45)
    return centre, case_id


def proved_event(app: Casework, notes: int) -> tuple[UUID, EventProof]:
    """A family case with `notes` notes, checkpointed: its third event's proof, which
    verifies."""
    give_ledger_key(app)
    _, case_id = family_case(app, notes=notes)
    app.checkpoint()
    proof = app.prove_event(case_id, 3)
    assert proof.verifies()
    return case_id, proof


def case_with_a_law_note(app: Casework, law_narrative: str) -> tuple[FamilyCentre, UUID]:
    """A family case with the centre's lawyer on summary scope, the worker's home visit
    note and the lawyer's law note."""
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    join_team(app, centre.worker, case_id, centre.lawyer, Discipline.LAW, TeamScope.SUMMARY)
    write_note(app, centre.worker, case_id, "a home visit", NoteKind.HOME_VISIT, 60)
    write_note(
        app,
        centre.lawyer,
        case_id,
        law_narrative,
        NoteKind.OFFICE_INTERVIEW,
        30,
        discipline=Discipline.LAW,
    )
    return centre, case_id


@contextmanager
def attacker(app: Casework) -> Iterator[Any]:
    """A cursor on the real database with the append-only triggers dropped, as someone
    with database access would do before editing history."""
    tables = [
        app.database.events_table,
        "casework_ledger_leaves",
        "casework_ledger_checkpoints",
        "casework_key_log",
        "casework_data_keys",
    ]
    purposes = ("no_update", "no_delete", "append_only", "no_truncate", "guard")
    with app.factory.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        for table in tables:
            for purpose in purposes:
                trigger = trigger_name(table, purpose)
                if app.database.backend == "sqlite":
                    c.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                else:
                    on = app.database.dialect.table(table)
                    c.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON {on}')
        yield c


def events_table(app: Casework) -> str:
    return app.database.dialect.table(app.database.events_table)


def id_column(app: Casework) -> str:
    return "rowid" if app.database.backend == "sqlite" else "notification_id"


def param(app: Casework) -> str:
    return "?" if app.database.backend == "sqlite" else "%s"


def set_state(app: Casework, cursor: Any, notification_id: int, state: bytes) -> None:
    """The attacker overwrites one stored event's sealed state in place."""
    p = param(app)
    cursor.execute(
        f"UPDATE {events_table(app)} SET state = {p} WHERE {id_column(app)} = {p}",
        (state, notification_id),
    )


def delete_events_from(app: Casework, cursor: Any, first: int, last: int | None = None) -> None:
    """The attacker deletes the stored events from `first` on (to `last`, if given)."""
    p, column = param(app), id_column(app)
    where = f"{column} >= {p}" + (f" AND {column} <= {p}" if last is not None else "")
    cursor.execute(
        f"DELETE FROM {events_table(app)} WHERE {where}",
        (first,) if last is None else (first, last),
    )


def rewrite_history_and_its_ledger(app: Casework, target: LogRow) -> None:
    """An insider who also holds the key directory edits `target`'s state and deletes
    the ledger's rows and its state file, ready to sign the rewritten log afresh."""
    with attacker(app) as c:
        # Flip a bit: setting the last byte to 0 left one state in 256 (random
        # ciphertext) unchanged, and the "forged" root equal to the real one.
        edited = target.state[:-1] + bytes([target.state[-1] ^ 1])
        set_state(app, c, target.notification_id, edited)
        c.execute(f"DELETE FROM {app.ledger.leaves_table}")
        c.execute(f"DELETE FROM {app.ledger.checkpoints_table}")
    app.ledger_state.path.unlink()


def erase_with_four_eyes(
    app: Casework,
    case_id: UUID,
    requester: Actor,
    approver: Actor,
    reason: str,
    legal_authority: str,
    carried_out_by: Actor | None = None,
) -> UUID:
    """Request, approve (a second person) and carry out an erasure; the register
    entry's id. The approver carries it out unless someone else is named."""
    request_id = app.request_erasure(requester, case_id, reason, legal_authority)
    app.approve_erasure(approver, request_id)
    return app.carry_out_erasure(carried_out_by or approver, request_id)


def projected_rows(projections: Projections, case_id: UUID) -> int:
    """How many rows the serving views hold about the case."""
    count = 0
    with projections.engine.connect() as connection:
        for name, generation in projections.serving().items():
            for table in projections.view_classes[name](generation).case_tables():
                query = select(func.count()).select_from(table).where(table.c.case_id == case_id)
                count += connection.scalar(query) or 0
    return count
