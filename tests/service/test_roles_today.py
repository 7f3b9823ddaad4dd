"""The role a person acts in must be one they hold today; people who have left act in
none (issue 11). A claim to a role not held is refused before the access rule is
asked, and the refused attempt is in the access log under the role claimed."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from casework.aggregates.access_record import AccessAction, AccessOutcome, AccessRecord
from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import Case, RiskLevel
from casework.application import Casework
from casework.application.commands.cases import (
    BreakTheGlass,
    RerateRisk,
)
from casework.application.commands.organisation import ChangeRoles, RecordLeaving
from casework.store.access_index import AccessQuery
from tests.builders.centre import FamilyCentre, enrol, family_centre, open_family_case, write_note


def _records_of(store: Casework, actor: Actor, before: set[UUID]) -> list[AccessRecord]:
    ids = store.access_index.find(AccessQuery(staff_id=actor.staff_id))
    return [store.load(i, AccessRecord, "access record") for i in ids if i not in before]


def _ids(store: Casework, actor: Actor) -> set[UUID]:
    return set(store.access_index.find(AccessQuery(staff_id=actor.staff_id)))


def _version(store: Casework, case_id: UUID) -> int:
    case = store.repository.get(case_id)
    assert isinstance(case, Case)
    return case.version


def _refused_and_recorded(
    store: Casework,
    actor: Actor,
    attempt: Callable[[], object],
    rule: str,
    action: AccessAction,
    case_id: UUID | None,
) -> AccessRecord:
    """`attempt` is refused with `rule`, and leaves exactly one refused access record
    naming the person, the role they claimed and the case."""
    before = _ids(store, actor)
    with pytest.raises(RuleBroken) as refused:
        attempt()
    assert refused.value.rule == rule, refused.value.message
    records = _records_of(store, actor, before)
    assert [(r.action, r.outcome, r.actor_role, r.case_id) for r in records] == [
        (action, AccessOutcome.REFUSED, actor.role, case_id)
    ]
    assert records[0].reason and records[0].reason in refused.value.message
    return records[0]


@pytest.fixture
def centre(store: Casework) -> FamilyCentre:
    return family_centre(store)


def test_a_role_claimed_but_not_held_is_refused_and_recorded(
    store: Casework, centre: FamilyCentre
) -> None:
    case_id = open_family_case(store, centre)
    version = _version(store, case_id)
    # A caseworker claims to be the centre director; a lawyer claims to be a reviewer.
    as_director = Actor(centre.second_worker.staff_id, Role.CENTRE_DIRECTOR)
    as_reviewer = Actor(centre.lawyer.staff_id, Role.COMPLIANCE_REVIEWER)
    as_head = Actor(centre.second_worker.staff_id, Role.DEPARTMENT_HEAD)

    record = _refused_and_recorded(
        store, as_director, lambda: store.read_case(as_director, case_id),
        "role_not_held", AccessAction.READ, case_id,
    )  # fmt: skip
    assert "does not hold the role centre_director" in record.reason
    _refused_and_recorded(
        store, as_reviewer, lambda: store.read_case(as_reviewer, case_id),
        "role_not_held", AccessAction.READ, case_id,
    )  # fmt: skip
    _refused_and_recorded(
        store,
        as_head,
        lambda: write_note(store, as_head, case_id, "a call"),
        "role_not_held",
        AccessAction.WRITE,
        case_id,
    )
    _refused_and_recorded(
        store,
        as_head,
        lambda: store.break_the_glass(as_head, case_id, BreakTheGlass(reason="night call")),
        "role_not_held",
        AccessAction.BREAK_THE_GLASS,
        case_id,
    )

    assert _version(store, case_id) == version, "nothing was written"
    # The same person in the role they hold is judged by the access rule as usual.
    _refused_and_recorded(
        store,
        centre.second_worker,
        lambda: store.read_case(centre.second_worker, case_id),
        "access_denied",
        AccessAction.READ,
        case_id,
    )


def test_the_role_acted_in_decides_for_someone_holding_two(
    store: Casework, centre: FamilyCentre
) -> None:
    case_id = open_family_case(store, centre)
    both = enrol(
        store, centre, "罗敏 Luo Min", centre.family_id, Role.CASEWORKER, Role.DEPARTMENT_HEAD
    )
    as_head, as_caseworker = Actor(both, Role.DEPARTMENT_HEAD), Actor(both, Role.CASEWORKER)

    reading = store.read_case(as_head, case_id)

    assert reading.ground == "head of the case's department"
    record = _refused_and_recorded(
        store, as_caseworker, lambda: store.read_case(as_caseworker, case_id),
        "access_denied", AccessAction.READ, case_id,
    )  # fmt: skip
    assert "not on the case team now" in record.reason


def test_a_role_taken_away_is_not_held_from_then_on(store: Casework, centre: FamilyCentre) -> None:
    case_id = open_family_case(store, centre)
    store.read_case(centre.head, case_id)

    store.change_roles(
        centre.administrator, centre.head.staff_id, ChangeRoles(roles=[Role.CASEWORKER])
    )

    record = _refused_and_recorded(
        store, centre.head, lambda: store.read_case(centre.head, case_id),
        "role_not_held", AccessAction.READ, case_id,
    )  # fmt: skip
    assert "does not hold the role department_head" in record.reason


def test_people_who_have_left_act_in_no_role(store: Casework, centre: FamilyCentre) -> None:
    case_id = open_family_case(store, centre)
    left = enrol(
        store,
        centre,
        "陈旧 Chen Jiu",
        centre.family_id,
        Role.DEPARTMENT_HEAD,
        Role.COMPLIANCE_REVIEWER,
    )
    for role in (Role.DEPARTMENT_HEAD, Role.COMPLIANCE_REVIEWER):
        store.read_case(Actor(left, role), case_id)  # both held while employed
    store.staff_leaves(centre.administrator, left, RecordLeaving(on=datetime.now(UTC).date()))
    version = _version(store, case_id)

    for role in Role:  # held before or not: none now
        actor = Actor(left, role)
        record = _refused_and_recorded(
            store, actor, lambda actor=actor: store.read_case(actor, case_id),
            "staff_has_left", AccessAction.READ, case_id,
        )  # fmt: skip
        assert "left on" in record.reason
    head = Actor(left, Role.DEPARTMENT_HEAD)
    _refused_and_recorded(
        store,
        head,
        lambda: store.rerate_risk(
            head, case_id, RerateRisk(risk_level=RiskLevel.HIGH, reason="re-rated")
        ),
        "staff_has_left",
        AccessAction.WRITE,
        case_id,
    )
    _refused_and_recorded(
        store,
        head,
        lambda: store.break_the_glass(head, case_id, BreakTheGlass(reason="night call")),
        "staff_has_left",
        AccessAction.BREAK_THE_GLASS,
        case_id,
    )
    assert _version(store, case_id) == version


def test_a_leaver_or_a_role_claim_on_the_access_log_is_refused_and_recorded(
    store: Casework, centre: FamilyCentre
) -> None:
    case_id = open_family_case(store, centre)
    claims_review = Actor(centre.second_worker.staff_id, Role.COMPLIANCE_REVIEWER)
    _refused_and_recorded(
        store, claims_review,
        lambda: store.what_person_read(claims_review, centre.worker.staff_id),
        "role_not_held", AccessAction.ACCESS_LOG, None,
    )  # fmt: skip
    store.staff_leaves(
        centre.administrator, centre.reviewer.staff_id, RecordLeaving(on=date.today())
    )
    assert not store.get_staff(centre.reviewer.staff_id).active

    _refused_and_recorded(
        store, centre.reviewer, lambda: store.who_read_case(centre.reviewer, case_id),
        "staff_has_left", AccessAction.ACCESS_LOG, case_id,
    )  # fmt: skip
    _refused_and_recorded(
        store, centre.reviewer,
        lambda: store.what_person_read(centre.reviewer, centre.worker.staff_id),
        "staff_has_left", AccessAction.ACCESS_LOG, None,
    )  # fmt: skip
