"""`/metrics` as the operator's monitoring scrapes it: requests by route template and
status with their latency, access records written, view lag and the last checkpoint's
age; no id, name or case content anywhere in it; and only for the networks it is
configured to answer (loopback unless told)."""

import asyncio
import re
from typing import Any

import httpx
import pytest

from api.metrics import metrics_networks
from tests.api.conftest import Served
from tests.api.test_resources import open_case
from tests.builders.compliance_steps import give_ledger_key

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def scrape(served: Served, source: str) -> Any:
    """GET /metrics as a client at `source` reaches the server (the app's lifespan is
    the test client's)."""

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=served.client.app, client=(source, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://casework") as client:
            return await client.get("/metrics")

    return asyncio.run(get())


def test_the_monitoring_on_this_machine_sees_counts_and_lags_but_no_ids(served: Served) -> None:
    give_ledger_key(served.casework)
    worker = served.token("chen.jing")
    case_id, _ = open_case(served, worker)
    assert served.client.get(f"/api/v1/cases/{case_id}", headers=worker).status_code == 200
    assert served.client.get(f"/api/v1/cases/{case_id}", headers={}).status_code == 401
    served.casework.checkpoint()

    scraped = scrape(served, "127.0.0.1")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    read = 'path="/api/v1/cases/{case_id}"'
    assert re.search(
        rf'casework_http_requests_total{{[^}}]*{re.escape(read)}[^}}]*status_code="200"', text
    )
    assert re.search(
        rf'casework_http_requests_total{{[^}}]*{re.escape(read)}[^}}]*status_code="401"', text
    )
    assert "casework_http_request_duration_seconds_bucket" in text
    assert re.search(
        r'casework_access_records_written_total{action="read",outcome="allowed"} [1-9]', text
    )
    assert 'casework_view_lag_events{view="case_index"}' in text
    assert "casework_last_checkpoint_age_seconds" in text
    assert "casework_ready 1.0" in text
    # Nothing that names a case, a person or a session.
    assert not UUID_TEXT.search(text)
    assert "王芳" not in text and "Wang Fang" not in text


def test_metrics_are_refused_to_other_networks(served: Served) -> None:
    refused = scrape(served, "203.0.113.9")
    assert refused.status_code == 403
    assert refused.json()["rule"] == "metrics_not_served_here"
    assert scrape(served, "::1").status_code == 200


def test_who_may_scrape_is_configured_by_network() -> None:
    assert metrics_networks("off") == ()
    assert [str(n) for n in metrics_networks("10.0.0.0/8, ::1")] == ["10.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match="CASEWORK_METRICS_FROM"):
        metrics_networks("the office")
