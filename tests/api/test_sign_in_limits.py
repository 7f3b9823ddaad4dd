"""Sign-in is limited across worker processes: the counters live in the database, so
a second server on the same store refuses what the first one counted."""

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.api.conftest import Served
from tests.identity.steps import PASSWORD


@pytest.fixture
def other_server(
    served: Served, settings: Settings, master_key: MasterKey
) -> Iterator[TestClient[object]]:
    """A second server process on the same store (its own application and tables)."""
    app = create_app(settings, master_key, sign_checkpoints=False, run_views=False)
    with TestClient(app) as client:
        app.state.casework.clock = served.clock
        app.state.casework.secret_hasher = served.casework.secret_hasher
        yield client


def attempt(client: TestClient[object], served: Served, password: str) -> object:
    return client.post(
        "/api/v1/sessions",
        json={
            "user_name": "chen.jing",
            "password": password,
            "role": "caseworker",
            "totp_code": served.accounts["chen.jing"].totp.at(served.clock()),
        },
    )


def test_failed_sign_ins_slow_down_and_lock_on_every_server(
    served: Served, other_server: TestClient[object]
) -> None:
    first = attempt(served.client, served, "not the password")
    assert (first.status_code, first.json()["rule"]) == (401, "sign_in_failed")
    assert first.headers["retry-after"] == "1"

    too_soon = attempt(other_server, served, PASSWORD)
    assert too_soon.status_code == 429
    assert too_soon.json()["rule"] == "sign_in_too_soon"
    assert int(too_soon.headers["retry-after"]) >= 1
    assert too_soon.json()["retry_after"] == int(too_soon.headers["retry-after"])

    for server in [served.client, other_server] * 2:
        served.clock.advance(seconds=int(first.headers["retry-after"]) + 30)
        first = attempt(server, served, "still not the password")
        assert first.status_code == 401
    served.clock.advance(seconds=60)
    locked = attempt(served.client, served, PASSWORD)
    assert (locked.status_code, locked.json()["rule"]) == (429, "account_locked")
    assert int(locked.headers["retry-after"]) > 60
