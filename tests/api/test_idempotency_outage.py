"""A note is stored, then the database goes: the client is told the truth, and the same
request sent again with its Idempotency-Key is answered, never held as "in progress"
for the day the key is kept."""

from typing import Any
from uuid import UUID

import pytest

from api.idempotency import ABANDONED_AFTER
from casework.aggregates.case import Case
from casework.store.errors import StoreUnreachable
from tests.api.conftest import Served
from tests.api.test_case_story import intake, note


def _database_gone(*args: Any) -> None:
    raise StoreUnreachable("server closed the connection unexpectedly")


def _open_case(served: Served, worker: dict[str, str]) -> str:
    opened = served.client.post("/api/v1/cases", json=intake(served), headers=worker)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["record_id"])


def resent_once_abandoned(served: Served, case_id: str, sent: dict[str, str]) -> None:
    """Sent again once the key's first use counts as abandoned: applied already, the
    resend says so (412 at version 2), and nothing is stored twice."""
    served.clock.advance(seconds=ABANDONED_AFTER.total_seconds() + 1)
    again = served.client.post(f"/api/v1/cases/{case_id}/notes", json=note(), headers=sent)
    assert again.status_code == 412, again.text
    assert again.json()["current_version"] == 2
    case: Case = served.casework.load(UUID(case_id), Case, "case")
    assert len(case.notes) == 1


def test_a_note_stored_before_its_answer_could_be_kept_is_answered_201(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = served.token("chen.jing")
    case_id = _open_case(served, worker)
    keys = served.client.app.state.idempotency
    monkeypatch.setattr(keys, "answer", _database_gone)
    monkeypatch.setattr(keys, "release", _database_gone)
    sent = {**worker, "If-Match": '"1"', "Idempotency-Key": "note-before-outage"}
    path = f"/api/v1/cases/{case_id}/notes"

    stored = served.client.post(path, json=note(), headers=sent)
    assert (stored.status_code, stored.headers["etag"]) == (201, '"2"'), stored.text
    monkeypatch.undo()

    # Sent again at once: the first may still be running, so the client is told to wait.
    at_once = served.client.post(path, json=note(), headers=sent)
    assert at_once.status_code == 409 and at_once.json()["rule"] == "idempotency_key_in_progress"
    assert at_once.headers["retry-after"] == str(int(ABANDONED_AFTER.total_seconds()))

    resent_once_abandoned(served, case_id, sent)


def test_a_note_whose_commit_was_lost_with_the_database_is_settled_by_a_resend(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = served.token("chen.jing")
    case_id = _open_case(served, worker)
    record_note = served.casework.record_note

    def stored_then_gone(*args: Any, **kwargs: Any) -> Any:
        record_note(*args, **kwargs)
        _database_gone()

    monkeypatch.setattr(served.casework, "record_note", stored_then_gone)
    monkeypatch.setattr(served.client.app.state.idempotency, "release", _database_gone)
    sent = {**worker, "If-Match": '"1"', "Idempotency-Key": "note-lost-commit"}
    path = f"/api/v1/cases/{case_id}/notes"

    lost = served.client.post(path, json=note(), headers=sent)
    assert lost.status_code == 503, lost.text
    monkeypatch.undo()

    resent_once_abandoned(served, case_id, sent)


def test_a_refused_request_frees_its_key_at_once(served: Served) -> None:
    worker = served.token("chen.jing")
    case_id = _open_case(served, worker)
    sent = {**worker, "If-Match": '"0"', "Idempotency-Key": "stale-then-fixed"}
    path = f"/api/v1/cases/{case_id}/notes"
    assert served.client.post(path, json=note(), headers=sent).status_code == 412
    assert served.client.post(path, json=note(), headers=sent).status_code == 412
