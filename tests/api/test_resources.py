"""The resources beyond cases, each as a story through HTTP on both backends: a
referral answered by an agency and referred onward, a supervision session from record
to sign-off, a note reviewed and revised, compliance looking back and erasing with four
eyes, an administrator looking after accounts, and a client search."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from casework.aggregates.agency import AgencyKind
from casework.application.commands.agencies import RegisterAgency
from tests.api.conftest import Served
from tests.api.test_case_story import intake, note
from tests.builders.compliance_steps import give_ledger_key

Headers = dict[str, str]


def open_case(served: Served, worker: Headers, agencies: tuple[str, ...] = ()) -> tuple[str, str]:
    """A case the worker leads (consent covering `agencies`), and its ETag."""
    body = intake(served)
    body["consent"]["agency_ids"] = list(agencies)
    opened = served.client.post("/api/v1/cases", json=body, headers=worker)
    assert opened.status_code == 201, opened.text
    return opened.json()["record_id"], opened.headers["etag"]


def agency(served: Served, name: str = "法律援助中心 Legal Aid") -> str:
    agency_id = served.casework.register_agency(
        served.centre.administrator,
        RegisterAgency(
            name=name, kind=AgencyKind.LEGAL_AID, contact="020-1234", services=["advice"]
        ),
    )
    return str(agency_id)


def post(served: Served, path: str, body: dict[str, Any], headers: Headers, tag: str = "") -> Any:
    return served.client.post(
        path, json=body, headers={**headers, **({"If-Match": tag} if tag else {})}
    )


def test_a_referral_to_an_agency_is_answered_and_referred_onward(served: Served) -> None:
    worker = served.token("chen.jing")
    legal_aid, shelter = agency(served), agency(served, "妇女庇护所 Shelter")
    case_id, _ = open_case(served, worker, (legal_aid, shelter))

    sent = post(
        served,
        "/api/v1/referrals",
        {
            "case_id": case_id,
            "receiver": {"kind": "agency", "id": legal_aid},
            "reason": "离婚法律咨询 divorce advice",
            "urgency": "urgent",
            "shared": ["case_summary"],
        },
        worker,
    )
    assert sent.status_code == 201, sent.text
    referral_id = sent.json()["record_id"]
    assert sent.headers["location"] == f"/api/v1/referrals/{referral_id}"
    path = f"/api/v1/referrals/{referral_id}"

    unnamed = post(served, f"{path}/acceptance", {}, worker, sent.headers["etag"])
    assert (unnamed.status_code, unnamed.json()["field"]) == (422, "agency_contact")
    accepted = post(
        served, f"{path}/acceptance", {"agency_contact": "张律师 Lawyer Zhang"}, worker, '"1"'
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["version"] == 2

    read = served.client.get(path, headers=worker)
    assert read.status_code == 200 and read.headers["etag"] == '"2"'
    assert read.json()["status"] == "accepted"
    assert read.json()["answers"][0]["agency_contact"] == "张律师 Lawyer Zhang"
    assert read.headers["cache-control"] == "no-store"

    onward = post(
        served,
        f"{path}/onward",
        {
            "receiver": {"kind": "agency", "id": shelter},
            "reason": "需要庇护",
            "urgency": "emergency",
            "shared": ["case_summary"],
        },
        worker,
        '"2"',
    )
    assert onward.status_code == 201, onward.text
    onward_id = onward.json()["created_id"]
    chain = served.client.get(f"/api/v1/referrals/{onward_id}/chain", headers=worker)
    assert [r["referral_id"] for r in chain.json()] == [referral_id, onward_id]

    withdrawn = post(
        served, f"/api/v1/referrals/{onward_id}/withdrawal", {"reason": "已安置"}, worker, '"1"'
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert (
        served.client.get(f"/api/v1/referrals/{onward_id}", headers=worker).json()["status"]
        == "withdrawn"
    )

    outsider = served.signed_in("reviewer")
    refused = post(served, f"{path}/service-start", {"agency_contact": "x"}, outsider, '"3"')
    assert (refused.status_code, refused.json()["rule"]) == (403, "access_denied")


def test_a_supervision_session_from_record_to_sign_off(served: Served) -> None:
    worker = served.token("chen.jing")
    case_id, _ = open_case(served, worker)
    supervisor = served.signed_in("supervisor")
    centre = served.centre

    recorded = post(
        served,
        "/api/v1/supervision-sessions",
        {
            "session_format": "individual",
            "supervisor_id": str(centre.supervisor.staff_id),
            "supervisee_ids": [str(centre.worker.staff_id)],
            "duration_minutes": 60,
            "topics": ["case_practice", "wellbeing"],
        },
        supervisor,
    )
    assert recorded.status_code == 201, recorded.text
    session_id = recorded.json()["record_id"]
    path = f"/api/v1/supervision-sessions/{session_id}"

    by_worker = post(served, f"{path}/decisions", {"decision": "x"}, worker, '"1"')
    assert (by_worker.status_code, by_worker.json()["rule"]) == (403, "access_denied")

    steps: list[tuple[str, dict[str, Any]]] = [
        ("notes", {"topic": "case_practice", "text": "家访安全计划 home-visit safety"}),
        (
            "notes",
            {"topic": "wellbeing", "text": "疲惫 tired", "about_id": str(centre.worker.staff_id)},
        ),
        ("case-discussions", {"case_id": case_id, "summary": "风险上升", "advice": ["联系学校"]}),
        ("decisions", {"decision": "每周家访 weekly visits"}),
        (
            "action-items",
            {
                "owner_id": str(centre.worker.staff_id),
                "description": "联系学校",
                "due_on": "2026-12-08",
            },
        ),
    ]
    tag = recorded.headers["etag"]
    answers = []
    for step, body in steps:
        answer = post(served, f"{path}/{step}", body, supervisor, tag)
        assert answer.status_code == 201, (step, answer.text)
        tag = answer.headers["etag"]
        answers.append(answer.json())
    item_id = answers[-1]["created_id"]

    done = post(served, f"{path}/action-items/{item_id}/done", {}, worker, tag)
    assert done.status_code == 201, done.text
    signed = post(served, f"{path}/signatures", {}, supervisor, done.headers["etag"])
    signed = post(served, f"{path}/signatures", {}, worker, signed.headers["etag"])
    assert signed.status_code == 201, signed.text

    session = served.client.get(path, headers=worker)
    assert session.status_code == 200 and session.headers["etag"] == signed.headers["etag"]
    assert len(session.json()["signed_by"]) == 2
    assert session.json()["action_items"][0]["done_at"] is not None
    notes = served.client.get(f"{path}/notes", headers=worker).json()
    assert {n["topic"] for n in notes} == {"case_practice", "wellbeing"}

    discussion = served.client.get(f"{path}/case-discussions/{case_id}", headers=worker)
    assert discussion.status_code == 200 and discussion.json()["advice"] == ["联系学校"]
    corrected = post(
        served,
        f"{path}/case-discussions/{case_id}/addenda",
        {"text": "学校已联系"},
        supervisor,
        discussion.headers["etag"],
    )
    assert corrected.status_code == 201, corrected.text

    other = served.token("liu.yang")
    assert served.client.get(path, headers=other).status_code == 403
    assert served.client.get(f"{path}/case-discussions/{case_id}", headers=other).status_code == 403


def test_a_note_is_reviewed_revised_and_approved(served: Served) -> None:
    worker = served.token("chen.jing")
    case_id, tag = open_case(served, worker)
    written = post(served, f"/api/v1/cases/{case_id}/notes", note(), worker, tag)
    note_id = written.json()["created_id"]
    supervisor = served.signed_in("supervisor")
    path = f"/api/v1/cases/{case_id}/reviews/note/{note_id}"

    assert served.client.get(f"{path}/standing", headers=worker).json() == {
        "standing": "not reviewed"
    }
    asked = post(served, f"{path}/revision-request", {"comments": "补充风险评估"}, supervisor)
    assert asked.status_code == 201, asked.text
    review = served.client.get(path, headers=worker)
    assert review.status_code == 200
    assert review.json()["judgements"][0]["verdict"] == "revision_requested"

    addendum = post(
        served,
        f"/api/v1/cases/{case_id}/addenda",
        {"record_kind": "note", "record_id": note_id, "narrative": "风险：中", "reason": "补充"},
        worker,
        written.headers["etag"],
    )
    assert addendum.status_code == 201, addendum.text
    submitted = post(served, f"{path}/revision", {}, worker, review.headers["etag"])
    assert submitted.status_code == 201, submitted.text
    approved = post(served, f"{path}/approval", {"comments": "好"}, supervisor)
    assert approved.status_code == 201, approved.text
    standing = served.client.get(f"{path}/standing", headers=worker).json()["standing"]
    assert standing.startswith("approved")

    unknown_kind = served.client.get(
        f"/api/v1/cases/{case_id}/reviews/consent/{note_id}", headers=worker
    )
    assert unknown_kind.status_code == 422
    own = post(served, f"{path}/approval", {}, worker)
    assert own.status_code == 403


def test_compliance_looks_back_exports_and_erases_with_four_eyes(served: Served) -> None:
    worker = served.token("chen.jing")
    case_id, tag = open_case(served, worker)
    post(served, f"/api/v1/cases/{case_id}/notes", note(), worker, tag)
    give_ledger_key(served.casework)
    reviewer = served.signed_in("reviewer", purpose="年度审计 annual audit")
    now = datetime.now(UTC).isoformat()

    replay = served.client.get(
        f"/api/v1/compliance/records/{case_id}/as-of", params={"at": now}, headers=reviewer
    )
    assert replay.status_code == 200, replay.text
    assert replay.json()["applied"] == 2 and replay.json()["state"]["id"] == case_id
    occurred = served.client.get(
        f"/api/v1/compliance/records/{case_id}/as-of",
        params={"at": now, "basis": "occurred"},
        headers=reviewer,
    )
    assert occurred.status_code == 200 and occurred.json()["basis"] == "as occurred"
    naive = served.client.get(
        f"/api/v1/compliance/records/{case_id}/as-of",
        params={"at": "2026-03-01T09:00:00"},
        headers=reviewer,
    )
    assert naive.status_code == 422
    changes = served.client.get(
        f"/api/v1/compliance/records/{case_id}/diff",
        params={"since": "2000-01-01T00:00:00+00:00", "until": now},
        headers=reviewer,
    )
    assert changes.status_code == 200, changes.text
    assert len(changes.json()["entries"]) == 2

    bundle = served.client.get(f"/api/v1/compliance/cases/{case_id}/export", headers=reviewer)
    assert bundle.status_code == 200, bundle.text
    assert bundle.json()["case_id"] == case_id and len(bundle.json()["events"]) >= 2
    assert (
        served.client.get(f"/api/v1/compliance/cases/{case_id}/export", headers=worker).json()[
            "rule"
        ]
        == "export_not_allowed"
    )

    head = served.signed_in("head")
    asked = post(
        served,
        f"/api/v1/compliance/cases/{case_id}/erasure-requests",
        {"reason": "当事人要求 the client asked", "legal_authority": "PIPL art. 47"},
        head,
    )
    assert asked.status_code == 201, asked.text
    request = f"/api/v1/compliance/erasure-requests/{asked.json()['record_id']}"
    assert post(served, f"{request}/approval", {}, head).status_code == 403
    assert post(served, f"{request}/approval", {}, reviewer).status_code == 201
    admin = served.signed_in("administrator")
    standing = served.client.get(request, headers=head)
    assert standing.status_code == 200, standing.text
    assert (standing.json()["status"], standing.headers["etag"]) == ("approved", '"2"')
    assert standing.json()["approved_by"] == str(served.centre.reviewer.staff_id)
    refused = served.client.get(request, headers=worker)
    assert (refused.status_code, refused.json()["rule"]) == (403, "access_denied")
    erased = post(served, f"{request}/carrying-out", {}, admin)
    assert erased.status_code == 201, erased.text
    assert erased.json()["created_id"] is not None
    done = served.client.get(request, headers=admin).json()
    assert (done["status"], done["carried_out_by"]) == (
        "carried_out",
        str(served.centre.administrator.staff_id),
    )

    gone = served.client.get(f"/api/v1/cases/{case_id}", headers=worker)
    assert (gone.status_code, gone.json()["rule"]) == (410, "erased")


def test_an_administrator_opens_accounts_and_ends_sessions(served: Served) -> None:
    admin = served.signed_in("administrator")
    worker = served.token("chen.jing")
    head_id = str(served.centre.head.staff_id)

    refused = post(
        served, "/api/v1/accounts", {"staff_id": head_id, "user_name": "huang.li"}, worker
    )
    assert (refused.status_code, refused.json()["rule"]) == (403, "accounts_are_for_administrators")
    opened = post(served, "/api/v1/accounts", {"staff_id": head_id, "user_name": "huang.li"}, admin)
    assert opened.status_code == 201, opened.text
    assert opened.json()["user_name"] == "huang.li" and opened.json()["code"]
    assert opened.headers["cache-control"] == "no-store"
    again = post(served, "/api/v1/accounts", {"staff_id": head_id, "user_name": "huang.l"}, admin)
    assert again.status_code == 409

    not_locked = post(served, "/api/v1/accounts/liu.yang/unlock", {}, admin)
    assert (not_locked.status_code, not_locked.json()["rule"]) == (409, "account_not_locked")
    for _ in range(served.casework.settings.lockout_failures):
        served.clock.advance(seconds=60)
        assert served.sign_in("liu.yang", password="not the password").status_code == 401
    assert served.sign_in("liu.yang").status_code == 429
    unlocked = post(served, "/api/v1/accounts/liu.yang/unlock", {"reason": "忘记密码"}, admin)
    assert unlocked.status_code == 204, unlocked.text
    assert served.sign_in("liu.yang").status_code == 201
    missing = post(served, "/api/v1/accounts/nobody/unlock", {}, admin)
    assert missing.status_code == 404

    staff = str(served.centre.worker.staff_id)
    ended = served.client.delete(f"/api/v1/staff/{staff}/sessions", headers=admin)
    assert ended.status_code == 200, ended.text
    assert ended.json() == {"staff_id": staff, "ended": 1}
    assert served.client.get("/api/v1/sessions/current", headers=worker).status_code == 401


def test_a_client_search_answers_only_cases_the_searcher_may_see(served: Served) -> None:
    worker = served.token("chen.jing")
    case_id, _ = open_case(served, worker)
    search = {"field": "phone", "value": "138 0013 8000"}

    found = post(served, "/api/v1/client-searches", search, worker)
    assert found.status_code == 200, found.text
    assert found.json() == {"case_ids": [case_id]}
    other = post(served, "/api/v1/client-searches", search, served.token("liu.yang"))
    assert other.json() == {"case_ids": []}
    bad = post(served, "/api/v1/client-searches", {"field": "email", "value": "x"}, worker)
    assert (bad.status_code, bad.json()["field"]) == (422, "field")
    assert UUID(case_id)
