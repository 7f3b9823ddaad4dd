"""The organisation through HTTP on both backends: an administrator and a centre
director look after centres, departments and staff (with ETags on the records they
change), everyone finds colleagues in the directory but reads only the staff records
they may, supervisors set how often their supervisees are supervised and see who is
due, the agency register is kept, an audit sample is drawn and redrawn, and the ledger
is checked and an event proved."""

from typing import Any

from tests.api.conftest import Served
from tests.api.test_resources import open_case, post
from tests.builders.compliance_steps import give_ledger_key

Headers = dict[str, str]


def test_an_administrator_and_a_director_look_after_the_organisation(served: Served) -> None:
    admin, director = served.signed_in("administrator"), served.signed_in("director")
    read = served.client.get("/api/v1/organisation", headers=admin)
    assert read.status_code == 200 and read.headers["cache-control"] == "no-store"
    tag = read.headers["etag"]
    assert [c["name"] for c in read.json()["centres"]] == ["海珠家综 Haizhu Family Centre"]

    centre = {"name": "白云家综 Baiyun Family Centre", "district": "白云区"}
    without = post(served, "/api/v1/organisation/centres", centre, admin)
    assert (without.status_code, without.json()["rule"]) == (428, "precondition_required")
    added = post(served, "/api/v1/organisation/centres", centre, admin, tag)
    assert added.status_code == 201, added.text
    baiyun = added.json()["created_id"]
    stale = post(served, "/api/v1/organisation/centres", {"name": "又一个 Another"}, admin, tag)
    assert stale.status_code == 412 and stale.json()["current_version"] == added.json()["version"]
    refused = post(
        served, "/api/v1/organisation/centres", {"name": "X"}, director, added.headers["etag"]
    )
    assert (refused.status_code, refused.json()["rule"]) == (403, "access_denied")
    assert "only an administrator may add a centre" in refused.json()["detail"]

    # The director adds departments to their own centre only.
    own = served.centre.centre_id
    department = {"centre_id": str(own), "name": "社区部 Community"}
    community = post(
        served, "/api/v1/organisation/departments", department, director, added.headers["etag"]
    )
    assert community.status_code == 201, community.text
    elsewhere = {"centre_id": baiyun, "name": "家庭部 Family"}
    refused = post(
        served, "/api/v1/organisation/departments", elsewhere, director, community.headers["etag"]
    )
    assert refused.status_code == 403
    assert "only their own centre" in refused.json()["detail"]
    unknown = post(
        served,
        "/api/v1/organisation/departments",
        {**elsewhere, "floor": 3},
        admin,
        community.headers["etag"],
    )
    assert (unknown.status_code, unknown.json()["rule"]) == (422, "invalid_value")


def test_staff_join_change_roles_move_and_leave(served: Served) -> None:
    admin, director = served.signed_in("administrator"), served.signed_in("director")
    newcomer = {
        "name": "赵敏 Zhao Min",
        "centre_id": str(served.centre.centre_id),
        "department_id": str(served.centre.family_id),
        "roles": ["caseworker"],
        "disciplines": ["social_work"],
    }
    appointed = post(
        served, "/api/v1/staff", {**newcomer, "roles": ["compliance_reviewer"]}, director
    )
    assert appointed.status_code == 403
    assert "only an administrator appoints" in appointed.json()["detail"]
    joined = served.client.post(
        "/api/v1/staff", json=newcomer, headers={**director, "Idempotency-Key": "zhao-min"}
    )
    assert joined.status_code == 201, joined.text
    staff_id = joined.json()["record_id"]
    assert joined.headers["location"] == f"/api/v1/staff/{staff_id}"
    again = served.client.post(
        "/api/v1/staff", json=newcomer, headers={**director, "Idempotency-Key": "zhao-min"}
    )
    assert again.json() == joined.json() and again.headers["idempotent-replayed"] == "true"

    path = f"/api/v1/staff/{staff_id}"
    read = served.client.get(path, headers=director)
    assert read.status_code == 200 and read.json()["roles"] == ["caseworker"]
    moved = post(
        served,
        f"{path}/department",
        {"department_id": str(served.centre.youth_id)},
        director,
        read.headers["etag"],
    )
    assert moved.status_code == 201, moved.text
    stale = post(
        served, f"{path}/roles", {"roles": ["department_head"]}, admin, read.headers["etag"]
    )
    assert stale.status_code == 412
    roles = post(
        served, f"{path}/roles", {"roles": ["department_head"]}, admin, moved.headers["etag"]
    )
    assert roles.status_code == 201, roles.text
    supervised = post(
        served,
        f"{path}/supervisors",
        {"supervisor_id": str(served.centre.supervisor.staff_id), "starts_on": "2026-02-01"},
        director,
    )
    assert supervised.status_code == 201, supervised.text
    left = post(
        served, f"{path}/leaving", {"on": "2026-11-30"}, director, supervised.headers["etag"]
    )
    assert left.status_code == 201, left.text
    record = served.client.get(path, headers=admin).json()
    assert (record["active"], record["left_on"]) == (False, "2026-11-30")
    assert record["department_id"] == str(served.centre.youth_id)
    assert record["supervision"][0]["supervisor_id"] == str(served.centre.supervisor.staff_id)


