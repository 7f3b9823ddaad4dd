"""Stories of the organisation: centres and departments, staff and their roles, who
supervises whom and from when."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from casework.access import AccessDenied
from casework.aggregates.base import Actor, InvalidValue, Role
from casework.aggregates.discipline import Discipline
from casework.aggregates.organisation import DuplicateName, UnknownDepartment
from casework.aggregates.staff import CannotLeadCases, RoleNotHeld, SupervisionNotFound
from casework.application import Casework
from casework.application.commands.cases import (
    OpenCase,
)
from casework.application.commands.organisation import (
    AddCentre,
    AddDepartment,
    AddStaff,
    AssignSupervisor,
    ChangeRoles,
    MoveStaff,
)
from casework.application.errors import NotFound
from tests.builders.centre import FOUNDER, family_centre, family_client, open_family_case


def test_a_centre_defines_its_departments_and_staff_move_between_them(app: Casework) -> None:
    centre = family_centre(app)
    community = app.add_department(
        centre.administrator, AddDepartment(centre_id=centre.centre_id, name="社区部 Community")
    )
    with pytest.raises(DuplicateName, match="already has a department called"):
        app.add_department(
            centre.administrator, AddDepartment(centre_id=centre.centre_id, name="长者部 Elderly")
        )
    with pytest.raises(UnknownDepartment):
        app.move_staff(
            centre.administrator, centre.worker.staff_id, MoveStaff(department_id=centre.centre_id)
        )
    app.move_staff(centre.administrator, centre.worker.staff_id, MoveStaff(department_id=community))
    assert app.get_staff(centre.worker.staff_id).department_id == community
    names = [d.name for d in app.get_organisation().departments_of(centre.centre_id)]
    assert names == ["家庭部 Family", "青少年部 Youth", "长者部 Elderly", "社区部 Community"]
    assert len(app.list_staff()) == 10


def test_a_person_holds_several_roles_and_acts_only_in_those(app: Casework) -> None:
    centre = family_centre(app)
    app.change_roles(
        centre.administrator,
        centre.head.staff_id,
        ChangeRoles(roles=[Role.DEPARTMENT_HEAD, Role.CASEWORKER]),
    )
    assert app.actor_context(Actor(centre.head.staff_id, Role.CASEWORKER)).role == "caseworker"
    with pytest.raises(RoleNotHeld, match="does not hold the role supervisor"):
        app.actor_context(Actor(centre.head.staff_id, Role.SUPERVISOR))
    with pytest.raises(InvalidValue, match="roles"):
        app.change_roles(centre.administrator, centre.head.staff_id, ChangeRoles(roles=[]))
    with pytest.raises(NotFound):
        app.actor_context(Actor(FOUNDER.staff_id, Role.ADMINISTRATOR))


def test_supervision_runs_from_its_start_to_its_end_date(app: Casework) -> None:
    centre = family_centre(app)
    worker, supervisor = centre.worker.staff_id, centre.supervisor.staff_id
    assert app.get_staff(worker).supervisors_on(date(2026, 5, 1)) == [supervisor]
    assert app.get_staff(worker).supervisors_on(date(2025, 12, 31)) == []
    app.end_supervision(centre.administrator, worker, supervisor, date(2026, 6, 1))
    for record in (app.get_staff(worker), app.get_staff(supervisor)):
        assert record.supervision[0].ends_on == date(2026, 6, 1)
    still_supervised = centre.second_worker.staff_id
    assert app.get_staff(supervisor).supervisees_on(date(2026, 5, 31)) == [worker, still_supervised]
    assert app.get_staff(supervisor).supervisees_on(date(2026, 6, 1)) == [still_supervised]
    with pytest.raises(SupervisionNotFound):
        app.end_supervision(centre.administrator, worker, supervisor, date(2026, 7, 1))
    # Only someone who holds the supervisor role supervises.
    with pytest.raises(RoleNotHeld):
        app.assign_supervisor(
            centre.administrator,
            worker,
            AssignSupervisor(supervisor_id=centre.head.staff_id, starts_on=date(2026, 1, 1)),
        )
    context = app.actor_context(centre.supervisor, datetime(2026, 5, 1, tzinfo=UTC))
    assert context.supervisee_ids == {worker, still_supervised}


def test_only_caseworkers_and_department_heads_lead_cases(app: Casework) -> None:
    centre = family_centre(app)
    with pytest.raises(CannotLeadCases, match="not a caseworker or department head"):
        app.open_case(
            centre.worker,
            OpenCase(
                clients=[family_client()],
                presenting_problem="problem",
                referral_source="self",
                department_id=centre.family_id,
                lead_worker_id=centre.lawyer.staff_id,
            ),
        )
    with pytest.raises(InvalidValue, match="consent disciplines"):
        open_family_case(app, centre, disciplines=())
    assert app.case_ids() == []


def test_an_external_supervisor_is_on_record_as_external(app: Casework) -> None:
    centre = family_centre(app)
    external = app.add_staff(
        centre.administrator,
        AddStaff(
            name="何美玲 Dr Margaret Ho",
            centre_id=centre.centre_id,
            roles=[Role.SUPERVISOR],
            disciplines=[Discipline.SOCIAL_WORK, Discipline.PSYCHOLOGY],
            external=True,
        ),
    )
    record = app.get_staff(external)
    assert record.external and record.department_id is None and record.active


def test_the_founder_sets_up_until_an_administrator_is_on_staff(app: Casework) -> None:
    founder = Actor(uuid4(), Role.ADMINISTRATOR)
    app.found_organisation(founder, "阳光社工服务中心 Sunshine Social Work")
    centre_id = app.add_centre(founder, AddCentre(name="海珠家综 Haizhu Family Centre"))
    stranger = Actor(uuid4(), Role.ADMINISTRATOR)
    with pytest.raises(NotFound):  # not on staff, and not the founder
        app.add_centre(stranger, AddCentre(name="另一家综 Another Centre"))
    app.add_staff(
        founder,
        AddStaff(
            name="IT Admin",
            centre_id=centre_id,
            roles=[Role.ADMINISTRATOR],
            disciplines=[Discipline.OTHER],
        ),
    )
    # Once an administrator is on staff, the founder (not on staff) acts no more.
    with pytest.raises(NotFound):
        app.add_centre(founder, AddCentre(name="另一家综 Another Centre"))
    assert [c.name for c in app.get_organisation().centres] == ["海珠家综 Haizhu Family Centre"]


def test_directors_keep_their_own_centre_and_administrators_the_organisation(
    app: Casework,
) -> None:
    centre = family_centre(app)
    social = [Discipline.SOCIAL_WORK]
    volunteers = app.add_department(
        centre.director, AddDepartment(centre_id=centre.centre_id, name="义工部 Volunteers")
    )
    newcomer = app.add_staff(
        centre.director,
        AddStaff(
            name="张义 Zhang Yi",
            centre_id=centre.centre_id,
            department_id=volunteers,
            roles=[Role.CASEWORKER],
            disciplines=social,
        ),
    )
    app.assign_supervisor(
        centre.director,
        newcomer,
        AssignSupervisor(supervisor_id=centre.supervisor.staff_id, starts_on=date(2026, 1, 1)),
    )
    assert app.get_staff(newcomer).supervisors_on(date(2026, 2, 1)) == [centre.supervisor.staff_id]
    with pytest.raises(AccessDenied, match="only an administrator appoints to the roles"):
        app.add_staff(
            centre.director,
            AddStaff(
                name="x",
                centre_id=centre.centre_id,
                roles=[Role.ADMINISTRATOR],
                disciplines=[Discipline.OTHER],
            ),
        )
    with pytest.raises(AccessDenied, match="only an administrator may change a staff member's"):
        app.change_roles(centre.director, newcomer, ChangeRoles(roles=[Role.CENTRE_DIRECTOR]))
    with pytest.raises(AccessDenied, match="only an administrator may add a centre"):
        app.add_centre(centre.director, AddCentre(name="另一家综 Another Centre"))
    elsewhere = app.add_centre(centre.administrator, AddCentre(name="另一家综 Another Centre"))
    with pytest.raises(AccessDenied, match="only their own centre"):
        app.add_department(
            centre.director, AddDepartment(centre_id=elsewhere, name="家庭部 Family")
        )
    for someone in (centre.head, centre.worker, centre.supervisor, centre.reviewer):
        with pytest.raises(AccessDenied, match="kept by administrators and centre directors"):
            app.add_staff(
                someone,
                AddStaff(
                    name="y",
                    centre_id=centre.centre_id,
                    roles=[Role.CASEWORKER],
                    disciplines=social,
                ),
            )
    assert app.get_staff(newcomer).roles == [Role.CASEWORKER]
    refused = app.what_person_read(centre.reviewer, centre.head.staff_id)
    assert [(e.action, e.outcome, e.record_kinds) for e in refused] == [
        ("write", "refused", ["organisation"])
    ]
