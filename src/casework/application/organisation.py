"""Organisation commands: centres, departments, staff, who supervises whom, and staff
leaving (only once every open case they lead is handed over).

Each command asks `casework.access.may_manage` for the acting principal: the
organisation's records are the administrators', and a centre director keeps their own
centre's (see the roles table in the domain brief). The one exception is the founding
(see `found_organisation`).
"""

import copy
from collections.abc import Callable, Sequence
from datetime import date, datetime
from uuid import UUID

from casework.access import (
    AccessDenied,
    ActorContext,
    Decision,
    OrganisationAction,
    may_manage,
    may_read_staff,
)
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor, Role, RuleBroken, now
from casework.aggregates.case import Case, CaseStatus
from casework.aggregates.organisation import ORGANISATION_ID, Organisation, UnknownDepartment
from casework.aggregates.staff import Staff, SupervisionLink
from casework.application.authorisation import Authorisation
from casework.application.commands.organisation import (
    AddCentre,
    AddDepartment,
    AddStaff,
    AssignSupervisor,
    ChangeRoles,
    MoveStaff,
    RecordLeaving,
)
from casework.application.core import T
from casework.application.staff_directory import Colleague, KeptDirectory


class OrganisationCommands(Authorisation):
    _directory: KeptDirectory | None = None

    def found_organisation(self, by: Actor, name: str, occurred_at: datetime | None = None) -> UUID:
        """The bootstrap: the organisation is founded once, by whoever installs casework,
        who is not on staff (nobody is yet). Until someone on staff holds the
        administrator role, the founder may also set the organisation up (centres,
        departments, staff, supervision links); from then on only staff act."""
        organisation = Organisation.found(by, name, occurred_at)
        self.save(organisation)
        return organisation.id

    def has_organisation(self) -> bool:
        return bool(self.recorder.select_events(ORGANISATION_ID, limit=1))

    def get_organisation(self, version: int | None = None) -> Organisation:
        return self.load(ORGANISATION_ID, Organisation, "organisation", version)

    def add_centre(
        self, by: Actor, command: AddCentre, expected_version: int | None = None
    ) -> UUID:
        self._authorise_organisation(by, OrganisationAction.ADD_CENTRE, None)
        return self._update_organisation(
            expected_version,
            lambda o: o.add_centre(by, command.name, command.district, command.occurred_at),
        )

    def add_department(
        self, by: Actor, command: AddDepartment, expected_version: int | None = None
    ) -> UUID:
        self._authorise_organisation(by, OrganisationAction.ADD_DEPARTMENT, command.centre_id)
        return self._update_organisation(
            expected_version,
            lambda o: o.add_department(by, command.centre_id, command.name, command.occurred_at),
        )

    def add_staff(self, by: Actor, command: AddStaff) -> UUID:
        centre_id, department_id = command.centre_id, command.department_id
        organisation = self.get_organisation()
        organisation.centre(centre_id)
        if department_id is not None and organisation.department(department_id).centre_id != (
            centre_id
        ):
            raise UnknownDepartment(f"no department {department_id} in that centre")
        self._authorise_organisation(
            by, OrganisationAction.ADD_STAFF, centre_id, frozenset(map(Role, command.roles))
        )
        staff = Staff.join(
            by,
            command.name,
            centre_id,
            department_id,
            list(command.roles),
            list(command.disciplines),
            command.external,
            command.occurred_at,
        )
        organisation.enrol_staff(by, staff.id, command.occurred_at)
        self.save(organisation, staff)
        return staff.id

    def get_staff(self, staff_id: UUID, version: int | None = None) -> Staff:
        """A staff record as readers see it: a copy whose lead cases omit erased cases
        (the stored record keeps their ids, sealed under the organisation key: ADR 0044)."""
        staff = self._stored_staff(staff_id, version)
        erased = self.key_table.destroyed_among(staff.lead_case_ids)  # type: ignore[attr-defined]
        if not erased:
            return staff
        seen = copy.copy(staff)
        seen.lead_case_ids = [c for c in staff.lead_case_ids if c not in erased]
        return seen

    def _stored_staff(self, staff_id: UUID, version: int | None = None) -> Staff:
        """The staff record as stored (for the service layer's own checks and writes)."""
        return self.load(staff_id, Staff, "staff member", version)

    def list_staff(self) -> list[Staff]:
        return [self.get_staff(staff_id) for staff_id in self.get_organisation().staff_ids]

    # -- reads for someone signed in (the adapters' reads: CLI, API, pages) ----------
    # `get_organisation`, `get_staff` and `list_staff` above are for in-process callers
    # (the service layer's own checks, the demo builder, tests).

    def read_organisation(self, by: Actor) -> Organisation:
        """The organisation's centres and departments, for anyone on staff holding their
        role today (names of places, no personal records)."""
        self._require_on_staff(by, ["organisation"])
        return self.get_organisation()

    def read_staff(self, by: Actor, staff_id: UUID) -> Staff:
        """A staff record as `by` may read it (`may_read_staff`); a refusal is recorded."""
        staff = self.get_staff(staff_id)
        self._require_on_staff(
            by,
            ["staff"],
            lambda context: may_read_staff(context, staff),
            "may not read this staff record",
            [staff_id],
        )
        return staff

    def read_staff_list(self, by: Actor) -> list[Staff]:
        """The staff records `by` may read (`may_read_staff`), in the order they joined."""
        context = self._require_on_staff(by, ["staff"])
        if context is None:  # the founder setting up reads everyone
            return self.list_staff()
        return [s for s in self.list_staff() if may_read_staff(context, s)]

    def staff_directory(self, by: Actor) -> list[Colleague]:
        """Everyone on the organisation's staff by name, role, discipline and place,
        for anyone on staff: what picking a team member, a supervisor or a receiver
        needs, and nothing of their records."""
        self._require_on_staff(by, ["staff_directory"])
        if self._directory is None:
            self._directory = KeptDirectory()
        return self._directory.colleagues(
            self.recorder, lambda: [Colleague.of(s) for s in self.list_staff()]
        )

    def _require_on_staff(
        self,
        by: Actor,
        record_kinds: list[str],
        rule: Callable[[ActorContext], Decision] | None = None,
        message: str = "",
        record_ids: Sequence[UUID] = (),
    ) -> ActorContext | None:
        """Who `by` is today, refused (and recorded) when they hold no role now or
        `rule` refuses; None for the founder setting the organisation up."""
        if self._founder_setting_up(by):
            return None
        if rule is None:
            return self.context_of(by, AccessAction.READ, None)
        return self.require(
            by, AccessAction.READ, rule, message, record_kinds=record_kinds, record_ids=record_ids
        )

    def change_roles(
        self,
        by: Actor,
        staff_id: UUID,
        command: ChangeRoles,
        expected_version: int | None = None,
    ) -> None:
        self._update_staff(
            staff_id,
            by,
            OrganisationAction.CHANGE_ROLES,
            expected_version,
            lambda s: s.change_roles(by, list(command.roles), command.occurred_at),
        )
        self.staff_access_changed(staff_id, by)  # type: ignore[attr-defined]  # sessions end

    def move_staff(
        self,
        by: Actor,
        staff_id: UUID,
        command: MoveStaff,
        expected_version: int | None = None,
    ) -> None:
        """To another department of the organisation (None: no department)."""
        department_id = command.department_id
        if department_id is not None:
            centre_id = self.get_organisation().department(department_id).centre_id
            # A director moves people only into their own centre's departments.
            self._authorise_organisation(by, OrganisationAction.MOVE_STAFF, centre_id)
        self._update_staff(
            staff_id,
            by,
            OrganisationAction.MOVE_STAFF,
            expected_version,
            lambda s: s.move_to_department(by, department_id, command.occurred_at),
        )

    def assign_supervisor(self, by: Actor, supervisee_id: UUID, command: AssignSupervisor) -> None:
        """Internal or external (a supervisor's staff record says which); in the
        supervisee's centre."""
        supervisor_id, occurred_at = command.supervisor_id, command.occurred_at
        supervisee = self._stored_staff(supervisee_id)
        supervisor = self._stored_staff(supervisor_id)
        self._authorise_organisation(by, OrganisationAction.SUPERVISION, supervisee.centre_id)
        supervisor.require_role(Role.SUPERVISOR)
        link = SupervisionLink(supervisor_id, supervisee_id, command.starts_on, command.ends_on)
        supervisee.start_supervision(by, link, occurred_at)
        supervisor.start_supervision(by, link, occurred_at)
        self.save(supervisee, supervisor)

    def end_supervision(
        self,
        by: Actor,
        supervisee_id: UUID,
        supervisor_id: UUID,
        ends_on: date,
        occurred_at: datetime | None = None,
    ) -> None:
        supervisee = self._stored_staff(supervisee_id)
        supervisor = self._stored_staff(supervisor_id)
        self._authorise_organisation(by, OrganisationAction.SUPERVISION, supervisee.centre_id)
        for staff in (supervisee, supervisor):
            staff.end_supervision(by, supervisor_id, supervisee_id, ends_on, occurred_at)
        self.save(supervisee, supervisor)

    def staff_leaves(
        self,
        by: Actor,
        staff_id: UUID,
        command: RecordLeaving,
        expected_version: int | None = None,
    ) -> None:
        """Refused, listing the cases, while they lead cases not yet closed (a case
        waiting for closure approval still needs its lead). Their record lists the
        cases still open (and, if written before closures were noted on it, the
        closed ones before that): each listed case is checked."""

        def leave(staff: Staff) -> None:
            unfinished = [c for c in staff.lead_case_ids if not self._finished(c)]
            staff.leave(by, command.on, unfinished, command.occurred_at)

        self._update_staff(staff_id, by, OrganisationAction.STAFF_LEAVES, expected_version, leave)
        self.staff_access_changed(staff_id, by)  # type: ignore[attr-defined]  # sessions end

    def _update_organisation(
        self, expected_version: int | None, command: Callable[[Organisation], T]
    ) -> T:
        return self.update(ORGANISATION_ID, Organisation, "organisation", expected_version, command)

    def _update_staff(
        self,
        staff_id: UUID,
        by: Actor,
        action: OrganisationAction,
        expected_version: int | None,
        command: Callable[[Staff], T],
    ) -> T:
        """Load a staff record, authorise `by` for `action` in its centre, check the
        version, run the command and save."""
        staff = self._stored_staff(staff_id)
        self._authorise_organisation(by, action, staff.centre_id, subject=staff_id)
        self.expect_version(staff, expected_version)
        result = command(staff)
        self.save(staff)
        return result

    def _authorise_organisation(
        self,
        by: Actor,
        action: OrganisationAction,
        centre_id: UUID | None,
        roles: frozenset[Role] = frozenset(),
        *,
        subject: UUID | None = None,
    ) -> None:
        """Refuse (recorded in the access log) what `may_manage` does not allow; the
        founder setting the organisation up is let through (see `found_organisation`)."""
        if self._founder_setting_up(by):
            return
        context = self.context_of(by, AccessAction.WRITE, None)
        decision = may_manage(context, action, centre_id, roles)
        if not decision:
            self.record_access(
                by,
                AccessAction.WRITE,
                record_kinds=["organisation"],
                outcome=AccessOutcome.REFUSED,
                reason=f"{OrganisationAction(action).value}: {decision.reason}",
                subject=str(subject or ""),
            )
            raise AccessDenied(
                f"may not {OrganisationAction(action).value}: {decision.reason}",
                reason=decision.reason,
            )

    def _founder_setting_up(self, by: Actor) -> bool:
        """The founder, not on staff, while nobody on staff is an administrator."""
        if not self.has_organisation():
            return False
        organisation = self.get_organisation()
        if by.staff_id in organisation.staff_ids:
            return False
        founded = next(iter(self.events.get(ORGANISATION_ID, lte=1)), None)
        if founded is None or founded.actor_id != by.staff_id:  # type: ignore[attr-defined]
            return False
        return not any(
            staff.active and Role.ADMINISTRATOR in staff.roles
            for staff in map(self.get_staff, organisation.staff_ids)
        )

    def _lead_noting_closure(
        self, case: Case, was_closed: bool, by: Actor, occurred_at: datetime | None
    ) -> list[Staff]:
        """The case's lead with the closure noted on their record, when the command has
        just closed the case (to save with it); nothing otherwise. Their record then
        lists only open cases, so loading it costs the same however many they closed."""
        if was_closed or case.status is not CaseStatus.CLOSED:
            return []
        lead = self._stored_staff(case.lead_worker_id)
        lead.lead_case_closed(by, case.id, occurred_at)
        return [lead]

    def cases_led(self, staff_id: UUID) -> list[UUID]:
        """Every case they lead, closed ones too, oldest first (erased ones omitted):
        read from their record's history, for audits that look back over a period."""
        led: dict[UUID, None] = {}
        for event in self.events.get(staff_id):
            if isinstance(event, Staff.CaseLeadTaken):
                led[event.case_id] = None
            elif isinstance(event, Staff.CaseLeadHandedOver):
                led.pop(event.case_id, None)
        erased = self.key_table.destroyed_among(list(led))  # type: ignore[attr-defined]
        return [c for c in led if c not in erased]

    def _finished(self, case_id: UUID) -> bool:
        """Closed, or erased: either way nobody needs to take it over."""
        try:
            return self.load(case_id, Case, "case").status == CaseStatus.CLOSED
        except RuleBroken as error:
            if error.rule == "erased":
                return True
            raise

    def actor_context(self, actor: Actor, at: datetime | None = None) -> ActorContext:
        """What the access rule needs to know about someone acting in a role now: from
        their staff record as every reader shares it (`read`, ADR 0062), not opened anew
        for each of the checks a request makes."""
        staff = self.read(actor.staff_id, Staff, "staff member")
        return ActorContext.of_staff(staff, actor.role, at or now())
