"""Case commands: load the case (and whoever else the command touches), apply the
access rule to it for the acting principal, call its command, save them together in one
transaction.

Each command names the record kind it writes (`RecordKind`) and, for notes and
assessments, the discipline; `Authorisation.authorise` refuses (and records the
refusal) before anything changes. Reads go through `read_case`; `_case` is the service
layer's own unfiltered load and never leaves it.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from uuid import UUID

from casework.access import (
    AccessDenied,
    Action,
    AdministratorsSeeNoCaseContent,
    may,
    may_break_the_glass,
    may_open_case,
)
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor, InvalidValue, Role, RuleBroken, now
from casework.aggregates.case import (
    ADDENDUM_KINDS,
    Case,
    CaseStatus,
    Client,
    OutcomeOfGoal,
    RecordKind,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.staff import Staff
from casework.application.authorisation import Authorisation
from casework.application.commands.cases import (
    AddAddendum,
    AddTeamMember,
    BreakTheGlass,
    CloseCase,
    HandOverCase,
    OpenCase,
    ProposePlan,
    RecordAssessment,
    RecordConsent,
    RecordNote,
    RemoveTeamMember,
    ReopenCase,
    RerateRisk,
    ReviewPlan,
)
from casework.application.core import T
from casework.application.shared_records import own_copy
from casework.store.blind_index import FIELDS, NAME_AND_BIRTH, ClientIndex, name_and_birth
from casework.store.errors import RecordErased


def searchable(clients: list[Client]) -> list[tuple[str, str | None]]:
    """The fields a client can be found by (household members by name too)."""
    found: list[tuple[str, str | None]] = []
    for client in clients:
        found += [("id_number", client.id_number), ("phone", client.phone), ("name", client.name)]
        found.append((NAME_AND_BIRTH, name_and_birth(client.name, client.date_of_birth)))
        found += [("name", member.name) for member in client.household]
    return found


class CaseCommands(Authorisation):
    @cached_property
    def client_index(self) -> ClientIndex:
        index = ClientIndex(
            self.factory.datastore,  # type: ignore[attr-defined]
            self.database.dialect,
            self.keyring,
        )
        index.create()
        return index

    def _case(self, case_id: UUID, version: int | None = None) -> Case:
        """The whole case, unfiltered: for the service layer's own use only."""
        return self.load(case_id, Case, "case", version)

    def _update_case(
        self,
        case_id: UUID,
        by: Actor,
        kind: RecordKind,
        expected_version: int | None,
        command: Callable[[Case], T],
        discipline: Discipline | None = None,
    ) -> T:
        """`_load_for_write`, run the command and save (one transaction)."""
        case = self._load_for_write(case_id, by, kind, expected_version, discipline)
        result = command(case)
        self.save(case)
        return result

    def _load_for_write(
        self,
        case_id: UUID,
        by: Actor,
        kind: RecordKind,
        expected_version: int | None,
        discipline: Discipline | None = None,
    ) -> Case:
        """Load, authorise `by` to write `kind` (in `discipline`) and check the version
        the writer read: for commands that look at or change more than the case. The
        case is the writer's own copy of the one kept for readers (ADR 0062)."""
        case = own_copy(self.read(case_id, Case, "case"))
        self.authorise(by, Action.WRITE, kind, case, discipline)
        self.expect_version(case, expected_version)
        return case

    def _staff(self, staff_id: UUID) -> Staff:
        return self.load(staff_id, Staff, "staff member")

    def case_ids(self) -> list[UUID]:
        """Every case ever opened, oldest first."""
        return self.record_ids(Case.Opened)

    def find_cases_by_client(self, by: Actor, field: str, value: str) -> list[UUID]:
        """Exact ID number, phone, or normalised name (household members included):
        only the cases whose summary `by` may see; the others are neither listed nor
        counted. The search is recorded with the field searched, never the value."""
        if field not in FIELDS:
            raise InvalidValue("field", f"search by one of {', '.join(FIELDS)}")
        context = self.context_of(by, AccessAction.SEARCH, None)
        at = now()
        found = []
        for case_id in self.client_index.find(field, value):
            try:
                case = self._case(case_id)
            except (RuleBroken, RecordErased) as error:
                if getattr(error, "rule", "erased") != "erased":
                    raise
                continue  # erased since it was indexed: nothing to show
            if may(context, Action.SEE, RecordKind.SUMMARY, case, at):
                found.append(case_id)
        self.record_access(
            by,
            AccessAction.SEARCH,
            record_kinds=[RecordKind.SUMMARY],
            record_ids=found,
            reason=f"client search by {field}: {len(found)} case(s) shown",
            subject=field,
        )
        return found

    def _possible_duplicates(self, clients: list[Client]) -> list[UUID]:
        """Cases that already have a client with the same ID number or phone, or the
        same name and date of birth, all from the blind index (no case is opened: the
        cost follows the matches, not how many clients share a name). A case indexed
        before name and date of birth were indexed together is found by them once its
        client details are next corrected (ADR 0012)."""
        found: set[UUID] = set()
        for client in clients:
            for field in ("id_number", "phone"):
                value = getattr(client, field)
                if value:
                    found.update(self.client_index.find(field, value))
            same = name_and_birth(client.name, client.date_of_birth)
            found.update(self.client_index.find(NAME_AND_BIRTH, same))
        return sorted(found)

    def open_case(self, by: Actor, command: OpenCase) -> UUID:
        """Intake, by a caseworker or the head of `department_id`, for a lead in that
        department; a client who may already have a case is recorded on the new one as
        a possible duplicate (`Case.possible_duplicate_of`)."""
        organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
        department = organisation.department(command.department_id)
        lead = self._staff(command.lead_worker_id)
        context = self.context_of(by, AccessAction.WRITE, None)
        decision = may_open_case(context, command.department_id, lead.department_id)
        if not decision:
            self.record_access(
                by,
                AccessAction.WRITE,
                record_kinds=[RecordKind.SUMMARY],
                outcome=AccessOutcome.REFUSED,
                reason=f"opening a case: {decision.reason}",
            )
            raise AccessDenied(f"may not open this case: {decision.reason}", reason=decision.reason)
        clients = [c.to_client() for c in command.clients]
        case = Case.open(
            by,
            clients,
            command.presenting_problem,
            command.referral_source,
            department.centre_id,
            command.department_id,
            command.lead_worker_id,
            command.risk_level,
            command.risk_rationale,
            command.referral_detail,
            command.consent.to_consent() if command.consent else None,
            self._possible_duplicates(clients),
            command.occurred_at,
        )
        lead.take_lead(by, case.id, command.occurred_at)
        index_rows = self.client_index.replacement(case.id, searchable(case.clients))
        self.save(case, lead, with_events=[index_rows])
        return case.id

    def correct_client_details(
        self,
        case_id: UUID,
        by: Actor,
        client: Client,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        case = self._load_for_write(case_id, by, RecordKind.SUMMARY, expected_version)
        case.correct_client_details(by, client, reason, occurred_at)
        index_rows = self.client_index.replacement(case.id, searchable(case.clients))
        self.save(case, with_events=[index_rows])

    def record_consent(
        self, by: Actor, case_id: UUID, command: RecordConsent, expected_version: int | None = None
    ) -> None:
        consent = command.to_consent()
        self._update_case(
            case_id,
            by,
            RecordKind.CONSENT,
            expected_version,
            lambda case: case.record_consent(
                by,
                consent.given,
                consent.on,
                consent.disciplines,
                consent.agency_ids,
                consent.department_ids,
                command.occurred_at,
            ),
        )

    def rerate_risk(
        self, by: Actor, case_id: UUID, command: RerateRisk, expected_version: int | None = None
    ) -> None:
        self._update_case(
            case_id,
            by,
            RecordKind.SUMMARY,
            expected_version,
            lambda case: case.rerate_risk(
                by, command.risk_level, command.reason, command.occurred_at
            ),
        )

    def record_assessment(
        self,
        by: Actor,
        case_id: UUID,
        command: RecordAssessment,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_case(
            case_id,
            by,
            RecordKind.ASSESSMENT,
            expected_version,
            lambda case: case.record_assessment(
                by, command.discipline, command.to_domains(), command.summary, command.occurred_at
            ),
            Discipline(command.discipline),
        )

    def add_addendum(
        self, by: Actor, case_id: UUID, command: AddAddendum, expected_version: int | None = None
    ) -> UUID:
        """An addendum is written as the record it corrects: its kind, its discipline."""
        record_kind, record_id = command.record_kind, command.record_id
        case = self._case(case_id)
        if record_kind in ADDENDUM_KINDS:  # anything else the case refuses as it is
            kind = RecordKind(record_kind)
            records = case.notes if kind is RecordKind.NOTE else case.assessments
            corrected = records.get(record_id)
            discipline = corrected.discipline if corrected is not None else None
            self.authorise(by, Action.WRITE, kind, case, discipline, record_ids=[record_id])
        self.expect_version(case, expected_version)
        addendum_id = case.add_addendum(
            by, record_kind, record_id, command.narrative, command.reason, command.occurred_at
        )
        self.save(case)
        return addendum_id

    def propose_plan(
        self, by: Actor, case_id: UUID, command: ProposePlan, expected_version: int | None = None
    ) -> int:
        goals = command.to_goals()
        return self._update_case(
            case_id,
            by,
            RecordKind.PLAN,
            expected_version,
            lambda case: case.propose_plan(by, goals, command.occurred_at),
        )

    def review_plan(
        self, by: Actor, case_id: UUID, command: ReviewPlan, expected_version: int | None = None
    ) -> UUID:
        return self._update_case(
            case_id,
            by,
            RecordKind.PLAN,
            expected_version,
            lambda case: case.review_plan(
                by, command.summary, command.next_review_on, command.occurred_at
            ),
        )

    def record_note(
        self, by: Actor, case_id: UUID, command: RecordNote, expected_version: int | None = None
    ) -> UUID:
        late_after = timedelta(hours=self.settings.late_entry_hours)
        return self._update_case(
            case_id,
            by,
            RecordKind.NOTE,
            expected_version,
            lambda case: case.record_note(
                by,
                command.kind,
                command.narrative,
                command.duration_minutes,
                command.occurred_at,
                command.discipline,
                command.goal_id,
                late_after,
            ),
            Discipline(command.discipline),
        )

    def add_team_member(
        self, by: Actor, case_id: UUID, command: AddTeamMember, expected_version: int | None = None
    ) -> None:
        case = self._load_for_write(case_id, by, RecordKind.TEAM, expected_version)
        member = self._staff(command.staff_id)
        if command.discipline not in member.disciplines:
            raise InvalidValue(
                "discipline",
                f"{member.name} does not practise {Discipline(command.discipline).value}",
            )
        member.require_active()
        case.add_team_member(
            by,
            command.staff_id,
            command.discipline,
            command.scope,
            command.ends_at,
            command.occurred_at,
        )
        self.save(case)

    def remove_team_member(
        self,
        by: Actor,
        case_id: UUID,
        command: RemoveTeamMember,
        expected_version: int | None = None,
    ) -> None:
        self._update_case(
            case_id,
            by,
            RecordKind.TEAM,
            expected_version,
            lambda case: case.remove_team_member(
                by, command.staff_id, command.discipline, command.reason, command.occurred_at
            ),
        )

    def hand_over_case(
        self, by: Actor, case_id: UUID, command: HandOverCase, expected_version: int | None = None
    ) -> None:
        """The case, its old lead and its new lead change together: the department's
        head assigns the case (or its lead hands it on)."""
        to_staff_id, reason, occurred_at = command.to_staff_id, command.reason, command.occurred_at
        case = self._load_for_write(case_id, by, RecordKind.TEAM, expected_version)
        old_lead = self._staff(case.lead_worker_id)
        new_lead = self._staff(to_staff_id)
        closed = case.status is CaseStatus.CLOSED  # listed on no lead's record
        case.hand_over(by, to_staff_id, reason, occurred_at)
        old_lead.hand_over_lead(by, case_id, to_staff_id, occurred_at, closed=closed)
        new_lead.take_lead(by, case_id, occurred_at, closed=closed)
        self.save(case, old_lead, new_lead)

    def close_case(
        self, by: Actor, case_id: UUID, command: CloseCase, expected_version: int | None = None
    ) -> UUID:
        """Closed at once (and off its lead's list of open cases), or closing until a
        supervisor approves."""
        reason, summary, occurred_at = command.reason, command.summary, command.occurred_at
        outcomes = command.to_outcomes()
        case = self._load_for_write(case_id, by, RecordKind.CLOSURE, expected_version)
        closure_id = case.close(by, reason, outcomes, summary, occurred_at)
        lead = self._lead_noting_closure(case, False, by, occurred_at)  # type: ignore[attr-defined]
        self.save(case, *lead)
        return closure_id

    def amend_closure(
        self,
        case_id: UUID,
        by: Actor,
        closure_id: UUID,
        outcomes: list[OutcomeOfGoal],
        summary: str,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_case(
            case_id,
            by,
            RecordKind.CLOSURE,
            expected_version,
            lambda case: case.amend_closure(by, closure_id, outcomes, summary, reason, occurred_at),
        )

    def reopen_case(
        self, by: Actor, case_id: UUID, command: ReopenCase, expected_version: int | None = None
    ) -> None:
        reason, occurred_at = command.reason, command.occurred_at
        case = self._load_for_write(case_id, by, RecordKind.CLOSURE, expected_version)
        # Back on its lead's open cases; a lead who has left cannot take the case up
        # again: hand it over first.
        lead = self._staff(case.lead_worker_id)
        lead.lead_case_reopened(by, case_id, occurred_at)
        case.reopen(by, reason, occurred_at)
        self.save(case, lead)

    def break_the_glass(self, by: Actor, case_id: UUID, command: BreakTheGlass) -> UUID:
        """Emergency access for anyone on staff holding the role today, administrators
        excepted (`may_break_the_glass`), flagged to their supervisors and to the
        directors of the case's centre. The access log records it (or the refusal) with
        the reason before the grant is saved: access opened is access recorded."""
        case = self._case(case_id)
        context = self.context_of(by, AccessAction.BREAK_THE_GLASS, case_id)
        decision = may_break_the_glass(context)
        if not decision:
            self.record_access(
                by,
                AccessAction.BREAK_THE_GLASS,
                case_id=case_id,
                outcome=AccessOutcome.REFUSED,
                reason=decision.reason,
            )
            raise AdministratorsSeeNoCaseContent(
                f"may not break the glass: {decision.reason}", reason=decision.reason
            )
        requester = self._staff(by.staff_id)
        reason, occurred_at = command.reason, command.occurred_at
        day = (occurred_at or now()).date()
        organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
        directors = [
            staff.id
            for staff in map(self._staff, organisation.staff_ids)
            if staff.active
            and Role.CENTRE_DIRECTOR in staff.roles
            and staff.centre_id == case.centre_id
        ]
        flagged = list(dict.fromkeys([*requester.supervisors_on(day), *directors]))
        duration = timedelta(hours=command.hours)
        grant_id = case.start_emergency_access(by, reason, flagged, duration, occurred_at)
        self.record_access(
            by,
            AccessAction.BREAK_THE_GLASS,
            case_id=case_id,
            record_ids=[grant_id],
            reason=reason,
        )
        self.save(case)
        return grant_id

    def end_emergency_access(
        self,
        case_id: UUID,
        by: Actor,
        grant_id: UUID,
        occurred_at: datetime | None = None,
    ) -> None:
        """By the person who holds it, someone it was flagged to, or whoever may write
        the case's team."""
        case = self._case(case_id)
        grant = next((g for g in case.emergency_access if g.grant_id == grant_id), None)
        if grant is None or by.staff_id not in (grant.staff_id, *grant.flagged_to):
            self.authorise(by, Action.WRITE, RecordKind.TEAM, case)
        else:
            self.context_of(by, AccessAction.WRITE, case_id)  # holds the role today
        case.end_emergency_access(by, grant_id, occurred_at)
        self.save(case)
