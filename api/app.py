"""The Litestar application: `create_app(settings)` for a store, and
`create_app_from_env()` for an ASGI server's factory, configured by environment only:

    granian --interface asgi --factory api.app:create_app_from_env --workers 4

Every handler is synchronous (the store is) and runs in a worker thread. One
`ServedCasework` per process serves every request; it is closed at shutdown after a
last ledger checkpoint.
"""

import logging

from litestar import Litestar
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server, Tag

from api.authentication import BearerSession
from api.cases import CaseController
from api.checkpointing import CheckpointSigner
from api.commands import ServedCasework
from api.dependencies import APP_DEPENDENCIES
from api.errors import problem_details
from api.headers import security_headers
from api.health import HealthController
from api.idempotency import IdempotencyTable
from api.pages import pages_router
from api.sessions import SessionController
from casework.application.checkpoints import PendingCheckpoints
from casework.projections import Projections
from casework.settings import Settings
from casework.store.master_key import MasterKey

API_VERSION = "1.0.0"
# Larger bodies are refused (413) before anything reads them.
MAX_BODY_BYTES = 1024 * 1024

logger = logging.getLogger("api")


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="casework",
        version=API_VERSION,
        description=(
            "Case records for social-work service centres. Errors are RFC 9457 problem "
            "details whose `type` is https://casework.example/problems/<rule>. Writes "
            "to an existing record need If-Match with its ETag; every POST takes an "
            "Idempotency-Key."
        ),
        servers=[Server(url="/")],
        path="/schema",
        render_plugins=[],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="The token from POST /api/v1/sessions",
                )
            }
        ),
        security=[{"bearer": []}],
        tags=[
            Tag(name="sessions", description="Sign in and out"),
            Tag(name="cases", description="Cases and the commands on them"),
            Tag(name="health", description="Liveness and readiness"),
        ],
        use_handler_docstrings=False,
    )


def _open_tables(casework: ServedCasework) -> IdempotencyTable:
    """Create casework's own tables now, not racing in the first requests' threads."""
    table = IdempotencyTable(casework.factory.datastore, casework.database.dialect)  # type: ignore[attr-defined]
    with casework.database.schema_lock():
        table.create()
    for name in (
        "access_index",
        "client_index",
        "account_names",
        "session_table",
        "sign_in_failures",
        "ledger",
        "recorded_at",
    ):
        getattr(casework, name)
    return table


def create_app(
    settings: Settings,
    master_key: MasterKey | None = None,
    *,
    sign_checkpoints: bool = True,
) -> Litestar:
    """The API on the store `settings` name. `sign_checkpoints`: sign ledger
    checkpoints every minute and at shutdown (a server does; tests need not)."""
    pending = PendingCheckpoints()
    casework = ServedCasework(settings, master_key, pending_checkpoints=pending)
    idempotency = _open_tables(casework)
    projections = Projections(casework)
    signer = CheckpointSigner(casework, pending)

    def start() -> None:
        if sign_checkpoints:
            signer.start()

    def stop() -> None:
        try:
            if sign_checkpoints:
                signer.close()
        finally:
            projections.close()
            casework.close()

    return Litestar(
        route_handlers=[SessionController, CaseController, HealthController, pages_router()],
        dependencies=APP_DEPENDENCIES,
        middleware=[DefineMiddleware(BearerSession, exclude=["^/schema"])],
        plugins=[problem_details()],
        before_send=[security_headers],
        openapi_config=openapi_config(),
        request_max_body_size=MAX_BODY_BYTES,
        state=State({"casework": casework, "idempotency": idempotency, "projections": projections}),
        on_startup=[start],
        on_shutdown=[stop],
        logging_config=LoggingConfig(log_exceptions="debug"),
    )


def create_app_from_env() -> Litestar:
    """For an ASGI server's `--factory`: everything from `CASEWORK_*` variables."""
    return create_app(Settings.from_env())
