"""The demo's bulk path for a case's own history: many commands, one save.

The service layer's case commands each load the case, ask `authorise` whether the
acting principal may write that kind of record, run the case's command and save: one
transaction per command. A demo case with hundreds of notes written that way is
reloaded hundreds of times. A `CaseStory` loads the case once, asks the same
`authorise` before every command (the same rule, on the case as it then stands), runs
the same command of the case and saves every `batch` commands: the events stored are
those the service layer's commands would store (tests/service/test_demo_story.py
compares them), fewer transactions apart. Commands that change more than the case
(intake, hand-over, approvals, emergency access) stay service-layer calls (ADR 0061).
"""

from uuid import UUID

from casework.access import Action
from casework.aggregates.base import Actor
from casework.aggregates.case import Case, RecordKind
from casework.aggregates.discipline import Discipline
from casework.application import Casework

# Commands per save: a long case is written in a few dozen transactions, each small
# enough that an interruption loses little.
BATCH = 50


class CaseStory:
    def __init__(self, app: Casework, case_id: UUID, batch: int = BATCH) -> None:
        self.app = app
        self.case_id = case_id
        self.batch = batch
        self.case: Case = app._case(case_id)

    def by(self, actor: Actor, kind: RecordKind, discipline: Discipline | None = None) -> Case:
        """The case, once `actor` is allowed to write `kind` on it (a refusal is recorded
        and raised, as the service layer's command would): call its command next."""
        if len(self.case._pending_events) >= self.batch:
            self.save()
        self.app.authorise(actor, Action.WRITE, kind, self.case, discipline)
        return self.case

    def save(self) -> None:
        self.app.save(self.case)

    def reload(self) -> Case:
        """Save, then read the case back (after a service-layer command changed it)."""
        self.save()
        self.case = self.app._case(self.case_id)
        return self.case
