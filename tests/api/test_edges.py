"""What every client meets at the edges: health, unknown addresses, oversized bodies,
and a server fault that tells nothing about its insides."""

import pytest

from api.app import MAX_BODY_BYTES
from tests.api.conftest import Served
from tests.api.test_case_story import intake

PROBLEM = "application/problem+json"


def test_health_says_live_and_ready_without_signing_in(served: Served) -> None:
    assert served.client.get("/health/live").json() == {"status": "live"}
    ready = served.client.get("/health/ready")
    assert ready.status_code == 200
    assert (ready.json()["store"], ready.json()["keys"]) == ("ok", "ok")
    assert ready.json()["log_position"] >= 0


def test_unknown_addresses_and_large_bodies_are_problems(served: Served) -> None:
    missing = served.client.get("/api/v1/nothing", headers={"Accept-Language": "zh"})
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    assert missing.json()["title"] == "找不到记录"
    assert missing.headers["content-security-policy"].startswith("default-src 'none'")

    worker = served.token("chen.jing")
    body = b'{"narrative": "' + b"x" * MAX_BODY_BYTES + b'"}'
    large = served.client.post(
        "/api/v1/cases", content=body, headers={**worker, "Content-Type": "application/json"}
    )
    assert (large.status_code, large.json()["rule"]) == (413, "request_too_large")


def test_a_server_fault_is_a_500_that_says_nothing_of_its_cause(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = served.token("chen.jing")
    opened = served.client.post("/api/v1/cases", json=intake(served), headers=worker).json()

    def broken(*args: object) -> None:
        raise RuntimeError("secret table casework_events is on fire")

    monkeypatch.setattr(served.casework, "read_case", broken)
    fault = served.client.get(f"/api/v1/cases/{opened['record_id']}", headers=worker)
    assert (fault.status_code, fault.headers["content-type"]) == (500, PROBLEM)
    assert fault.json()["rule"] == "internal_error"
    assert "fire" not in fault.text and "RuntimeError" not in fault.text
