"""The two routes most of the API is made of, declared once: reading a record (its view,
with its version as the ETag) and a command on a record (one service-layer call run by
`Command`: once per `Idempotency-Key`, answered with what it wrote).

A controller declares such a route by what is its own: path, operation, summary, the
service method and, for a read, the view (a command's body is the service method's
`command` Struct, ADR 0053). The handler's parameters are the path's ids (in
the path's order), then the body and, for a write to an existing record, `If-Match`:
the same parameters, in the same order, as a handler written out, so the OpenAPI
document does not change. The service method is called with who is asking, the ids,
then the body."""

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, get_type_hints
from uuid import UUID

from litestar import Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from api.cases import NO_STORE, OPENS, READS, WRITES
from api.commands import Command, ServedCasework, etag
from api.dependencies import Asking, ExpectedVersion, Runner, Service
from api.schemas.common import Recorded
from casework.application.principal import Principal

_PATH_ID = re.compile(r"\{(\w+):(\w+)\}")
_CONVERTED = {"uuid": UUID, "str": str}
_ARGUMENT = inspect.Parameter.KEYWORD_ONLY


def _path_ids(path: str) -> dict[str, Any]:
    """The ids a path names, in order, with the types its converters give."""
    return {name: _CONVERTED[kind] for name, kind in _PATH_ID.findall(path)}


def read_route(
    path: str,
    *,
    operation_id: str,
    summary: str,
    read: Callable[..., Any],
    view: Callable[[Any], Any],
    ids: Mapping[str, Any] | None = None,
) -> HTTPRouteHandler:
    """GET one record: `read(casework, by, *ids)` shown as `view` shows it; not to be
    cached, and its version is the ETag. `ids`: the path's when not given (a controller's
    own path ids are not in the route's)."""
    named = _path_ids(path) if ids is None else dict(ids)

    def handler(casework: ServedCasework, by: Principal, **given: Any) -> Response[Any]:
        shown = view(read(casework, by, *(given[name] for name in named)))
        return Response(shown, headers={**NO_STORE, "ETag": etag(shown.version)})

    shape = _handler(
        operation_id,
        handler,
        {name: FromPath[kind] for name, kind in named.items()},
        Response[get_type_hints(view)["return"]],  # type: ignore[misc]
    )
    return get(
        path, operation_id=operation_id, summary=summary, sync_to_thread=True, responses=READS
    )(shape)


def command_route(
    path: str,
    *,
    operation_id: str,
    summary: str,
    call: Callable[..., Any],
    body: type | None = None,
    record: Callable[..., UUID | None] | None = None,
    if_match: bool = True,
    location: str = "",
    ids: Mapping[str, Any] | None = None,
    responses: Mapping[int, ResponseSpec] | None = None,
) -> HTTPRouteHandler:
    """POST a command: `call(casework, by, *ids, data)`, `data` being the service
    method's `command` unless `body` names another, with `expected_version` from
    `If-Match` unless `if_match` is False. The record it writes is `record(*ids)`; by
    default the first id's, and none (the one `call` creates) when there are no ids or
    `record` returns None. `location`: where a created record is read. `responses`: the
    problems it answers with, when not those of a write (with `If-Match`) or of a new
    record (without)."""
    named = _path_ids(path) if ids is None else dict(ids)
    written = record or _first_or_created
    parameters: dict[str, Any] = {name: FromPath[kind] for name, kind in named.items()}
    parameters["data"] = JSONBody[body or get_type_hints(call)["command"]]  # type: ignore[misc]
    if if_match:
        parameters["expected_version"] = ExpectedVersion
    parameters["command"] = Runner

    def handler(
        casework: ServedCasework, by: Principal, command: Command, data: Any, **given: Any
    ) -> Response[Recorded]:
        at = [given[name] for name in named]
        versioned = {"expected_version": given["expected_version"]} if if_match else {}
        return command.run(
            written(*at), lambda: call(casework, by, *at, data, **versioned), location=location
        )

    shape = _handler(operation_id, handler, parameters, Response[Recorded])
    return post(
        path,
        operation_id=operation_id,
        summary=summary,
        sync_to_thread=True,
        responses=responses or (WRITES if if_match else OPENS),
    )(shape)


def _first_or_created(*ids: UUID) -> UUID | None:
    return ids[0] if ids else None


def created(*_ids: UUID) -> None:
    """For `record`: the command creates the record it writes, whatever the path names."""
    return None


def _handler(
    name: str, run: Callable[..., Any], parameters: dict[str, Any], returns: Any
) -> Callable[..., Any]:
    """`run` as a controller method whose signature Litestar reads: the service and the
    principal, then `parameters` in order."""

    def handler(self: object, **given: Any) -> Any:
        return run(**given)

    annotations = {"casework": Service, "by": Asking, **parameters}
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(n, _ARGUMENT, annotation=a) for n, a in annotations.items()],
        return_annotation=returns,
    )
    handler.__annotations__ = {**annotations, "return": returns}
    handler.__name__ = handler.__qualname__ = name
    return handler
