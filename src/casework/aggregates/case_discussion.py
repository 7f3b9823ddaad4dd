"""What a supervision session said about one case: case content, sealed under its key:
the summary and advice, and the decisions and action items about that case (so an
erasure of the case takes them with it, ADR 0021, 0044)."""

from dataclasses import replace
from datetime import date, datetime
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, InvalidValue, Record, required_text
from casework.aggregates.supervision import (
    ActionItem,
    Addendum,
    SupervisionSession,
    discussion_id,
)


class CaseDiscussion(Record):
    session_id: UUID
    case_id: UUID
    supervisor_id: UUID
    summary: str
    advice: list[str]
    addenda: list[Addendum]
    decisions: list[str]
    action_items: list[ActionItem]

    class Written(Record.Created):
        session_id: UUID
        case_id: UUID
        supervisor_id: UUID
        summary: str
        advice: list[str]

    class Revised(Record.Event):
        summary: str
        advice: list[str]

        def apply(self, discussion: "CaseDiscussion") -> None:
            discussion.summary = self.summary
            discussion.advice = list(self.advice)

    class AddendumAdded(Record.Event):
        addendum_id: UUID
        text: str

        def apply(self, discussion: "CaseDiscussion") -> None:
            discussion.addenda.append(
                Addendum(self.addendum_id, self.actor_id, self.text, self.occurred_at)
            )

    class DecisionRecorded(Record.Event):
        decision: str

        def apply(self, discussion: "CaseDiscussion") -> None:
            discussion.decisions.append(self.decision)

    class ActionItemAdded(Record.Event):
        item: ActionItem

        def apply(self, discussion: "CaseDiscussion") -> None:
            discussion.action_items.append(self.item)

    class ActionItemDone(Record.Event):
        item_id: UUID

        def apply(self, discussion: "CaseDiscussion") -> None:
            discussion.action_items = [
                replace(i, done_at=self.occurred_at) if i.item_id == self.item_id else i
                for i in discussion.action_items
            ]

    def __init__(
        self, session_id: UUID, case_id: UUID, supervisor_id: UUID, summary: str, advice: list[str]
    ) -> None:
        self.session_id = session_id
        self.case_id = case_id
        self.supervisor_id = supervisor_id
        self.summary = summary
        self.advice = list(advice)
        self.addenda = []
        self.decisions = []
        self.action_items = []

    def case_id_for_keys(self) -> UUID:
        return self.case_id

    @classmethod
    def write(
        cls,
        by: Actor,
        session: SupervisionSession,
        case_id: UUID,
        summary: str,
        advice: list[str],
        occurred_at: datetime | None = None,
    ) -> "CaseDiscussion":
        """Write the discussion of a case (the session's `discuss_case` links it)."""
        required_text("summary", summary, "say what was discussed about the case")
        return cls.start(
            cls.Written,
            by,
            occurred_at,
            id=discussion_id(session.id, case_id),
            session_id=session.id,
            case_id=case_id,
            supervisor_id=session.supervisor_id,
            summary=summary,
            advice=[a for a in advice if a.strip()],
        )

    def revise(
        self, by: Actor, summary: str, advice: list[str], occurred_at: datetime | None = None
    ) -> None:
        """Before sign-off only (the session's `discuss_case` checks that)."""
        required_text("summary", summary, "say what was discussed about the case")
        self.record(
            self.Revised, by, occurred_at, summary=summary, advice=[a for a in advice if a.strip()]
        )

    def add_addendum(self, by: Actor, text: str, occurred_at: datetime | None = None) -> UUID:
        required_text("text", text)
        addendum_id = uuid4()
        self.record(self.AddendumAdded, by, occurred_at, addendum_id=addendum_id, text=text)
        return addendum_id

    def record_decision(
        self, by: Actor, decision: str, occurred_at: datetime | None = None
    ) -> None:
        """A decision about this case (the session's `before_case_discussion_edit` first)."""
        required_text("decision", decision)
        self.record(self.DecisionRecorded, by, occurred_at, decision=decision)

    def add_action_item(
        self,
        by: Actor,
        owner_id: UUID,
        description: str,
        due_on: date,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """An action item about this case, sealed with it."""
        required_text("description", description, "say what is to be done")
        if not isinstance(due_on, date) or isinstance(due_on, datetime):
            raise InvalidValue("due_on", "must be a date")
        item = ActionItem(uuid4(), owner_id, description, due_on)
        self.record(self.ActionItemAdded, by, occurred_at, item=item)
        return item.item_id

    def mark_action_item_done(
        self, by: Actor, item_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """Follow-up of an action item; allowed after sign-off (it is not an edit)."""
        item = next((i for i in self.action_items if i.item_id == item_id), None)
        if item is None:
            raise InvalidValue("action_item", f"this discussion has no action item {item_id}")
        if item.done_at is not None:
            raise InvalidValue("action_item", "is already done")
        self.record(self.ActionItemDone, by, occurred_at, item_id=item_id)
