"""A caseworker's day through HTTP, on both backends: sign in, open a case, read it,
record notes with If-Match, lose a race to another client, retry safely with an
Idempotency-Key, and meet each kind of refusal as a problem document."""

from typing import Any
from uuid import UUID

from casework.aggregates.access_record import AccessOutcome
from casework.aggregates.case import Case
from casework.application import Casework
from casework.settings import Settings
from casework.store.access_index import AccessQuery
from casework.store.master_key import MasterKey
from tests.api.conftest import Served

PROBLEM = "application/problem+json"


def stored_case(served: Served, case_id: str) -> Case:
    """The case as the store holds it (not through the API)."""
    return served.casework.load(UUID(case_id), Case, "case")


def intake(served: Served) -> dict[str, Any]:
    centre = served.centre
    return {
        "clients": [
            {
                "name": "王芳 Wang Fang",
                "sex": "female",
                "date_of_birth": "1988-03-12",
                "phone": "138 0013 8000",
            }
        ],
        "presenting_problem": "婚姻冲突 marital conflict; worried about her son",
        "referral_source": "community_committee",
        "department_id": str(centre.family_id),
        "lead_worker_id": str(centre.worker.staff_id),
        "risk_level": "medium",
        "consent": {"given": True, "on": "2026-03-01", "disciplines": ["social_work", "law"]},
    }


def note(narrative: str = "首次家访 first home visit") -> dict[str, Any]:
    return {
        "kind": "home_visit",
        "narrative": narrative,
        "duration_minutes": 60,
        "occurred_at": "2026-03-02T10:00:00+08:00",
    }


def test_a_caseworker_records_notes_over_http(served: Served) -> None:
    client = served.client
    worker = served.token("chen.jing")

    opened = client.post("/api/v1/cases", json=intake(served), headers=worker)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["record_id"]
    assert opened.headers["location"] == f"/api/v1/cases/{case_id}"
    assert opened.json()["version"] == 1 and opened.json()["position"] > 0

    read = client.get(f"/api/v1/cases/{case_id}", headers=worker)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.headers["cache-control"] == "no-store"
    assert read.headers["x-content-type-options"] == "nosniff"
    assert read.json()["clients"][0]["name"] == "王芳 Wang Fang"
    assert read.json()["withheld"] == []

    path = f"/api/v1/cases/{case_id}/notes"
    missing = client.post(path, json=note(), headers=worker)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["rule"] == "precondition_required"

    stale = client.post(path, json=note(), headers={**worker, "If-Match": '"0"'})
    assert stale.status_code == 412
    assert stale.json()["rule"] == "precondition_failed"
    assert stale.json()["current_version"] == 1

    recorded = client.post(path, json=note(), headers={**worker, "If-Match": read.headers["etag"]})
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["version"] == 2
    assert recorded.headers["etag"] == '"2"'
    assert (
        UUID(recorded.json()["created_id"]) in served.casework.repository.get(UUID(case_id)).notes
    )
    assert recorded.json()["position"] > opened.json()["position"]


def test_two_clients_with_the_same_etag_one_wins(served: Served) -> None:
    client = served.client
    first, second = served.token("chen.jing"), served.token("chen.jing")
    case_id = client.post("/api/v1/cases", json=intake(served), headers=first).json()["record_id"]
    tags = [
        client.get(f"/api/v1/cases/{case_id}", headers=h).headers["etag"] for h in (first, second)
    ]
    assert tags[0] == tags[1]

    path = f"/api/v1/cases/{case_id}/notes"
    won = client.post(path, json=note("A"), headers={**first, "If-Match": tags[0]})
    lost = client.post(path, json=note("B"), headers={**second, "If-Match": tags[1]})

    assert (won.status_code, lost.status_code) == (201, 412)
    assert lost.json()["current_version"] == won.json()["version"]
    notes = served.casework.repository.get(UUID(case_id)).notes.values()
    assert [n.narrative for n in notes] == ["A"]


