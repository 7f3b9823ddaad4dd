"""What supervision decided about a case, sealed with the case; and sessions as read
once a case they discussed is erased (ADR 0021, 0044).

A decision or action item about a case discussed in a session is recorded in that
case's `CaseDiscussion`, sealed under the case key, so erasing the case takes it with
it. Records written before this (in the session itself, sealed under the organisation
key) cannot be changed: the events are immutable. They are not linked to a case, so a
session that discussed an erased case is read without its case-practice notes, its
session decisions and its session action items: what could have been about the erased
case is withheld from every reader; the stored events stay, sealed.
"""

import copy
from datetime import datetime
from uuid import UUID

from casework.aggregates.base import Actor
from casework.aggregates.supervision import SessionNote, SupervisionSession, Topic
from casework.application.commands.supervision import (
    AddActionItem,
    MarkActionItemDone,
    RecordSupervisionDecision,
)
from casework.application.supervision import SupervisionCommands


class CaseSupervisionCommands(SupervisionCommands):
    def record_case_decision(
        self, by: Actor, session_id: UUID, case_id: UUID, command: RecordSupervisionDecision
    ) -> None:
        """A decision of the session about a case it discussed (its supervisor)."""
        session = self._case_edit(session_id, by, case_id, command.occurred_at)
        discussion = self._discussion(session_id, case_id)
        discussion.record_decision(by, command.decision, command.occurred_at)
        self.save(session, discussion)

    def add_case_action_item(
        self, by: Actor, session_id: UUID, case_id: UUID, command: AddActionItem
    ) -> UUID:
        """An action item about a case the session discussed (its supervisor)."""
        c = command
        session = self._case_edit(session_id, by, case_id, c.occurred_at)
        discussion = self._discussion(session_id, case_id)
        item_id = discussion.add_action_item(by, c.owner_id, c.description, c.due_on, c.occurred_at)
        self.save(session, discussion)
        return item_id

    def mark_case_action_item_done(
        self, by: Actor, session_id: UUID, case_id: UUID, item_id: UUID, command: MarkActionItemDone
    ) -> None:
        """By the item's owner or the session's supervisor, after sign-off too."""
        session = self._session(session_id)
        discussion = self._discussion(session_id, case_id)
        item = next((i for i in discussion.action_items if i.item_id == item_id), None)
        owner = item.owner_id if item is not None else session.supervisor_id
        if by.staff_id != owner:
            self._require_supervisor(by, session, "may not mark this action item done")
        discussion.mark_action_item_done(by, item_id, command.occurred_at)
        self.save(discussion)

    def _case_edit(
        self, session_id: UUID, by: Actor, case_id: UUID, occurred_at: datetime | None
    ) -> SupervisionSession:
        session = self._session(session_id)
        self._require_supervisor(by, session, "may not record what this session decided")
        session.before_case_discussion_edit(by, case_id, occurred_at)
        return session

    def get_supervision_session(
        self, by: Actor, session_id: UUID, version: int | None = None
    ) -> SupervisionSession:
        """As `SupervisionCommands` shows it, less what could be about an erased case."""
        seen = super().get_supervision_session(by, session_id, version)
        if not self._discussed_an_erased_case(seen):
            return seen
        withheld = copy.copy(seen)
        withheld.notes = _without_case_practice(seen.notes)
        withheld.decisions = []
        withheld.action_items = []
        return withheld

    def supervision_notes_for(self, by: Actor, session_id: UUID) -> list[SessionNote]:
        notes = super().supervision_notes_for(by, session_id)
        if self._discussed_an_erased_case(self._session(session_id)):
            return _without_case_practice(notes)
        return notes

    def _discussed_an_erased_case(self, session: SupervisionSession) -> bool:
        return bool(self.key_table.destroyed_among(session.case_ids))  # type: ignore[attr-defined]


def _without_case_practice(notes: list[SessionNote]) -> list[SessionNote]:
    return [n for n in notes if n.topic is not Topic.CASE_PRACTICE]
