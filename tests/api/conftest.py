"""The API on each backend: the app from `create_app` on a fresh store, the family
centre in it with accounts for the people the stories need, and sign-in through
HTTP (no authentication is faked)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pyotp
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.commands import ServedCasework
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.centre import FamilyCentre, family_centre
from tests.identity.steps import PASSWORD, Clock, Worker, with_test_clock


@dataclass
class Served:
    client: TestClient[Any]
    casework: ServedCasework
    clock: Clock
    centre: FamilyCentre
    accounts: dict[str, Worker]

    def sign_in(self, user_name: str, role: str = "caseworker", **extra: Any) -> Any:
        """POST /api/v1/sessions with the account's current one-time code; the clock
        then moves on a step, so the next sign-in has a fresh code."""
        totp = self.accounts[user_name].totp
        response = self.client.post(
            "/api/v1/sessions",
            json={
                "user_name": user_name,
                "password": PASSWORD,
                "role": role,
                "totp_code": totp.at(self.clock()),
            }
            | extra,
        )
        self.clock.advance(seconds=30)
        return response

    def token(self, user_name: str, role: str = "caseworker", **extra: Any) -> dict[str, str]:
        response = self.sign_in(user_name, role, **extra)
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def signed_in(self, person: str, **extra: Any) -> dict[str, str]:
        """Headers for one of the family centre's people (`worker`, `head`, `reviewer`
        …) signed in in their role, opening their account first if they have none."""
        actor = getattr(self.centre, person)
        named = {who: user_name for user_name, who in ACCOUNTS.items()}
        user_name = named.get(person, person.replace("_", "."))
        if user_name not in self.accounts:
            self.accounts[user_name] = account_for(self.casework, self.centre, user_name, person)
        return self.token(user_name, actor.role.value, **extra)


ACCOUNTS = {
    "chen.jing": "worker",
    "liu.yang": "second_worker",
    "wu.xinyi": "psychologist",
}


def serve(settings: Settings, master_key: MasterKey, run_views: bool = False) -> Iterator[Served]:
    app = create_app(settings, master_key, sign_checkpoints=False, run_views=run_views)
    with TestClient(app) as client:
        casework: ServedCasework = app.state.casework
        clock = with_test_clock(casework)
        centre = family_centre(casework)
        accounts = {
            user_name: account_for(casework, centre, user_name, person)
            for user_name, person in ACCOUNTS.items()
        }
        yield Served(client, casework, clock, centre, accounts)


def account_for(
    casework: ServedCasework, centre: FamilyCentre, user_name: str, person: str
) -> Worker:
    """An account for one of the centre's people, opened by its administrator, with a
    password and a second factor."""
    staff_id: UUID = getattr(centre, person).staff_id
    code = casework.open_account(centre.administrator, staff_id, user_name)
    casework.set_password(user_name, code.code, PASSWORD)
    enrolment = casework.enrol_second_factor(user_name, PASSWORD)
    return Worker(user_name, pyotp.TOTP(enrolment.secret))


@pytest.fixture
def served(settings: Settings, master_key: MasterKey) -> Iterator[Served]:
    """The API on each backend in turn (views not kept: no view reads)."""
    yield from serve(settings, master_key)


@pytest.fixture
def served_with_views(settings: Settings, master_key: MasterKey) -> Iterator[Served]:
    """The API as a server runs it, keeping the views fresh in a thread."""
    yield from serve(settings, master_key, run_views=True)