def test_a_retry_with_the_same_idempotency_key_records_nothing_twice(served: Served) -> None:
    client = served.client
    worker = served.token("chen.jing")
    key = {"Idempotency-Key": "6f0e2a43-intake-1"}
    opened = client.post("/api/v1/cases", json=intake(served), headers={**worker, **key})
    again = client.post("/api/v1/cases", json=intake(served), headers={**worker, **key})

    assert (opened.status_code, again.status_code) == (201, 201)
    assert again.content == opened.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == opened.headers["location"]
    assert len(served.casework.case_ids()) == 1

    case_id = opened.json()["record_id"]
    path = f"/api/v1/cases/{case_id}/notes"
    write = {**worker, "If-Match": opened.headers["etag"], "Idempotency-Key": "note-1"}
    first = client.post(path, json=note(), headers=write)
    retried = client.post(path, json=note(), headers=write)
    assert retried.status_code == 201 and retried.json() == first.json()
    assert len(served.casework.repository.get(UUID(case_id)).notes) == 1

    other = client.post(path, json=note("another note"), headers=write)
    assert other.status_code == 422
    assert other.json()["rule"] == "idempotency_key_reused"
    assert len(served.casework.repository.get(UUID(case_id)).notes) == 1


def test_a_body_the_schema_refuses_names_the_field(served: Served) -> None:
    client = served.client
    worker = served.token("chen.jing")
    case_id = client.post("/api/v1/cases", json=intake(served), headers=worker).json()["record_id"]
    path = f"/api/v1/cases/{case_id}/notes"
    write = {**worker, "If-Match": '"1"'}

    unknown = client.post(path, json={**note(), "mood": "fine"}, headers=write)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == PROBLEM
    assert (unknown.json()["rule"], unknown.json()["field"]) == ("invalid_value", "mood")
    assert unknown.json()["type"] == "https://casework.example/problems/invalid_value"

    naive = client.post(path, json={**note(), "occurred_at": "2026-03-02T10:00:00"}, headers=write)
    assert (naive.status_code, naive.json()["field"]) == (422, "occurred_at")

    long = client.post(path, json={**note(), "duration_minutes": 100_000}, headers=write)
    assert (long.status_code, long.json()["field"]) == (422, "duration_minutes")

    nested = dict(intake(served), clients=[{"name": "x", "nickname": "y"}])
    refused = client.post("/api/v1/cases", json=nested, headers=worker)
    assert (refused.status_code, refused.json()["field"]) == (422, "nickname")
    assert len(served.casework.repository.get(UUID(case_id)).notes) == 0


def test_unauthenticated_and_refused_reads_are_problems_and_logged(served: Served) -> None:
    client = served.client
    worker = served.token("chen.jing")
    case_id = client.post("/api/v1/cases", json=intake(served), headers=worker).json()["record_id"]

    anonymous = client.get(f"/api/v1/cases/{case_id}")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.json()["rule"] == "not_signed_in"
    assert "Traceback" not in anonymous.text

    other = served.token("liu.yang")
    refused = client.get(f"/api/v1/cases/{case_id}", headers=other)
    assert refused.status_code == 403
    assert refused.json()["rule"] == "access_denied"
    assert refused.json()["title"] == "Access denied"
    chinese = client.get(
        f"/api/v1/cases/{case_id}", headers={**other, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    assert chinese.json()["title"] == "无权访问"
    assert chinese.headers["content-language"] == "zh-Hans"

    log = client.get(f"/api/v1/cases/{case_id}/access-log", headers=worker)
    assert log.status_code == 200
    refusals = [e for e in log.json() if e["outcome"] == AccessOutcome.REFUSED.value]
    assert {e["staff_id"] for e in refusals} == {None, str(served.centre.second_worker.staff_id)}
    ids = served.casework.access_index.find(AccessQuery(case_id=UUID(case_id), limit=100))
    assert len(ids) >= 4  # anonymous, two refusals, the log read itself


def test_sign_out_ends_the_token(served: Served) -> None:
    client = served.client
    worker = served.token("chen.jing")
    me = client.get("/api/v1/sessions/current", headers=worker)
    assert me.status_code == 200
    assert me.json()["staff_id"] == str(served.centre.worker.staff_id)

    assert client.delete("/api/v1/sessions/current", headers=worker).status_code == 204
    after = client.get("/api/v1/sessions/current", headers=worker)
    assert (after.status_code, after.json()["rule"]) == (401, "session_ended")


def test_what_the_api_records_is_in_the_store_every_other_program_reads(
    served: Served, settings: Settings, master_key: MasterKey
) -> None:
    worker = served.token("chen.jing")
    opened = served.client.post("/api/v1/cases", json=intake(served), headers=worker).json()

    other = Casework(settings, master_key)
    try:
        case = other.load(UUID(opened["record_id"]), Case, "case")
        assert case.version == opened["version"]
        assert other.last_position() >= opened["position"]
    finally:
        other.close()
