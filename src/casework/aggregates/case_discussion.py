"""What a supervision session said about one case: case content, sealed under its key:
the summary and advice, and the decisions and action items about that case (so an
erasure of the case takes them with it, ADR 0021, 0044)."""

from datetime import datetime
from uuid import UUID

from casework.aggregates.base import Actor, Record, required_text
from casework.aggregates.supervision import (
    ActionItemFollowedUp,
    ActionItemNoted,
    AddendumWritten,
    Decided,
    Minutes,
    SupervisionSession,
    discussion_id,
)


class CaseDiscussion(Minutes):
    """Its decisions and action items are edits of its session, which checks them
    first (`SupervisionSession.before_case_discussion_edit`)."""

    called = "discussion"
    session_id: UUID
    case_id: UUID
    supervisor_id: UUID
    summary: str
    advice: list[str]

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

    class AddendumAdded(AddendumWritten):
        pass

    class DecisionRecorded(Decided):
        pass

    class ActionItemAdded(ActionItemNoted):
        pass

    class ActionItemDone(ActionItemFollowedUp):
        pass

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
