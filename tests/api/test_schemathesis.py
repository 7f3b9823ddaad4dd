"""Schemathesis against the app's own OpenAPI document: every operation, signed in as
a caseworker of the family centre, with a bounded number of generated requests each
(`SCHEMATHESIS_EXAMPLES`, default 8). No answer may be a server error, and none may
break the schema the document gives for its status. The longer run is in
api/README.md."""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from api.commands import ServedCasework
from api.openapi import COMMITTED
from casework.application.principal import AccessPoint
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.api.conftest import account_for
from tests.builders.centre import family_centre, open_family_case
from tests.builders.compliance_steps import give_ledger_key
from tests.identity.steps import PASSWORD, Clock, Worker, with_test_clock

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
# Operations that end the session they are called with get a fresh one each time.
ENDS_SESSION = {"DELETE /api/v1/sessions/current"}


@dataclass
class Fuzzed:
    casework: ServedCasework
    clock: Clock
    worker: Worker

    def bearer(self) -> dict[str, str]:
        """A new session of the caseworker (its own one-time code: the clock moves on)."""
        self.clock.advance(seconds=30)
        signed_in = self.casework.sign_in(
            self.worker.user_name,
            PASSWORD,
            self.worker.totp.at(self.clock()),
            "caseworker",
            "schemathesis",
            AccessPoint.API,
            "casework",
        )
        return {"Authorization": f"Bearer {signed_in.token}"}


class WithoutLifespan:
    """The app as schemathesis reaches it: requests only, its lifespan owned elsewhere."""

    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        for step in ("startup", "shutdown"):
            await receive()
            await send({"type": f"lifespan.{step}.complete"})


@pytest.fixture(scope="module")
def fuzzed_app(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asgi.ASGIClient, Fuzzed]]:
    data: Path = tmp_path_factory.mktemp("schemathesis") / "data"
    # Generated sign-ins fail by the hundred from one address: do not lock it out.
    env = {"CASEWORK_DATA_DIR": str(data), "CASEWORK_LOCKOUT_SOURCE_FAILURES": "1000000"}
    app = create_app(
        Settings.from_env(env),
        MasterKey.generate("the schemathesis master key"),
        sign_checkpoints=False,
        run_views=True,
    )
    casework: ServedCasework = app.state.casework
    clock = with_test_clock(casework)
    centre = family_centre(casework)
    give_ledger_key(casework)
    open_family_case(casework, centre)
    worker = account_for(casework, centre, "chen.jing", "worker")
    # This module runs the app's lifespan (schemathesis would end it after every test).
    with TestClient(app), asgi.get_client(WithoutLifespan(app)) as client:
        yield client, Fuzzed(casework, clock, worker)


@pytest.fixture(scope="module")
def fuzzed(fuzzed_app: tuple[asgi.ASGIClient, Fuzzed]) -> Fuzzed:
    return fuzzed_app[1]


@pytest.fixture(scope="module")
def signed_in(fuzzed: Fuzzed) -> dict[str, str]:
    return fuzzed.bearer()


# The committed document, which test_openapi proves is the one the app serves.
schema = schemathesis.openapi.from_dict(json.loads(COMMITTED.read_text(encoding="utf-8")))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_every_answer_fits_its_schema(
    case: schemathesis.Case,
    fuzzed_app: tuple[asgi.ASGIClient, Fuzzed],
    fuzzed: Fuzzed,
    signed_in: dict[str, str],
) -> None:
    client = fuzzed_app[0]
    case.operation.schema.app = client.app  # reached in process, through ASGI
    headers = fuzzed.bearer() if case.operation.label in ENDS_SESSION else signed_in
    case.call_and_validate(
        base_url=f"http://{asgi.HOST}",
        session=client,
        headers=headers,
        checks=[not_a_server_error, response_schema_conformance],
    )
