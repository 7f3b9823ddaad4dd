"""Case commands: load the case (and whoever else the command touches), call its
command, save them together in one transaction."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cached_property
from uuid import UUID

from casework.aggregates.base import Actor, InvalidValue, Role, now
from casework.aggregates.case import (
    EMERGENCY_ACCESS_FOR,
    Case,
    Client,
    ClosureReason,
    Consent,
    DomainRating,
    Goal,
    NoteKind,
    OutcomeOfGoal,
    ReferralSource,
    RiskLevel,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.staff import Staff
from casework.application.core import CaseworkCore, T
from casework.store.blind_index import FIELDS, ClientIndex, normalise


def searchable(clients: list[Client]) -> list[tuple[str, str | None]]:
    """The fields a client can be found by (household members by name too)."""
    found: list[tuple[str, str | None]] = []
    for client in clients:
        found += [("id_number", client.id_number), ("phone", client.phone), ("name", client.name)]
        found += [("name", member.name) for member in client.household]
    return found


class CaseCommands(CaseworkCore):
    @cached_property
    def client_index(self) -> ClientIndex:
        index = ClientIndex(
            self.factory.datastore,  # type: ignore[attr-defined]
            self.database.dialect,
            self.keyring,
        )
        index.create()
        return index

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        return self.load(case_id, Case, "case", version)

    def _update_case(
        self, case_id: UUID, expected_version: int | None, command: Callable[[Case], T]
    ) -> T:
        return self.update(case_id, Case, "case", expected_version, command)

    def _staff(self, staff_id: UUID) -> Staff:
        return self.load(staff_id, Staff, "staff member")

    def case_ids(self) -> list[UUID]:
        """Every case ever opened, oldest first."""
        return self.record_ids(Case.Opened)

    def find_cases_by_client(self, field: str, value: str) -> list[UUID]:
        """Exact ID number, phone, or normalised name (household members included)."""
        if field not in FIELDS:
            raise InvalidValue("field", f"search by one of {', '.join(FIELDS)}")
        return self.client_index.find(field, value)

    def possible_duplicates(self, clients: list[Client]) -> list[UUID]:
        """Cases that already have a client with the same ID number or phone, or the
        same name and date of birth."""
        found: set[UUID] = set()
        for client in clients:
            for field in ("id_number", "phone"):
                value = getattr(client, field)
                if value:
                    found.update(self.client_index.find(field, value))
            for case_id in self.client_index.find("name", client.name):
                others = self.get_case(case_id).clients
                if any(
                    other.date_of_birth == client.date_of_birth
                    and normalise("name", other.name) == normalise("name", client.name)
                    for other in others
                ):
                    found.add(case_id)
        return sorted(found)

    def open_case(
        self,
        by: Actor,
        clients: list[Client],
        presenting_problem: str,
        referral_source: ReferralSource,
        department_id: UUID,
        lead_worker_id: UUID,
        risk_level: RiskLevel = RiskLevel.LOW,
        risk_rationale: str = "",
        referral_detail: str = "",
        consent: Consent | None = None,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Intake; a client who may already have a case is recorded on the new one as
        a possible duplicate (`Case.possible_duplicate_of`)."""
        organisation = self.load(ORGANISATION_ID, Organisation, "organisation")
        department = organisation.department(department_id)
        lead = self._staff(lead_worker_id)
        case = Case.open(
            by,
            clients,
            presenting_problem,
            referral_source,
            department.centre_id,
            department_id,
            lead_worker_id,
            risk_level,
            risk_rationale,
            referral_detail,
            consent,
            self.possible_duplicates(clients),
            occurred_at,
        )
        lead.take_lead(by, case.id, occurred_at)
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
        case = self.get_case(case_id)
        self.expect_version(case, expected_version)
        case.correct_client_details(by, client, reason, occurred_at)
        index_rows = self.client_index.replacement(case.id, searchable(case.clients))
        self.save(case, with_events=[index_rows])

    def record_consent(
        self,
        case_id: UUID,
        by: Actor,
        given: bool,
        on: date,
        disciplines: list[Discipline] = (),  # type: ignore[assignment]
        agency_ids: list[UUID] = (),  # type: ignore[assignment]
        department_ids: list[UUID] = (),  # type: ignore[assignment]
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_case(
            case_id,
            expected_version,
            lambda case: case.record_consent(
                by, given, on, disciplines, agency_ids, department_ids, occurred_at
            ),
        )

    def rerate_risk(
        self,
        case_id: UUID,
        by: Actor,
        risk_level: RiskLevel,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_case(
            case_id,
            expected_version,
            lambda case: case.rerate_risk(by, risk_level, reason, occurred_at),
        )

    def record_assessment(
        self,
        case_id: UUID,
        by: Actor,
        discipline: Discipline,
        domains: list[DomainRating],
        summary: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_case(
            case_id,
            expected_version,
            lambda case: case.record_assessment(by, discipline, domains, summary, occurred_at),
        )

    def add_addendum(
        self,
        case_id: UUID,
        by: Actor,
        record_kind: str,
        record_id: UUID,
        narrative: str,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_case(
            case_id,
            expected_version,
            lambda case: case.add_addendum(
                by, record_kind, record_id, narrative, reason, occurred_at
            ),
        )

    def propose_plan(
        self,
        case_id: UUID,
        by: Actor,
        goals: list[Goal],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> int:
        return self._update_case(
            case_id, expected_version, lambda case: case.propose_plan(by, goals, occurred_at)
        )

    def review_plan(
        self,
        case_id: UUID,
        by: Actor,
        summary: str,
        next_review_on: date,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_case(
            case_id,
            expected_version,
            lambda case: case.review_plan(by, summary, next_review_on, occurred_at),
        )

    def record_note(
        self,
        case_id: UUID,
        by: Actor,
        kind: NoteKind,
        narrative: str,
        duration_minutes: int,
        occurred_at: datetime | None = None,
        discipline: Discipline = Discipline.SOCIAL_WORK,
        goal_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        late_after = timedelta(hours=self.settings.late_entry_hours)
        return self._update_case(
            case_id,
            expected_version,
            lambda case: case.record_note(
                by, kind, narrative, duration_minutes, occurred_at, discipline, goal_id, late_after
            ),
        )

    def add_team_member(
        self,
        case_id: UUID,
        by: Actor,
        staff_id: UUID,
        discipline: Discipline,
        scope: TeamScope,
        ends_at: datetime | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        case = self.get_case(case_id)
        self.expect_version(case, expected_version)
        member = self._staff(staff_id)
        if discipline not in member.disciplines:
            raise InvalidValue(
                "discipline", f"{member.name} does not practise {Discipline(discipline).value}"
            )
        member.require_active()
        case.add_team_member(by, staff_id, discipline, scope, ends_at, occurred_at)
        self.save(case)

    def remove_team_member(
        self,
        case_id: UUID,
        by: Actor,
        staff_id: UUID,
        discipline: Discipline,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self._update_case(
            case_id,
            expected_version,
            lambda case: case.remove_team_member(by, staff_id, discipline, reason, occurred_at),
        )

    def hand_over_case(
        self,
        case_id: UUID,
        by: Actor,
        to_staff_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """The case, its old lead and its new lead change together."""
        case = self.get_case(case_id)
        self.expect_version(case, expected_version)
        old_lead = self._staff(case.lead_worker_id)
        new_lead = self._staff(to_staff_id)
        case.hand_over(by, to_staff_id, reason, occurred_at)
        old_lead.hand_over_lead(by, case_id, to_staff_id, occurred_at)
        new_lead.take_lead(by, case_id, occurred_at)
        self.save(case, old_lead, new_lead)

    def close_case(
        self,
        case_id: UUID,
        by: Actor,
        reason: ClosureReason,
        outcomes: list[OutcomeOfGoal],
        summary: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> UUID:
        return self._update_case(
            case_id,
            expected_version,
            lambda case: case.close(by, reason, outcomes, summary, occurred_at),
        )

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
            expected_version,
            lambda case: case.amend_closure(by, closure_id, outcomes, summary, reason, occurred_at),
        )

    def reopen_case(
        self,
        case_id: UUID,
        by: Actor,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        case = self.get_case(case_id)
        self.expect_version(case, expected_version)
        # A lead who has left cannot take the case up again: hand it over first.
        self._staff(case.lead_worker_id).require_active()
        case.reopen(by, reason, occurred_at)
        self.save(case)

    def break_the_glass(
        self,
        case_id: UUID,
        by: Actor,
        reason: str,
        duration: timedelta = EMERGENCY_ACCESS_FOR,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Emergency access for anyone on staff, flagged to their supervisors and to
        the directors of the case's centre."""
        case = self.get_case(case_id)
        requester = self._staff(by.staff_id)
        requester.require_role(by.role)
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
        grant_id = case.start_emergency_access(by, reason, flagged, duration, occurred_at)
        self.save(case)
        return grant_id

    def end_emergency_access(
        self,
        case_id: UUID,
        by: Actor,
        grant_id: UUID,
        occurred_at: datetime | None = None,
    ) -> None:
        case = self.get_case(case_id)
        case.end_emergency_access(by, grant_id, occurred_at)
        self.save(case)
