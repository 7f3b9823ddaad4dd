"""Stories of sessions: they expire when idle and at their absolute limit, an
administrator ends a person's sessions, and they end by themselves when the person
leaves or no longer holds the role they signed in with."""

import time
from datetime import timedelta
from uuid import UUID

import pytest

from casework.aggregates.base import Role
from casework.aggregates.staff import RoleNotHeld, Staff
from casework.application import Casework
from casework.application import principal as principal_module
from casework.application.accounts import (
    NotAdministrator,
    NotSignedIn,
    SessionEnded,
    SessionExpired,
    SignedIn,
)
from casework.application.commands.organisation import ChangeRoles, RecordLeaving
from casework.application.principal import KNOWN_FOR_SECONDS, AccessPoint, Principal
from tests.builders.centre import open_family_case
from tests.identity.steps import PASSWORD, Clock, Worker, access_log, centre_with_worker

API = AccessPoint.API


def sign_in(store: Casework, clock: Clock, worker: Worker, role: Role) -> SignedIn:
    clock.advance(seconds=31)  # a fresh TOTP step for each sign-in
    return store.sign_in(worker.user_name, PASSWORD, worker.totp.at(clock.at), role, "", API)


def test_a_session_expires_when_idle_and_at_its_absolute_limit(store: Casework) -> None:
    clock, _centre, worker = centre_with_worker(store)
    session = sign_in(store, clock, worker, Role.CASEWORKER)
    # Used every 29 minutes, it lives until its absolute limit of 12 hours.
    for _ in range(24):
        clock.advance(minutes=29)
        store.authenticate(session.token, API)
    assert clock.at < session.absolute_expires_at
    clock.at = session.absolute_expires_at
    with pytest.raises(SessionExpired, match="expired: sign in again"):
        store.authenticate(session.token, API)

    idle = sign_in(store, clock, worker, Role.CASEWORKER)
    clock.advance(minutes=29, seconds=59)
    store.authenticate(idle.token, API)
    clock.advance(minutes=30)
    with pytest.raises(SessionExpired):
        store.authenticate(idle.token, API)
    with pytest.raises(NotSignedIn, match="not signed in"):
        store.authenticate("made-up-token", API)
    with pytest.raises(NotSignedIn):
        store.sign_out(Principal(store.get_account(worker.user_name).staff_id, Role.CASEWORKER))


def test_a_session_used_often_is_written_once_a_minute_and_never_outlives_its_idle_span(
    store: Casework,
) -> None:
    clock, centre, worker = centre_with_worker(store)
    session = sign_in(store, clock, worker, Role.CASEWORKER)
    signed_in_at = clock.at
    # Used again 30 seconds later: the idle limit is not moved for so little.
    clock.advance(seconds=30)
    store.authenticate(session.token, API)
    (live,) = store.live_sessions(centre.administrator, centre.worker.staff_id)
    assert live.last_seen_at == signed_in_at
    # So it ends 30 minutes after the sign-in, 30 seconds early, never late.
    clock.at = signed_in_at + timedelta(minutes=30)
    with pytest.raises(SessionExpired):
        store.authenticate(session.token, API)

    other = sign_in(store, clock, worker, Role.CASEWORKER)
    clock.advance(minutes=2)
    store.authenticate(other.token, API)
    (live,) = store.live_sessions(centre.administrator, centre.worker.staff_id)
    assert live.last_seen_at == clock.at
    assert live.idle_expires_at == clock.at + timedelta(minutes=30)


def test_an_administrator_ends_a_persons_sessions(store: Casework) -> None:
    clock, centre, worker = centre_with_worker(store)
    first = sign_in(store, clock, worker, Role.CASEWORKER)
    second = sign_in(store, clock, worker, Role.CASEWORKER)
    assert len(store.live_sessions(centre.administrator, centre.worker.staff_id)) == 2
    with pytest.raises(NotAdministrator):
        store.revoke_sessions(centre.director, centre.worker.staff_id)
    ended = store.revoke_sessions(centre.administrator, centre.worker.staff_id, "lost laptop")
    assert ended == 2
    for session in (first, second):
        with pytest.raises(SessionEnded, match="lost laptop"):
            store.authenticate(session.token, API)
    revoked = access_log(store)[-1]
    assert revoked.action == "sessions_revoked"
    assert revoked.actor_id == centre.administrator.staff_id
    assert revoked.subject == str(centre.worker.staff_id)
    assert set(revoked.record_ids) == {first.principal.session_id, second.principal.session_id}
    assert store.live_sessions(centre.administrator, centre.worker.staff_id) == []


