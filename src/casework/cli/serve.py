"""`casework serve`: the HTTP API (api/) on the store named by the environment, served
by granian's `--workers` processes; on SQLite with the views kept fresh in a process
beside them (`views_beside`), the workers' writes taking turns (`writer_turns`).
`--demo` builds the demo centre and its accounts first, if absent, and says how to
sign in."""

import argparse
import os
import sys

from granian import Granian
from granian.constants import Interfaces

from casework.cli.demo import run_demo
from casework.cli.session import casework_session
from casework.cli.views_beside import RUN_VIEWS, ViewsProcess, views_run_in_the_server
from casework.demo import has_demo
from casework.demo.accounts import DEMO_PASSWORD, demo_accounts, ensure_demo_accounts
from casework.settings import Settings
from casework.store.database import Database

APP_FACTORY = "api.app:create_app_from_env"


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API (add --demo to try it on the demo centre)",
        description="Serve the HTTP API at http://HOST:PORT/api/v1 (OpenAPI document at "
        "/schema/openapi.json) on the store named by CASEWORK_DATABASE_URL (default: "
        "<data dir>/casework.db), by --workers processes; on SQLite the views are kept "
        "fresh in a process beside them. In production on PostgreSQL, run granian "
        "directly (see api/README.md).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default 1; one a core serves the most, on either backend)",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="build the demo centre and its accounts first (if the store has none), "
        "create missing keys, and sign in without a second factor",
    )
    serve.add_argument(
        "--cases", type=int, default=200, help="with --demo: how many cases to build (200)"
    )
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        check_server_environment(settings)
    except ValueError as error:
        print(f"casework: {error}", file=sys.stderr)
        return 2
    if args.demo:
        prepare_demo(args, settings)
        # Signed now, not when the server stops: the demo is covered from the start.
        for warning in args.pending_checkpoints.sign_all():
            print(f"casework: warning: {warning}")
        # The demo's accounts have no second factor (every sign-in says so).
        os.environ["CASEWORK_REQUIRE_TOTP"] = "0"
    else:
        # The store must be there: a server never creates one by accident.
        with casework_session(args.pending_checkpoints, settings):
            pass
    print(
        f"casework API on http://{args.host}:{args.port}/api/v1 "
        f"(OpenAPI: http://{args.host}:{args.port}/schema/openapi.json)",
        flush=True,
    )
    server = Granian(
        APP_FACTORY,
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        workers=args.workers,
        factory=True,
    )
    if Database.from_url(settings.database_url).backend == "sqlite" and views_run_in_the_server(
        os.environ
    ):
        # The views in a process of their own, not in the server's (ADR 0064).
        os.environ[RUN_VIEWS] = "0"
        with ViewsProcess():
            server.serve()
    else:
        server.serve()
    return 0


def check_server_environment(settings: Settings) -> None:
    """The server's own variables, checked before it starts: a wrong one is one line
    here, not a traceback from each worker."""
    # Imported here: every other command starts without the web framework.
    from api.handler_threads import handler_threads
    from api.metrics import metrics_networks

    metrics_networks(os.environ.get("CASEWORK_METRICS_FROM"))
    backend = Database.from_url(settings.database_url).backend
    handler_threads(os.environ.get("CASEWORK_API_THREADS"), backend)


def prepare_demo(args: argparse.Namespace, settings: Settings) -> None:
    """What `casework demo` does (keys, store, centre, if absent), then the accounts."""
    run_demo(argparse.Namespace(**{**vars(args), "centres": None}))  # one centre, never a district
    with casework_session(args.pending_checkpoints, settings) as app:
        if not has_demo(app):
            return
        if ensure_demo_accounts(app):
            print("opened an account for everyone on the demo staff")
        accounts = demo_accounts(app)
    base = f"http://{args.host}:{args.port}"
    print("\nDemo accounts (password for all: " + DEMO_PASSWORD + "):")
    for account in accounts:
        roles = ", ".join(r.value for r in account.roles)
        print(f"  {account.user_name:<22} {roles:<32} {account.name}")
    print(
        "\nSign in, e.g. as a caseworker:\n"
        f"  curl -s -X POST {base}/api/v1/sessions -H 'Content-Type: application/json' \\\n"
        f'    -d \'{{"user_name": "liu.yang", "password": "{DEMO_PASSWORD}", '
        '"role": "caseworker"}\'\n'
        "then send the token: -H 'Authorization: Bearer <token>'. More in api/README.md.\n"
    )
