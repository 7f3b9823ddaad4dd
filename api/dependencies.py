"""What handlers are given: the service (`casework`), who is asking (`by`, from the
bearer session), and for commands the `Command` runner and the `If-Match` version.
Each is a named dependency, marked as such for Litestar (`NamedDependency`).

They are resolved one after the other: each asks for the one before it (`casework`,
then `by`, then `command`, then `expected_version`). Litestar resolves dependencies
that do not depend on each other in an anyio task group, a task each, and those tasks
cost more than the dependencies themselves (litestar-org/litestar#4563). Measured on
the SQLite bench demo, 16 requests at once in process: the unrecorded case read went
from 1.60-1.68 to 1.28-1.35 ms of CPU a request (docs/benchmarks.md, 2026-12-03
afternoon)."""

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from api.commands import Command, ServedCasework, provide_command, provide_expected_version
from casework.application.principal import Principal

Service = NamedDependency[ServedCasework]
Asking = NamedDependency[Principal]
Runner = NamedDependency[Command]
ExpectedVersion = NamedDependency[int]


def provide_casework(state: State) -> ServedCasework:
    return state.casework


def provide_principal(
    request: Request[Principal, str, Any],
    casework: ServedCasework,  # resolved first: the module docstring says why
) -> Principal:
    return request.user


APP_DEPENDENCIES = {
    "casework": Provide(provide_casework, sync_to_thread=False),
    "by": Provide(provide_principal, sync_to_thread=False),
}
COMMAND_DEPENDENCIES = {
    "command": Provide(provide_command),
    "expected_version": Provide(provide_expected_version, sync_to_thread=False),
}