def test_everyone_finds_colleagues_but_reads_only_the_records_they_may(served: Served) -> None:
    worker, supervisor = served.token("chen.jing"), served.signed_in("supervisor")
    directory = served.client.get("/api/v1/staff/directory", headers=worker)
    assert directory.status_code == 200
    names = {c["name"] for c in directory.json()}
    assert {"刘洋 Liu Yang", "Dr Margaret Ho", "IT Admin"} <= names
    assert "lead_case_ids" not in directory.json()[0]

    mine = served.client.get("/api/v1/staff", headers=worker).json()
    assert [s["staff_id"] for s in mine] == [str(served.centre.worker.staff_id)]
    colleague = served.client.get(
        f"/api/v1/staff/{served.centre.second_worker.staff_id}", headers=worker
    )
    assert (colleague.status_code, colleague.json()["rule"]) == (403, "access_denied")
    supervisee = served.client.get(
        f"/api/v1/staff/{served.centre.worker.staff_id}", headers=supervisor
    )
    assert supervisee.status_code == 200 and supervisee.headers["etag"] == '"2"'
    admin = served.signed_in("administrator")
    assert len(served.client.get("/api/v1/staff", headers=admin).json()) == 10
    refused = served.client.get(f"/api/v1/staff/{served.centre.head.staff_id}", headers={})
    assert refused.status_code == 401


def test_a_supervisor_sets_how_often_and_sees_who_is_due(served: Served) -> None:
    worker, supervisor = served.token("chen.jing"), served.signed_in("supervisor")
    path = f"/api/v1/staff/{served.centre.worker.staff_id}/supervision-schedule"
    policy = {"every_days": 21, "started_on": "2026-01-05", "new_staff_months": 0}
    assert post(served, path, policy, worker).status_code == 403  # not one's own
    too_often = post(served, path, {**policy, "every_days": 0}, supervisor)
    assert (too_often.status_code, too_often.json()["field"]) == (422, "every_days")
    set_ = post(served, path, policy, supervisor)
    assert set_.status_code == 201, set_.text
    schedule = served.client.get(path, headers=worker)
    assert schedule.status_code == 200
    assert (schedule.json()["every_days"], schedule.json()["due_on"]) == (21, "2026-01-26")

    due = served.client.get("/api/v1/staff/supervision-due?on=2026-02-01", headers=supervisor)
    assert [(d["staff_id"], d["overdue"]) for d in due.json()] == [
        (str(served.centre.second_worker.staff_id), True),  # no schedule set: due first
        (str(served.centre.worker.staff_id), True),
    ]
    own = served.client.get("/api/v1/staff/supervision-due", headers=worker).json()
    assert [d["staff_id"] for d in own] == [str(served.centre.worker.staff_id)]


def test_the_agency_register_is_kept_by_those_who_keep_it(served: Served) -> None:
    worker, head = served.token("chen.jing"), served.signed_in("head")
    agency = {
        "name": "妇女庇护所 Shelter",
        "kind": "shelter",
        "contact": "020-1111 2222",
        "services": ["emergency housing"],
    }
    refused = post(served, "/api/v1/agencies", agency, worker)
    assert refused.status_code == 403 and "agency register" in refused.json()["detail"]
    registered = post(served, "/api/v1/agencies", agency, head)
    assert registered.status_code == 201, registered.text
    path = registered.headers["location"]
    listed = served.client.get("/api/v1/agencies", headers=worker).json()
    names = [a["name"] for a in listed]
    assert names == ["Haizhu Legal Aid Office", "District Hospital", "妇女庇护所 Shelter"]
    read = served.client.get(path, headers=worker)
    changed = post(
        served,
        f"{path}/details",
        {"contact": "020-3333 4444", "services": ["emergency housing", "counselling"]},
        head,
        read.headers["etag"],
    )
    assert changed.status_code == 201, changed.text
    closed = post(served, f"{path}/closure", {"reason": "merged"}, head, changed.headers["etag"])
    assert closed.status_code == 201, closed.text
    assert served.client.get(path, headers=worker).json()["closed"] is True


def _drawn(served: Served, by: Headers, size: int = 2, **extra: Any) -> Any:
    body = {
        "worker_id": str(served.centre.worker.staff_id),
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "size": size,
    }
    return post(served, "/api/v1/audit-samples", body | extra, by)


def test_an_audit_sample_is_drawn_read_and_drawn_again(served: Served) -> None:
    worker, reviewer = served.token("chen.jing"), served.signed_in("reviewer")
    open_case(served, worker)
    assert _drawn(served, worker).status_code == 403  # nobody audits themselves
    assert _drawn(served, reviewer, size=0).json()["field"] == "size"
    drawn = _drawn(served, reviewer, seed=11)
    assert drawn.status_code == 201, drawn.text
    path = drawn.headers["location"]
    sample = served.client.get(path, headers=reviewer)
    assert sample.status_code == 200 and sample.json()["seed"] == 11
    assert served.client.get(path, headers=worker).status_code == 403
    redrawn = served.client.get(f"{path}/reproduction", headers=reviewer)
    assert redrawn.json()["reproduced"] is True


def test_the_ledger_is_checked_and_an_event_proved(served: Served) -> None:
    give_ledger_key(served.casework)
    worker, reviewer = served.token("chen.jing"), served.signed_in("reviewer")
    case_id, _ = open_case(served, worker)
    proof = f"/api/v1/ledger/proofs/{case_id}/1"
    assert served.client.get(proof, headers=reviewer).json()["rule"] == "not_checkpointed"
    served.casework.checkpoint()
    latest = served.client.get("/api/v1/ledger/checkpoints/latest", headers=reviewer)
    assert latest.status_code == 200 and latest.json()["seq"] >= 1
    proved = served.client.get(proof, headers=reviewer)
    assert proved.status_code == 200 and proved.json()["checkpoint"] == latest.json()
    verified = served.client.get("/api/v1/ledger/verification", headers=reviewer)
    assert verified.status_code == 200 and verified.json()["ok"] is True, verified.text
    refused = served.client.get("/api/v1/ledger/verification", headers=worker)
    assert refused.status_code == 403 and "ledger" in refused.json()["detail"]
