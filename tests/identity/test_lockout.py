"""Stories of failed sign-ins: they slow down, then lock the account, and separately
the source, for a while; an administrator may unlock early; every step is recorded."""

from dataclasses import replace
from datetime import timedelta

import pytest

from casework.aggregates.account import Account, AccountNotLocked
from casework.aggregates.base import Role
from casework.application import Casework
from casework.application.accounts import (
    AccountLocked,
    NotAdministrator,
    SignInFailed,
    SignInTooSoon,
    SourceLocked,
)
from casework.application.principal import AccessPoint
from tests.identity.steps import PASSWORD, access_log, actions, centre_with_worker

CLI = AccessPoint.CLI


def test_wrong_passwords_slow_down_then_lock_the_account_until_it_runs_out(
    store: Casework,
) -> None:
    clock, _centre, worker = centre_with_worker(store)

    def sign_in(password: str = PASSWORD, source: str = "10.0.0.5") -> object:
        code = worker.totp.at(clock.at)
        return store.sign_in(worker.user_name, password, code, Role.CASEWORKER, source, CLI)

    waits = []
    for _ in range(4):
        with pytest.raises(SignInFailed) as failed:
            sign_in("guess-guess-guess")
        waits.append(failed.value.retry_after)
        # Trying again at once is refused without looking at the password.
        with pytest.raises(SignInTooSoon) as too_soon:
            sign_in()
        assert too_soon.value.status == 429 and too_soon.value.retry_after >= 1
        clock.advance(seconds=failed.value.retry_after)
    assert waits == [1, 2, 4, 8]

    with pytest.raises(SignInFailed) as fifth:
        sign_in("guess-guess-guess")
    assert fifth.value.retry_after == 15 * 60
    account = store.get_account(worker.user_name)
    assert account.locked_until == clock.at + timedelta(minutes=15)
    events = list(store.events.get(account.id))
    assert isinstance(events[-1], Account.Locked)
    assert events[-1].failures == 5 and events[-1].source == "10.0.0.5"

    # Even the right password waits for the lock to run out, from anywhere.
    clock.advance(minutes=10)
    with pytest.raises(AccountLocked, match="try again in 300 s") as locked_out:
        sign_in(source="10.0.0.77")
    assert locked_out.value.retry_after == 300
    clock.advance(minutes=5, seconds=1)
    assert sign_in().principal.role is Role.CASEWORKER  # type: ignore[attr-defined]

    log = actions(store)
    assert log.count(("sign_in_failed", "refused")) == 5 + 4 + 1
    assert ("locked_out", "refused") in log
    assert log[-1] == ("sign_in", "allowed")
    lockout = next(r for r in access_log(store) if r.action == "locked_out")
    assert lockout.subject == worker.user_name and lockout.actor_id == account.staff_id


def test_an_administrator_unlocks_an_account_and_the_unlock_is_recorded(store: Casework) -> None:
    clock, centre, worker = centre_with_worker(store)
    store.settings = replace(store.settings, lockout_failures=2)
    with pytest.raises(AccountNotLocked):
        store.unlock_account(centre.administrator, worker.user_name)
    for wait in (1, 900):
        with pytest.raises(SignInFailed) as failed:
            store.sign_in(worker.user_name, "wrong-wrong-wrong", "1", Role.CASEWORKER, "", CLI)
        assert failed.value.retry_after == wait
        clock.advance(seconds=1)
    with pytest.raises(NotAdministrator):
        store.unlock_account(centre.director, worker.user_name)
    store.unlock_account(centre.administrator, worker.user_name, "phoned the help desk")
    assert not store.get_account(worker.user_name).is_locked(clock.at)
    events = list(store.events.get(store.get_account(worker.user_name).id))
    assert isinstance(events[-1], Account.Unlocked)
    assert events[-1].actor_id == centre.administrator.staff_id
    unlock = access_log(store)[-1]
    assert (unlock.action, unlock.subject, unlock.reason) == (
        "unlocked",
        worker.user_name,
        "phoned the help desk",
    )
    assert unlock.actor_id == centre.administrator.staff_id
    # The failures start again from none: one more wrong password is not a lockout.
    with pytest.raises(SignInFailed) as again:
        store.sign_in(worker.user_name, "wrong-wrong-wrong", "1", Role.CASEWORKER, "", CLI)
    assert again.value.retry_after == 1


def test_failures_from_one_source_lock_that_source_for_every_account(store: Casework) -> None:
    clock, centre, worker = centre_with_worker(store)
    store.settings = replace(store.settings, lockout_source_failures=3)
    for user_name, wait in (("liu.yang", 1), ("nobody", 2), ("huang.li", 900)):
        with pytest.raises(SignInFailed) as failed:
            store.sign_in(user_name, "wrong-wrong-wrong", "1", Role.CASEWORKER, "kiosk-3", CLI)
        assert failed.value.retry_after == wait
        clock.advance(seconds=min(wait, 2))
    # The worker's own account has no failures; the source is what is locked.
    with pytest.raises(SourceLocked, match="from here"):
        store.sign_in(
            worker.user_name, PASSWORD, worker.totp.at(clock.at), Role.CASEWORKER, "kiosk-3", CLI
        )
    assert not store.get_account(worker.user_name).is_locked(clock.at)
    signed_in = store.sign_in(
        worker.user_name, PASSWORD, worker.totp.at(clock.at), Role.CASEWORKER, "kiosk-4", CLI
    )
    assert signed_in.principal.staff_id == centre.worker.staff_id
    source_lock = next(r for r in access_log(store) if r.action == "locked_out")
    assert source_lock.source == "kiosk-3" and source_lock.subject == "source kiosk-3"
    # Unknown user names are recorded with nobody as the actor.
    assert any(r.subject == "nobody" and r.actor_id is None for r in access_log(store))

    store.unlock_source(centre.administrator, "kiosk-3")
    clock.advance(seconds=31)
    store.sign_in(
        worker.user_name, PASSWORD, worker.totp.at(clock.at), Role.CASEWORKER, "kiosk-3", CLI
    )
    assert actions(store)[-2] == ("unlocked", "allowed")