def test_sessions_end_when_the_person_loses_the_role_or_leaves(store: Casework) -> None:
    clock, centre, worker = centre_with_worker(store)
    staff_id = centre.worker.staff_id
    store.change_roles(
        centre.administrator, staff_id, ChangeRoles(roles=[Role.CASEWORKER, Role.DEPARTMENT_HEAD])
    )
    as_worker = sign_in(store, clock, worker, Role.CASEWORKER)
    as_head = sign_in(store, clock, worker, Role.DEPARTMENT_HEAD)

    # Losing one role ends the sessions in that role only.
    store.change_roles(centre.administrator, staff_id, ChangeRoles(roles=[Role.CASEWORKER]))
    with pytest.raises(SessionEnded, match="no longer holds the role"):
        store.authenticate(as_head.token, API)
    assert store.authenticate(as_worker.token, API).role is Role.CASEWORKER
    assert (
        access_log(store)[-1].reason
        == "1 session(s) ended: no longer holds the role signed in with"
    )

    store.staff_leaves(centre.administrator, staff_id, RecordLeaving(on=clock.at.date()))
    with pytest.raises(SessionEnded, match="left the organisation"):
        store.authenticate(as_worker.token, API)
    left = [r for r in access_log(store) if r.action == "sessions_revoked"][-1]
    assert left.actor_id == centre.administrator.staff_id and left.record_ids == [
        as_worker.principal.session_id
    ]


def test_authenticate_itself_refuses_a_role_no_longer_held(store: Casework) -> None:
    """Even a change recorded without the service's hook (an import, a repair) ends
    the session the next time it is used."""
    clock, centre, worker = centre_with_worker(store)
    session = sign_in(store, clock, worker, Role.CASEWORKER)
    staff = store.get_staff(centre.worker.staff_id)
    staff.change_roles(centre.head, [Role.SPECIALIST])
    store.save(staff)
    with pytest.raises(SessionEnded, match="no longer holds the role caseworker"):
        store.authenticate(session.token, API)
    with pytest.raises(SessionEnded):
        store.authenticate(session.token, API)
    revoked = access_log(store)[-1]
    assert (revoked.action, revoked.actor_id) == ("sessions_revoked", None)


def test_who_a_session_check_found_stands_for_that_request_only(
    store: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking a session loads the person's staff record; the request's own read uses
    what that check found instead of loading it again. A principal kept beyond the
    moment of its request (`KNOWN_FOR_SECONDS`) is asked about afresh, so a role taken
    away since is refused."""
    clock, centre, worker = centre_with_worker(store)
    case_id = open_family_case(store, centre)
    principal = store.authenticate(sign_in(store, clock, worker, Role.CASEWORKER).token, API)

    def loaded_again(staff_id: UUID, version: int | None = None) -> Staff:
        raise AssertionError("the staff record was loaded again within the request")

    with monkeypatch.context() as request:
        request.setattr(store, "_stored_staff", loaded_again)
        assert store.read_case(principal, case_id).case.id == case_id

    staff = store.get_staff(centre.worker.staff_id)
    staff.change_roles(centre.head, [Role.SPECIALIST])
    store.save(staff)
    later = time.monotonic() + KNOWN_FOR_SECONDS
    monkeypatch.setattr(principal_module.time, "monotonic", lambda: later)
    with pytest.raises(RoleNotHeld, match="does not hold the role caseworker"):
        store.read_case(principal, case_id)
    refused = access_log(store)[-1]
    assert (refused.action, refused.outcome, refused.case_id) == ("read", "refused", case_id)
