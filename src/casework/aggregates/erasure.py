"""The erasure register (删除登记): one record per erased case, saying who erased it, why,
and under what authority. It is an organisation record, sealed under the organisation's
key, so it outlives the case whose key the erasure destroys; it holds no case content."""

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from casework.aggregates.base import Actor, Record, Role, RuleBroken, required_text

# Roles that may carry out an erasure once it has been authorised.
ERASING_ROLES = frozenset({Role.ADMINISTRATOR, Role.CENTRE_DIRECTOR})


class ErasureNotAllowed(RuleBroken):
    rule = "erasure_not_allowed"
    status = 403


@dataclass(frozen=True)
class ExportToRecall:
    """A bundle of the case taken out before it was erased (from the access log): the
    copy outside the store that the erasure cannot reach, to be recalled."""

    access_record_id: UUID
    exported_at: datetime
    exported_by: UUID | None
    role: str | None
    reason: str


class CaseErasure(Record):
    case_id: UUID
    reason: str
    authorised_by: str
    erased_by: UUID
    erased_at: datetime
    exports_to_recall: list[ExportToRecall]

    class CaseErased(Record.Created):
        case_id: UUID
        reason: str
        authorised_by: str

    class ExportsListed(Record.Event):
        """The exports of the case made before its erasure, listed for recall."""

        exports: list[ExportToRecall]

        def apply(self, erasure: "CaseErasure") -> None:
            erasure.exports_to_recall = list(self.exports)

    def __init__(
        self,
        case_id: UUID,
        reason: str,
        authorised_by: str,
        actor_id: UUID,
        occurred_at: datetime,
    ) -> None:
        self.case_id = case_id
        self.reason = reason
        self.authorised_by = authorised_by
        self.erased_by = actor_id
        self.erased_at = occurred_at
        self.exports_to_recall = []

    @staticmethod
    def id_for(case_id: UUID) -> UUID:
        """One erasure per case, found from the case id alone."""
        return uuid5(NAMESPACE_URL, f"casework:erasure:{case_id}")

    @staticmethod
    def create_id(case_id: UUID) -> UUID:
        return CaseErasure.id_for(case_id)

    @classmethod
    def record_erasure(
        cls,
        by: Actor,
        case_id: UUID,
        reason: str,
        authorised_by: str,
        occurred_at: datetime | None = None,
    ) -> "CaseErasure":
        if by.role not in ERASING_ROLES:
            raise ErasureNotAllowed(
                f"a {by.role.value} may not erase a case; an "
                "administrator or the centre director carries out an authorised erasure"
            )
        reason = required_text("reason", reason, "say why the case is erased")
        authorised_by = required_text(
            "authorised_by", authorised_by, "say who authorised the erasure"
        )
        return cls.start(
            cls.CaseErased,
            by,
            occurred_at,
            case_id=case_id,
            reason=reason,
            authorised_by=authorised_by,
        )

    def list_exports(
        self, by: Actor, exports: list[ExportToRecall], occurred_at: datetime | None = None
    ) -> None:
        """Record the exports to recall (none recorded when there were none)."""
        if exports:
            self.record(self.ExportsListed, by, occurred_at, exports=exports)
