"""Stories of who may write and find what in a case, through the service layer: each
refusal is recorded in the access log and leaves the case as it was."""

from datetime import date
from uuid import UUID

import msgspec
import pytest

from casework.access import AccessDenied, AdministratorsSeeNoCaseContent
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import NoteKind, ReferralSource, RiskLevel
from casework.aggregates.discipline import Discipline
from casework.aggregates.staff import StaffHasLeft
from casework.application import Casework
from casework.application.access_log import AccessEntry
from casework.application.commands.cases import (
    BreakTheGlass,
    HandOverCase,
    OpenCase,
    RecordConsent,
    RerateRisk,
)
from casework.application.commands.organisation import RecordLeaving
from casework.store.access_index import AccessQuery
from tests.builders.centre import (
    FamilyCentre,
    family_centre,
    family_client,
    in_post,
    join_team,
    open_family_case,
    write_note,
)

SOCIAL, LAW, PSYCHOLOGY = Discipline.SOCIAL_WORK, Discipline.LAW, Discipline.PSYCHOLOGY


def refusals(store: Casework, centre: FamilyCentre, case_id: UUID) -> list[AccessEntry]:
    return store.who_read_case(centre.reviewer, case_id, AccessQuery(outcome="refused"))


def self_referred(centre: FamilyCentre, lead: Actor, problem: str) -> OpenCase:
    """The family client refers herself to the family department, `lead` leading, with
    consent for social work."""
    return OpenCase(
        clients=[family_client()],
        presenting_problem=problem,
        referral_source=ReferralSource.SELF,
        department_id=centre.family_id,
        lead_worker_id=lead.staff_id,
        consent=RecordConsent(given=True, on=date(2026, 3, 1), disciplines=[SOCIAL]),
    )


def youth_staff(store: Casework, centre: FamilyCentre, name: str, role: Role) -> Actor:
    return in_post(
        store, centre.administrator, centre.centre_id, name, role, SOCIAL, centre.youth_id
    )


def test_a_law_specialist_writes_law_notes_and_is_refused_a_psychology_note(
    store: Casework,
) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    join_team(store, centre.worker, case_id, centre.lawyer, LAW)
    write_note(
        store, centre.lawyer, case_id, "custody law", NoteKind.OFFICE_INTERVIEW, 30, discipline=LAW
    )
    version = store.repository.get(case_id).version

    with pytest.raises(AccessDenied, match="writes only law notes and assessments"):
        write_note(
            store,
            centre.lawyer,
            case_id,
            "grief",
            NoteKind.OFFICE_INTERVIEW,
            30,
            discipline=PSYCHOLOGY,
        )

    assert store.repository.get(case_id).version == version
    [refused] = refusals(store, centre, case_id)
    assert (refused.staff_id, refused.action, refused.record_kinds) == (
        centre.lawyer.staff_id,
        AccessAction.WRITE,
        ["note"],
    )


