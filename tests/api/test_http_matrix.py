"""The authorisation matrix through HTTP, generated from one table: for each endpoint,
each role, and a case of three kinds (`own`: one the person works on or oversees;
`other`: another worker's case in the same centre; `centre`: a case in another centre)
the status the service layer answers with, and for a refusal the rule it names.
Endpoints about a person (a staff record, a supervision schedule, an audit sample) ask
about the case's lead worker (`own`: 陈静, the caseworker who signs in; `other`: a
colleague nobody here supervises; `centre`: a worker of another centre); the
organisation's endpoints touch the case's centre; the ledger's ask for the case's first
event. Without a token every one is 401. The centre is built once per module, on
SQLite and on PostgreSQL."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from casework.aggregates.base import Actor, Role
from casework.aggregates.case import Case, ReferralSource, RiskLevel
from casework.aggregates.discipline import Discipline
from casework.application.commands.cases import (
    OpenCase,
    RecordConsent,
)
from casework.application.commands.organisation import AddCentre, AddDepartment, AddStaff
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.api.conftest import Served, serve
from tests.builders.centre import SUPERVISED_FROM, family_client, join_team
from tests.builders.compliance_steps import give_ledger_key
from tests.conftest import POSTGRES_URL, _postgres_schema

SCOPES = ("own", "other", "centre")
# Who signs in, as whom (the family centre's people).
ROLES = {
    "caseworker": "worker",
    "department_head": "head",
    "supervisor": "supervisor",
    "centre_director": "director",
    "specialist": "psychologist",
    "compliance_reviewer": "reviewer",
    "administrator": "administrator",
}

DENIED = "403 access_denied"
EXPORT = "403 export_not_allowed"
LOG = "403 access_log_not_allowed"
# Who may read a case (and so its plan, referral chains and timeline).
READ_CASE = {
    "caseworker": ("200", DENIED, DENIED),
    "department_head": ("200", "200", DENIED),
    "supervisor": ("200", DENIED, DENIED),
    "centre_director": ("200", "200", DENIED),
    "specialist": ("200", DENIED, DENIED),
    "compliance_reviewer": ("200", "200", "200"),
    "administrator": (DENIED, DENIED, DENIED),
}
# Who may read a staff record (and so the person's supervision history).
READ_STAFF = {
    "caseworker": ("200", DENIED, DENIED),
    "department_head": ("200", "200", DENIED),
    "supervisor": ("200", DENIED, DENIED),
    "centre_director": ("200", "200", DENIED),
    "specialist": (DENIED, DENIED, DENIED),
    "compliance_reviewer": ("200", "200", "200"),
    "administrator": ("200", "200", "200"),
}
# endpoint -> role -> the answer for (own, other, centre).
TABLE: dict[str, dict[str, tuple[str, str, str]]] = {
    "read_case": READ_CASE,
    "access_log": {
        "caseworker": ("200", LOG, LOG),
        "department_head": (LOG, LOG, LOG),
        "supervisor": ("200", LOG, LOG),
        "centre_director": ("200", "200", LOG),
        "specialist": (LOG, LOG, LOG),
        "compliance_reviewer": ("200", "200", "200"),
        "administrator": (LOG, LOG, LOG),
    },
    "record_note": {
        "caseworker": ("201", DENIED, DENIED),
        "department_head": (DENIED, DENIED, DENIED),
        "supervisor": (DENIED, DENIED, DENIED),
        "centre_director": (DENIED, DENIED, DENIED),
        "specialist": (DENIED, DENIED, DENIED),
        "compliance_reviewer": (DENIED, DENIED, DENIED),
        "administrator": (DENIED, DENIED, DENIED),
    },
    "send_referral": {
        "caseworker": ("201", DENIED, DENIED),
        "department_head": ("201", "201", DENIED),
        "supervisor": (DENIED, DENIED, DENIED),
        "centre_director": (DENIED, DENIED, DENIED),
        "specialist": (DENIED, DENIED, DENIED),
        "compliance_reviewer": (DENIED, DENIED, DENIED),
        "administrator": (DENIED, DENIED, DENIED),
    },
    "replay": READ_CASE,  # a replay is filtered by the rule that filters a read
    "export": {
        "caseworker": (EXPORT, EXPORT, EXPORT),
        "department_head": (EXPORT, EXPORT, EXPORT),
        "supervisor": (EXPORT, EXPORT, EXPORT),
        "centre_director": ("200", "200", EXPORT),
        "specialist": (EXPORT, EXPORT, EXPORT),
        "compliance_reviewer": ("200", "200", "200"),
        "administrator": (EXPORT, EXPORT, EXPORT),
    },
    "request_erasure": {
        "caseworker": (DENIED, DENIED, DENIED),
        "department_head": ("201", "201", DENIED),
        "supervisor": (DENIED, DENIED, DENIED),
        "centre_director": ("201", "201", DENIED),
        "specialist": (DENIED, DENIED, DENIED),
        "compliance_reviewer": ("201", "201", "201"),
        "administrator": (DENIED, DENIED, DENIED),
    },
    "read_erasure_request": {
        "caseworker": (DENIED, DENIED, DENIED),
        "department_head": ("200", "200", DENIED),
        "supervisor": (DENIED, DENIED, DENIED),
        "centre_director": ("200", "200", DENIED),
        "specialist": (DENIED, DENIED, DENIED),
        "compliance_reviewer": ("200", "200", "200"),
        "administrator": ("200", "200", "200"),
    },
    "read_staff": READ_STAFF,
    "set_supervision_frequency": {
        "caseworker": (DENIED, DENIED, DENIED),
        "department_head": ("201", "201", DENIED),
        "supervisor": ("201", DENIED, DENIED),
        "centre_director": ("201", "201", DENIED),
        "specialist": (DENIED, DENIED, DENIED),
        "compliance_reviewer": (DENIED, DENIED, DENIED),
        "administrator": ("201", "201", "201"),
    },
    "draw_audit_sample": {
        "caseworker": (DENIED, DENIED, DENIED),
        "department_head": ("201", "201", DENIED),
        "supervisor": ("201", DENIED, DENIED),
        "centre_director": ("201", "201", DENIED),
        "specialist": (DENIED, DENIED, DENIED),
        "compliance_reviewer": ("201", "201", "201"),
        "administrator": (DENIED, DENIED, DENIED),
    },
    "read_organisation": {role: ("200", "200", "200") for role in ROLES},
    "add_department": {
        **{role: (DENIED, DENIED, DENIED) for role in ROLES},
        "centre_director": ("201", "201", DENIED),
        "administrator": ("201", "201", "201"),
    },
    "register_agency": {
        **{role: (DENIED, DENIED, DENIED) for role in ROLES},
        "department_head": ("201", "201", "201"),
        "centre_director": ("201", "201", "201"),
        "administrator": ("201", "201", "201"),
    },
    "verify_ledger": {
        **{role: (DENIED, DENIED, DENIED) for role in ROLES},
        "centre_director": ("200", "200", "200"),
        "compliance_reviewer": ("200", "200", "200"),
        "administrator": ("200", "200", "200"),
    },
    "inclusion_proof": {
        **{role: (DENIED, DENIED, DENIED) for role in ROLES},
        "centre_director": ("200", "200", "200"),
        "compliance_reviewer": ("200", "200", "200"),
        "administrator": ("200", "200", "200"),
    },
    # The views: a case's own views ask what reading the case asks; the index and the
    # caseload list only what the reader may see (200 for all, see INDEXED).
    "case_index": {role: ("200", "200", "200") for role in ROLES},
    "case_plan": READ_CASE,
    "referral_chains": READ_CASE,
    "audit_timeline": READ_CASE,
    "supervision_history": READ_STAFF,
    "caseload": {role: ("200", "200", "200") for role in ROLES},
}

# How many cases the index lists in the case's department (`own` and `other` are both in
# the family department, `centre` in another centre's).
INDEXED = {
    "caseworker": (1, 1, 0),
    "department_head": (2, 2, 0),
    "supervisor": (1, 1, 0),
    "centre_director": (2, 2, 0),
    "specialist": (1, 1, 0),
    "compliance_reviewer": (2, 2, 1),
    "administrator": (0, 0, 0),
}


@dataclass(frozen=True)
class Matrix:
    served: Served
    cases: dict[str, UUID]
    tokens: dict[str, dict[str, str]]
    youth_id: UUID
    # case -> an erasure of it requested by the compliance reviewer
    erasure_requests: dict[UUID, UUID]


def _centre_with_three_cases(served: Served) -> dict[str, UUID]:
    app, centre = served.casework, served.centre
    consent = RecordConsent(
        given=True,
        on=date(2026, 3, 1),
        disciplines=[Discipline.SOCIAL_WORK, Discipline.PSYCHOLOGY],
        department_ids=[centre.youth_id],
    )

    def intake(by: Actor, department_id: UUID) -> UUID:
        return app.open_case(
            by,
            OpenCase(
                clients=[family_client()],
                presenting_problem="婚姻冲突 marital conflict",
                referral_source=ReferralSource.COMMUNITY_COMMITTEE,
                department_id=department_id,
                lead_worker_id=by.staff_id,
                risk_level=RiskLevel.LOW,
                consent=consent,
            ),
        )

    own = intake(centre.worker, centre.family_id)
    join_team(app, centre.worker, own, centre.psychologist, Discipline.PSYCHOLOGY)
    admin = centre.administrator
    # `other`: a case led by a colleague nobody here supervises.
    app.end_supervision(
        admin, centre.second_worker.staff_id, centre.supervisor.staff_id, SUPERVISED_FROM
    )
    other = intake(centre.second_worker, centre.family_id)
    elsewhere = app.add_centre(
        admin, AddCentre(name="白云家综 Baiyun Family Centre", district="白云区")
    )
    department = app.add_department(admin, AddDepartment(centre_id=elsewhere, name="家庭部 Family"))
    worker_id = app.add_staff(
        admin,
        AddStaff(
            name="何敏 He Min",
            centre_id=elsewhere,
            department_id=department,
            roles=[Role.CASEWORKER],
            disciplines=[Discipline.SOCIAL_WORK],
        ),
    )
    return {
        "own": own,
        "other": other,
        "centre": intake(Actor(worker_id, Role.CASEWORKER), department),
    }


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def matrix(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    data = tmp_path_factory.mktemp("matrix") / "data"
    master_key = MasterKey.generate("the matrix master key")
    schemas: Iterator[str] = _postgres_schema() if request.param == "postgres" else iter([""])
    for schema in schemas:
        env = {"CASEWORK_DATA_DIR": str(data)}
        if schema:
            env["CASEWORK_DATABASE_URL"] = f"{POSTGRES_URL}?schema={schema}"
        for served in serve(Settings.from_env(env), master_key):
            give_ledger_key(served.casework)
            cases = _centre_with_three_cases(served)
            reviewer = served.centre.reviewer
            erasure_requests = {
                case_id: served.casework.request_erasure(
                    reviewer, case_id, "当事人要求 the client asked", "PIPL art. 47"
                )
                for case_id in cases.values()
            }
            served.casework.checkpoint()  # the cases' first events have inclusion proofs
            served.client.app.state.projections.catch_up()  # the view reads see the cases
            tokens = {role: served.signed_in(person) for role, person in ROLES.items()}
            yield Matrix(served, cases, tokens, served.centre.youth_id, erasure_requests)


def _version(matrix: Matrix, case_id: UUID) -> str:
    case: Case = matrix.served.casework.load(case_id, Case, "case")
    return f'"{case.version}"'


Request = Callable[[Matrix, UUID, dict[str, str]], Any]


def _read_case(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/cases/{case_id}", headers=auth)


def _access_log(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/cases/{case_id}/access-log", headers=auth)


def _record_note(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    body = {"kind": "phone", "narrative": "电话跟进 phone follow-up", "duration_minutes": 10}
    headers = {**auth, "If-Match": _version(m, case_id)}
    return m.served.client.post(f"/api/v1/cases/{case_id}/notes", json=body, headers=headers)


def _send_referral(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    body = {
        "case_id": str(case_id),
        "receiver": {"kind": "department", "id": str(m.youth_id)},
        "reason": "青少年辅导 youth counselling",
        "urgency": "routine",
        "shared": ["case_summary"],
    }
    return m.served.client.post("/api/v1/referrals", json=body, headers=auth)


def _replay(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    at = datetime.now(UTC).isoformat()
    return m.served.client.get(
        f"/api/v1/compliance/records/{case_id}/as-of", params={"at": at}, headers=auth
    )


def _export(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/compliance/cases/{case_id}/export", headers=auth)


def _request_erasure(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    body = {"reason": "当事人要求 the client asked", "legal_authority": "PIPL art. 47"}
    return m.served.client.post(
        f"/api/v1/compliance/cases/{case_id}/erasure-requests", json=body, headers=auth
    )


def _read_erasure_request(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    request_id = m.erasure_requests[case_id]
    return m.served.client.get(f"/api/v1/compliance/erasure-requests/{request_id}", headers=auth)


def _lead(m: Matrix, case_id: UUID) -> UUID:
    case: Case = m.served.casework.load(case_id, Case, "case")
    return case.lead_worker_id


def _read_staff(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/staff/{_lead(m, case_id)}", headers=auth)


def _set_supervision_frequency(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.post(
        f"/api/v1/staff/{_lead(m, case_id)}/supervision-schedule",
        json={"every_days": 21},
        headers=auth,
    )


def _draw_audit_sample(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    body = {
        "worker_id": str(_lead(m, case_id)),
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "size": 2,
    }
    return m.served.client.post("/api/v1/audit-samples", json=body, headers=auth)


def _read_organisation(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get("/api/v1/organisation", headers=auth)


def _add_department(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    case: Case = m.served.casework.load(case_id, Case, "case")
    version = m.served.casework.get_organisation().version
    return m.served.client.post(
        "/api/v1/organisation/departments",
        json={"centre_id": str(case.centre_id), "name": f"社区部 Community {uuid4().hex[:6]}"},
        headers={**auth, "If-Match": f'"{version}"'},
    )


def _register_agency(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    body = {
        "name": "街道妇联 Women's Federation",
        "kind": "other",
        "contact": "020-8888 0000",
        "services": ["family advice"],
    }
    return m.served.client.post("/api/v1/agencies", json=body, headers=auth)


def _verify_ledger(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get("/api/v1/ledger/verification", headers=auth)


def _inclusion_proof(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/ledger/proofs/{case_id}/1", headers=auth)


def _case_index(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    case: Case = m.served.casework.load(case_id, Case, "case")
    params = {"department_id": str(case.department_id)}
    return m.served.client.get("/api/v1/views/cases", params=params, headers=auth)


def _case_plan(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/views/cases/{case_id}/plan", headers=auth)


def _referral_chains(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/views/cases/{case_id}/referral-chains", headers=auth)


def _audit_timeline(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get(f"/api/v1/views/cases/{case_id}/timeline", headers=auth)


def _supervision_history(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    path = f"/api/v1/views/staff/{_lead(m, case_id)}/supervision-history"
    return m.served.client.get(path, headers=auth)


def _caseload(m: Matrix, case_id: UUID, auth: dict[str, str]) -> Any:
    return m.served.client.get("/api/v1/views/caseload", headers=auth)


ENDPOINTS: dict[str, Request] = {
    "read_case": _read_case,
    "access_log": _access_log,
    "record_note": _record_note,
    "send_referral": _send_referral,
    "replay": _replay,
    "export": _export,
    "request_erasure": _request_erasure,
    "read_erasure_request": _read_erasure_request,
    "read_staff": _read_staff,
    "set_supervision_frequency": _set_supervision_frequency,
    "draw_audit_sample": _draw_audit_sample,
    "read_organisation": _read_organisation,
    "add_department": _add_department,
    "register_agency": _register_agency,
    "verify_ledger": _verify_ledger,
    "inclusion_proof": _inclusion_proof,
    "case_index": _case_index,
    "case_plan": _case_plan,
    "referral_chains": _referral_chains,
    "audit_timeline": _audit_timeline,
    "supervision_history": _supervision_history,
    "caseload": _caseload,
}


def _answer(response: Any) -> str:
    if response.status_code < 400:
        return str(response.status_code)
    return f"{response.status_code} {response.json().get('rule', '')}"


CELLS = [(e, r, s) for e, rows in TABLE.items() for r in rows for s in SCOPES]


def test_the_table_covers_every_endpoint_and_role() -> None:
    assert set(TABLE) == set(ENDPOINTS)
    assert all(set(rows) == set(ROLES) for rows in TABLE.values())


@pytest.mark.parametrize(("endpoint", "role", "scope"), CELLS, ids="-".join)
def test_the_service_layer_answers_through_http(
    matrix: Matrix, endpoint: str, role: str, scope: str
) -> None:
    expected = TABLE[endpoint][role][SCOPES.index(scope)]
    response = ENDPOINTS[endpoint](matrix, matrix.cases[scope], matrix.tokens[role])
    assert _answer(response) == expected, response.text
    if response.status_code == 403:
        problem = response.json()
        assert problem["type"] == f"https://casework.example/problems/{problem['rule']}"
        assert problem["detail"]


@pytest.mark.parametrize(("endpoint", "scope"), [(e, s) for e in ENDPOINTS for s in SCOPES])
def test_without_a_token_every_endpoint_is_401(matrix: Matrix, endpoint: str, scope: str) -> None:
    response = ENDPOINTS[endpoint](matrix, matrix.cases[scope], {})
    assert _answer(response) == "401 not_signed_in", response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ROLES)
def test_the_case_index_lists_only_the_cases_each_role_may_see(matrix: Matrix, role: str) -> None:
    listed = tuple(
        len(_case_index(matrix, matrix.cases[scope], matrix.tokens[role]).json()["items"])
        for scope in SCOPES
    )
    assert listed == INDEXED[role]
