"""The Litestar application: `create_app(settings)` for a store, and
`create_app_from_env()` for an ASGI server's factory, configured by environment only:

    granian --interface asgi --factory api.app:create_app_from_env --workers 4

Every handler is synchronous (the store is) and runs in a worker thread. One
`ServedCasework` per process serves every request; it is closed at shutdown after a
last ledger checkpoint.
"""

import logging
import os

from litestar import Litestar
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server, Tag

from api.accounts import AccountController, StaffSessionController
from api.agencies import AgencyController
from api.audit import AuditSampleController, LedgerController
from api.authentication import BearerSession
from api.background import CheckpointSigner, ViewRunner
from api.cases import CaseController
from api.clients import ClientSearchController
from api.commands import ServedCasework
from api.compliance import ComplianceController
from api.dependencies import APP_DEPENDENCIES
from api.errors import problem_details
from api.handler_threads import handler_threads, use_handler_threads
from api.headers import security_headers
from api.health import HealthController
from api.idempotency import IdempotencyTable
from api.metrics import MetricsController, metrics_networks, request_metrics
from api.organisation import OrganisationController, StaffController
from api.pages import pages_router
from api.referrals import ReferralController
from api.reviews import ReviewController
from api.sessions import SessionController
from api.supervision import SupervisionController
from api.views import ViewController
from casework.application.checkpoints import PendingCheckpoints
from casework.cli.views_beside import views_run_in_the_server
from casework.projections import Projections
from casework.settings import Settings
from casework.store.database import Database
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
            Tag(name="referrals", description="Referrals and the receiver's answers"),
            Tag(name="supervision", description="Supervision sessions and what they covered"),
            Tag(name="reviews", description="Supervisors' reviews of case records"),
            Tag(
                name="compliance",
                description="Replay, diff, export, four-eyes erasure, audit samples, the ledger",
            ),
            Tag(name="organisation", description="Centres, departments, staff, supervision"),
            Tag(name="agencies", description="The register of outside agencies"),
            Tag(name="clients", description="Find cases by a client (blind index)"),
            Tag(name="accounts", description="Accounts and sessions, for administrators"),
            Tag(name="views", description="Read models, with min_position to read your writes"),
            Tag(name="health", description="Liveness and readiness"),
        ],
        use_handler_docstrings=False,
    )


def _open_tables(casework: ServedCasework) -> IdempotencyTable:
    """Create casework's own tables now, not racing in the first requests' threads, and
    one worker process at a time (the ledger's tables take the schema lock themselves)."""
    table = IdempotencyTable(casework.factory.datastore, casework.database.dialect)  # type: ignore[attr-defined]
    with casework.database.schema_lock():
        table.create()
        for name in (
            "access_index",
            "client_index",
            "account_names",
            "session_table",
            "sign_in_failures",
        ):
            getattr(casework, name)
    casework.ledger  # noqa: B018 - created on first use
    casework.recorded_at  # noqa: B018
    return table


def create_app(
    settings: Settings,
    master_key: MasterKey | None = None,
    *,
    sign_checkpoints: bool = True,
    run_views: bool = True,
    metrics_from: str | None = None,
) -> Litestar:
    """The API on the store `settings` name. A server signs ledger checkpoints every
    minute and at shutdown (`sign_checkpoints`) and keeps the views fresh in this
    process (`run_views`; off when a `casework projections run` process does).
    `/metrics` answers the networks `metrics_from` names (`api.metrics`)."""
    networks = metrics_networks(metrics_from)  # a bad value stops the start here
    pending = PendingCheckpoints()
    casework = ServedCasework(settings, master_key, pending_checkpoints=pending)
    idempotency = _open_tables(casework)
    projections = Projections(casework)
    background = [
        *([ViewRunner(projections)] if run_views else []),
        *([CheckpointSigner(casework, pending)] if sign_checkpoints else []),
    ]

    def start() -> None:
        for work in background:
            work.start()

    def stop() -> None:
        try:
            for work in background:
                work.close()
        finally:
            projections.close()
            casework.close()

    return Litestar(
        route_handlers=[
            SessionController,
            CaseController,
            ReviewController,
            ReferralController,
            SupervisionController,
            ComplianceController,
            AuditSampleController,
            LedgerController,
            OrganisationController,
            StaffController,
            AgencyController,
            ClientSearchController,
            AccountController,
            StaffSessionController,
            ViewController,
            HealthController,
            MetricsController,
            pages_router(),
        ],
        dependencies=APP_DEPENDENCIES,
        middleware=[request_metrics(), DefineMiddleware(BearerSession, exclude=["^/schema"])],
        plugins=[problem_details()],
        before_send=[security_headers],
        openapi_config=openapi_config(),
        request_max_body_size=MAX_BODY_BYTES,
        state=State(
            {
                "casework": casework,
                "idempotency": idempotency,
                "projections": projections,
                "metrics_networks": networks,
            }
        ),
        on_startup=[start],
        on_shutdown=[stop],
        # Unexpected errors are logged once, by api.errors, with their traceback.
        logging_config=LoggingConfig(
            log_exceptions="debug",
            loggers={
                "litestar": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False},
                "api": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False},
            },
        ),
    )


def create_app_from_env() -> Litestar:
    """For an ASGI server's `--factory`: everything from `CASEWORK_*` variables,
    `CASEWORK_API_RUN_VIEWS=0` when a separate `casework projections run` keeps the
    views, `CASEWORK_METRICS_FROM` for who may scrape `/metrics`, and
    `CASEWORK_API_THREADS` for how many requests it works on at once."""
    settings = Settings.from_env()
    backend = Database.from_url(settings.database_url).backend
    threads = handler_threads(os.environ.get("CASEWORK_API_THREADS"), backend)
    if threads is not None:
        use_handler_threads(threads)
    return create_app(
        settings,
        run_views=views_run_in_the_server(os.environ),
        metrics_from=os.environ.get("CASEWORK_METRICS_FROM"),
    )