def test_an_administrator_writes_no_note(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    version = store.repository.get(case_id).version

    with pytest.raises(AccessDenied, match="administrators see no case content"):
        write_note(store, centre.administrator, case_id, "a call")

    assert store.repository.get(case_id).version == version
    assert [(e.staff_id, e.outcome) for e in refusals(store, centre, case_id)] == [
        (centre.administrator.staff_id, AccessOutcome.REFUSED)
    ]


def test_a_caseworker_of_another_department_neither_reads_nor_writes(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    youth_worker = youth_staff(store, centre, "何伟 He Wei", Role.CASEWORKER)
    version = store.repository.get(case_id).version

    with pytest.raises(AccessDenied, match="not on the case team"):
        store.read_case(youth_worker, case_id)
    with pytest.raises(AccessDenied, match="not on the case team"):
        write_note(store, youth_worker, case_id, "a call")
    with pytest.raises(AccessDenied, match="not on the case team"):
        store.rerate_risk(
            youth_worker, case_id, RerateRisk(risk_level=RiskLevel.LOW, reason="looks fine")
        )
    with pytest.raises(AccessDenied, match="opened in one's own department"):
        store.open_case(youth_worker, self_referred(centre, centre.worker, "marital conflict"))

    assert store.repository.get(case_id).version == version
    assert [e.action for e in refusals(store, centre, case_id)] == [
        AccessAction.WRITE,
        AccessAction.WRITE,
        AccessAction.READ,
    ]
    assert store.case_ids() == [case_id]


def test_a_worker_who_has_left_is_refused(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    join_team(store, centre.worker, case_id, centre.lawyer, LAW)
    store.staff_leaves(centre.director, centre.lawyer.staff_id, RecordLeaving(on=date(2026, 6, 30)))
    version = store.repository.get(case_id).version

    with pytest.raises(StaffHasLeft):
        write_note(store, centre.lawyer, case_id, "a call", discipline=LAW)
    with pytest.raises(StaffHasLeft):
        store.read_case(centre.lawyer, case_id)

    assert store.repository.get(case_id).version == version
    assert [(e.staff_id, e.action) for e in refusals(store, centre, case_id)] == [
        (centre.lawyer.staff_id, AccessAction.READ),
        (centre.lawyer.staff_id, AccessAction.WRITE),
    ]


def test_a_department_head_hands_over_a_case_in_their_department(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    youth_head = youth_staff(store, centre, "马俊 Ma Jun", Role.DEPARTMENT_HEAD)

    with pytest.raises(AccessDenied, match="belongs to another department"):
        store.hand_over_case(
            youth_head,
            case_id,
            HandOverCase(to_staff_id=centre.second_worker.staff_id, reason="rota"),
        )
    assert store.repository.get(case_id).lead_worker_id == centre.worker.staff_id

    store.hand_over_case(
        centre.head,
        case_id,
        HandOverCase(to_staff_id=centre.second_worker.staff_id, reason="陈静 is on leave"),
    )

    assert store.repository.get(case_id).lead_worker_id == centre.second_worker.staff_id
    assert case_id in store.get_staff(centre.second_worker.staff_id).lead_case_ids
    assert case_id not in store.get_staff(centre.worker.staff_id).lead_case_ids


def test_a_client_search_shows_only_cases_the_searcher_may_see_and_is_recorded(
    store: Casework,
) -> None:
    centre = family_centre(store)
    mine = open_family_case(store, centre)
    theirs = store.open_case(
        centre.head, self_referred(centre, centre.second_worker, "the same client again")
    )
    youth_worker = youth_staff(store, centre, "何伟 He Wei", Role.CASEWORKER)
    phone = "138 0013 8000"

    assert store.find_cases_by_client(centre.second_worker, "phone", phone) == [theirs]
    assert store.find_cases_by_client(centre.head, "phone", phone) == sorted([mine, theirs])
    assert store.find_cases_by_client(youth_worker, "phone", phone) == []
    assert store.find_cases_by_client(centre.administrator, "phone", phone) == []

    [search] = store.what_person_read(centre.reviewer, centre.second_worker.staff_id)
    assert (search.action, search.outcome, search.subject) == (
        AccessAction.SEARCH,
        AccessOutcome.ALLOWED,
        "phone",
    )
    assert search.record_ids == [theirs]
    # The value searched for is in no field of the record: only the field's name.
    recorded = " ".join(map(str, msgspec.structs.astuple(search)))
    assert phone not in recorded and "13800138000" not in recorded


def test_breaking_the_glass_is_recorded_with_its_reason(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    youth_worker = youth_staff(store, centre, "何伟 He Wei", Role.CASEWORKER)

    grant_id = store.break_the_glass(
        youth_worker, case_id, BreakTheGlass(reason="client at the door at night")
    )

    entries = store.who_read_case(centre.reviewer, case_id)
    [glass] = [e for e in entries if e.action is AccessAction.BREAK_THE_GLASS]
    assert (glass.staff_id, glass.reason, glass.record_ids) == (
        youth_worker.staff_id,
        "client at the door at night",
        [grant_id],
    )
    assert store.read_case(youth_worker, case_id).ground.startswith("emergency access")
    with pytest.raises(AccessDenied, match="emergency access allows reading and writing notes"):
        store.rerate_risk(
            youth_worker, case_id, RerateRisk(risk_level=RiskLevel.LOW, reason="looks fine")
        )


def test_an_administrator_may_not_break_the_glass_and_the_attempt_is_recorded(
    store: Casework,
) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    version = store.read_case(centre.worker, case_id).case.version

    with pytest.raises(AdministratorsSeeNoCaseContent, match="not even by breaking the glass"):
        store.break_the_glass(
            centre.administrator, case_id, BreakTheGlass(reason="the caseworker asked me to look")
        )

    [refused] = [
        e for e in refusals(store, centre, case_id) if e.action is AccessAction.BREAK_THE_GLASS
    ]
    assert refused.staff_id == centre.administrator.staff_id
    reading = store.read_case(centre.worker, case_id)
    assert (reading.case.version, reading.case.emergency_access) == (version, [])
    with pytest.raises(AccessDenied, match="administrators see no case content"):
        store.read_case(centre.administrator, case_id)
