"""What a supervision session said about one case: case content, sealed under its key."""

from datetime import datetime
from uuid import UUID, uuid4

from casework.aggregates.base import Actor, Record, required_text
from casework.aggregates.supervision import Addendum, SupervisionSession, discussion_id


class CaseDiscussion(Record):
    session_id: UUID
    case_id: UUID
    supervisor_id: UUID
    summary: str
    advice: list[str]
    addenda: list[Addendum]

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

    def __init__(
        self, session_id: UUID, case_id: UUID, supervisor_id: UUID, summary: str, advice: list[str]
    ) -> None:
        self.session_id = session_id
        self.case_id = case_id
        self.supervisor_id = supervisor_id
        self.summary = summary
        self.advice = list(advice)
        self.addenda = []

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
