"""Rendering a page: one Jinja environment for both languages (`jinja2.ext.i18n`,
with gettext reading the request's `Language` from the template context), the CSRF
token the middleware put in the scope, and the headers every page carries.

A form sent by HTMX (`HX-Request`, `litestar.plugins.htmx.HTMXRequest`) is answered
with the page's main content only (its templates extend `layout`: `fragment.html`
instead of `base.html`), swapped into `<main>` in place: one request, no reload, and
every form on it carries the record's new version. Without JavaScript the same forms
post and redirect as before (`after_form`).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from api.pages.labels import label, record_name
from api.pages.language import LANGUAGE_COOKIE, Language, chosen

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

# Pages load only their own stylesheet and script; nothing may frame them.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pass_context
def _gettext(context: Context, message: str) -> str:
    return context["language"].translations.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return context["language"].translations.ngettext(singular, plural, n)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["label"] = label
    env.globals["record_name"] = record_name
    return env


ENVIRONMENT = environment()


def language_of(request: Request[Any, Any, Any]) -> Language:
    return Language(
        chosen(request.headers.get("accept-language"), request.cookies.get(LANGUAGE_COOKIE))
    )


def partial(request: Request[Any, Any, Any]) -> bool:
    """Whether HTMX sent the request (it swaps the answer into the page)."""
    return isinstance(request, HTMXRequest) and bool(request.htmx)


def after_form(
    request: Request[Any, Any, Any], location: str, page: Callable[[], Response[str]]
) -> Response[Any]:
    """What a form that did its work answers: for HTMX the page itself, at once (one
    request); otherwise a redirect to `location` (post, redirect, get)."""
    if partial(request):
        return page()
    return Redirect(location, status_code=303)


def render(
    request: Request[Any, Any, Any],
    template: str,
    status_code: int = 200,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Response[str]:
    language = context.pop("language", None) or language_of(request)
    csrf_token = ScopeState.from_scope(request.scope).csrf_token
    html = ENVIRONMENT.get_template(template).render(
        layout="fragment.html" if partial(request) else "base.html",
        language=language,
        csrf_token="" if csrf_token is Empty else csrf_token,
        path=request.url.path,
        query=request.url.query,
        **context,
    )
    return Response(
        html,
        status_code=status_code,
        media_type=MediaType.HTML,
        headers={**PAGE_HEADERS, "Content-Language": language.html_lang},
        cookies=cookies,
    )
