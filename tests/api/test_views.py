"""A view read with a command's position sees the command (read your own writes)."""

from datetime import date
from uuid import UUID

from casework.aggregates.staff import Discipline
from casework.application.commands.cases import RecordConsent
from casework.store.access_index import AccessQuery
from tests.api.conftest import Served
from tests.api.test_case_story import intake
from tests.builders.centre import join_team


def test_my_cases_after_intake_with_min_position(served_with_views: Served) -> None:
    served = served_with_views
    client = served.client
    worker = served.token("chen.jing")
    opened = client.post("/api/v1/cases", json=intake(served), headers=worker).json()

    mine = client.get(
        "/api/v1/views/my-cases",
        params={"min_position": opened["position"], "open_only": True},
        headers=worker,
    )
    assert mine.status_code == 200, mine.text
    assert [c["case_id"] for c in mine.json()] == [opened["record_id"]]
    assert mine.json()[0]["status"] == "intake"

    other = served.token("liu.yang")
    theirs = client.get(
        "/api/v1/views/my-cases", params={"min_position": opened["position"]}, headers=other
    )
    assert theirs.status_code == 200 and theirs.json() == []

    ahead = client.get(
        "/api/v1/views/my-cases",
        params={"min_position": opened["position"] + 1000},
        headers=worker,
    )
    # A position the log has not reached is no one's write: waiting would not help.
    assert (ahead.status_code, ahead.json()["field"]) == (422, "min_position")


def test_my_cases_lists_only_what_the_rule_allows_and_records_each_case_listed(
    served_with_views: Served,
) -> None:
    served = served_with_views
    centre, client = served.centre, served.client
    consent = {"given": True, "on": "2026-03-01", "disciplines": ["social_work", "psychology"]}
    worker = served.token("chen.jing")
    opened = [
        client.post("/api/v1/cases", json={**intake(served), "consent": consent}, headers=worker)
        for _ in range(2)
    ]
    kept, withdrawn = (UUID(o.json()["record_id"]) for o in opened)
    for case_id in (kept, withdrawn):
        join_team(
            served.casework, centre.worker, case_id, centre.psychologist, Discipline.PSYCHOLOGY
        )
    # The client no longer wants a psychologist on the second case: she stays on its
    # team in the case index, but the access rule no longer lets her see it.
    served.casework.record_consent(
        centre.worker,
        withdrawn,
        RecordConsent(given=True, on=date(2026, 3, 9), disciplines=[Discipline.SOCIAL_WORK]),
    )

    psychologist = served.token("wu.xinyi", "specialist")
    wait = {"min_position": served.casework.last_position()}
    mine = client.get("/api/v1/views/my-cases", params=wait, headers=psychologist)
    assert mine.status_code == 200, mine.text
    assert [c["case_id"] for c in mine.json()] == [str(kept)]

    read = served.casework.what_person_read(
        centre.reviewer, centre.psychologist.staff_id, AccessQuery()
    )
    assert [e.case_id for e in read if e.reason.startswith("listed")] == [kept]


def test_the_case_index_pages_with_a_cursor_and_refuses_a_tampered_one(
    served_with_views: Served,
) -> None:
    served = served_with_views
    client = served.client
    worker = served.token("chen.jing")
    opened = [
        client.post("/api/v1/cases", json=intake(served), headers=worker).json() for _ in range(3)
    ]
    wait = {"min_position": opened[-1]["position"], "limit": 2, "order": "oldest"}

    first = client.get("/api/v1/views/cases", params=wait, headers=worker)
    assert first.status_code == 200, first.text
    assert [c["case_id"] for c in first.json()["items"]] == [o["record_id"] for o in opened[:2]]
    assert first.json()["items"][0]["client_names"] == ["王芳 Wang Fang"]
    cursor = first.json()["next"]
    assert f"cursor={cursor}" in first.headers["link"] and 'rel="next"' in first.headers["link"]

    second = client.get("/api/v1/views/cases", params={**wait, "cursor": cursor}, headers=worker)
    assert [c["case_id"] for c in second.json()["items"]] == [opened[2]["record_id"]]
    assert second.json()["next"] is None and "link" not in second.headers

    for tampered in (cursor[:-3] + "xyz", "bm90IGEgY3Vyc29y", "WyJjYXNlczpvbGRlc3QiLCJ4IiwxXQ"):
        bad = client.get("/api/v1/views/cases", params={**wait, "cursor": tampered}, headers=worker)
        assert (bad.status_code, bad.json()["field"]) == (422, "cursor"), bad.text
    # A cursor of another order is not this list's.
    other = client.get(
        "/api/v1/views/cases", params={**wait, "order": "risk", "cursor": cursor}, headers=worker
    )
    assert (other.status_code, other.json()["field"]) == (422, "cursor")


def test_a_case_plan_timeline_chains_and_the_caseload_over_http(served_with_views: Served) -> None:
    served = served_with_views
    client = served.client
    worker = served.token("chen.jing")
    opened = client.post("/api/v1/cases", json=intake(served), headers=worker).json()
    case, wait = opened["record_id"], {"min_position": opened["position"]}

    plan = client.get(f"/api/v1/views/cases/{case}/plan", params=wait, headers=worker)
    assert plan.status_code == 200, plan.text
    assert (plan.json()["case_id"], plan.json()["goals"]) == (case, [])

    timeline = client.get(
        f"/api/v1/views/cases/{case}/timeline", params={**wait, "limit": 1}, headers=worker
    )
    assert timeline.status_code == 200, timeline.text
    assert timeline.json()["items"][0]["record_id"] == case
    chains = client.get(f"/api/v1/views/cases/{case}/referral-chains", params=wait, headers=worker)
    assert chains.json() == {"items": [], "next": None}

    colleague = served.token("liu.yang")
    refused = client.get(f"/api/v1/views/cases/{case}/timeline", headers=colleague)
    assert refused.status_code == 403

    pinned = {"position": opened["position"]}
    caseload = client.get("/api/v1/views/caseload", params=pinned, headers=worker)
    assert caseload.status_code == 200, caseload.text
    report = caseload.json()
    assert report["pinned"] and report["position"] == opened["position"]
    mine = [w for w in report["by_worker"] if w["holder_id"] == str(served.centre.worker.staff_id)]
    assert mine[0]["open_cases"] == 1
    ahead = client.get(
        "/api/v1/views/caseload", params={"position": opened["position"] + 1000}, headers=worker
    )
    assert (ahead.status_code, ahead.json()["field"]) == (422, "position")

    history = client.get(
        f"/api/v1/views/staff/{served.centre.worker.staff_id}/supervision-history", headers=worker
    )
    assert history.status_code == 200 and history.json() == {"items": [], "next": None}
