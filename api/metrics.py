"""`/metrics`: Prometheus text for the operator's monitoring, served only to the
networks `CASEWORK_METRICS_FROM` names (loopback by default; `off`: to nobody).

What it says, and nothing more: requests by method, route template (e.g.
`/api/v1/cases/{case_id}`, never a path with an id in it) and status, with their
latency (Litestar's Prometheus middleware); access records written by this server, by
action and outcome (`api.counters`); and, read from the store at each scrape (as
`/health/ready` does), how far each view lags behind the log, the age of the last
ledger checkpoint and the events it does not cover yet. No case content, no ids, no
names.

With several worker processes, set `PROMETHEUS_MULTIPROC_DIR` to an empty directory
before the server starts: the counters of every worker are then added up whichever
worker answers the scrape (prometheus_client's multiprocess mode)."""

import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ClassVar

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from api.authentication import ANYONE
from api.dependencies import Service
from api.health import readiness
from api.problems import Problem
from casework.aggregates.base import RuleBroken
from casework.application import Casework

# Who may scrape when CASEWORK_METRICS_FROM is not set: this machine only.
LOOPBACK = "127.0.0.0/8,::1/128"
Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def metrics_networks(value: str | None) -> Networks:
    """`CASEWORK_METRICS_FROM`: comma-separated networks (`10.0.0.0/8, ::1`); unset:
    loopback; `off`: nobody. A value that is not a network is an error at start."""
    text = LOOPBACK if value is None else value.strip()
    if text.lower() in ("", "off", "none"):
        return ()
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"CASEWORK_METRICS_FROM: {error}") from None


# The span of the request being counted in this task (see `_CountedWithRefusals`).
_span: ContextVar[dict[str, float]] = ContextVar("casework_request_span")


class _CountedWithRefusals(PrometheusMiddleware):
    """Litestar's middleware counts a request by the status it sees sent; a refusal
    raised in a middleware inside it (the bearer session's 401) is sent by the
    application's error handler outside it, and would be counted as a 200 taking no
    time. This notes the refusal's status and duration as it passes."""

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        inner = self.app

        async def noting_refusals(scope: Scope, receive: Receive, send: Send) -> None:
            try:
                await inner(scope, receive, send)
            except Exception as error:
                span = _span.get(None)
                if span is not None:
                    span["status_code"] = _status_of(error)
                    span["duration"] = time.perf_counter() - span["start_time"]
                raise

        self.app = noting_refusals

    def _get_wrapped_send(self, send: Send, request_span: dict[str, float]) -> Callable[..., Any]:
        _span.set(request_span)
        return super()._get_wrapped_send(send, request_span)


def _status_of(error: Exception) -> int:
    """The status the error mapping (`api.errors`) answers a refusal with."""
    if isinstance(error, RuleBroken):
        return error.status
    if isinstance(error, HTTPException):
        return error.status_code
    return 500


def request_metrics() -> DefineMiddleware:
    """Requests counted and timed by route template and status (handled routes only:
    an unknown path is not a route and is not counted)."""
    return PrometheusConfig(
        app_name="casework",
        prefix="casework_http",
        group_path=True,
        middleware_class=_CountedWithRefusals,
    ).middleware


class _Store(Collector):
    """The store's state at scrape time, as `/health/ready` reads it."""

    def __init__(self, casework: Casework, state: State) -> None:
        self.casework, self.state = casework, state

    def collect(self) -> Iterator[Metric]:
        ready = readiness(self.casework, self.state)
        up = GaugeMetricFamily("casework_ready", "1 when the store answers and opens")
        up.add_metric([], 1.0 if ready.status == "ready" else 0.0)
        yield up
        lag = GaugeMetricFamily(
            "casework_view_lag_events", "Events the view has not applied yet", labels=["view"]
        )
        for view, behind in sorted(ready.view_lag.items()):
            lag.add_metric([view], float(behind))
        yield lag
        if ready.last_checkpoint_age_seconds is not None:
            yield GaugeMetricFamily(
                "casework_last_checkpoint_age_seconds",
                "Seconds since the latest ledger checkpoint was signed",
                value=ready.last_checkpoint_age_seconds,
            )
        if ready.events_since_checkpoint is not None:
            yield GaugeMetricFamily(
                "casework_events_since_checkpoint",
                "Stored events no ledger checkpoint covers yet",
                value=float(ready.events_since_checkpoint),
            )


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


class MetricsController(Controller):
    path = "/metrics"
    opt: ClassVar[dict[str, Any]] = ANYONE

    @get("/", include_in_schema=False, sync_to_thread=True)
    def metrics(
        self, request: Request[Any, Any, Any], casework: Service, state: State
    ) -> Response[bytes]:
        host = request.client.host if request.client else ""
        if not _allowed(host, state.metrics_networks):
            raise Problem(
                403,
                "metrics_not_served_here",
                "metrics are served only to the operator's monitoring network "
                "(CASEWORK_METRICS_FROM)",
                detail_zh="监控指标仅向运维监控网络提供（CASEWORK_METRICS_FROM）",
            )
        store = CollectorRegistry()
        store.register(_Store(casework, state))
        body = generate_latest(_process_registry()) + generate_latest(store)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def _allowed(host: str, networks: Networks) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)
