"""How pages and forms are routed: each is rendered on a worker thread (it calls the
service layer) and is left out of the OpenAPI document (the pages are not the API). A
form is answered 303, sending the browser on to the page it changed, unless it says
otherwise."""

from collections.abc import Callable
from typing import Any

from litestar import get, post
from litestar.handlers import HTTPRouteHandler

Route = Callable[[Callable[..., Any]], HTTPRouteHandler]


def page(path: str, *, operation_id: str, summary: str) -> Route:
    return get(
        path,
        operation_id=operation_id,
        summary=summary,
        include_in_schema=False,
        sync_to_thread=True,
    )


def form(path: str, *, operation_id: str, summary: str, status_code: int = 303) -> Route:
    return post(
        path,
        operation_id=operation_id,
        summary=summary,
        include_in_schema=False,
        sync_to_thread=True,
        status_code=status_code,
    )
