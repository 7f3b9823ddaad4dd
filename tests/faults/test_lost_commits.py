"""A note whose connection died just as PostgreSQL committed it: the store retries it on
a fresh connection, finds its own events already stored, and the caseworker is told
201 once, never a refusal (409/412) over a note that is in the case. When the database
stays away so that nobody can say whether the note was stored, the answer is 503
`outcome_unknown`, and the note is there at most once.

The failure is made at commit time (`lost_connection.CommitThenLost`), not left to a
random outage. SQLite commits in the process and rolls back a commit that fails, so
this applies to PostgreSQL only; a snapshot that cannot be stored after its events
were (either backend) is the last story."""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from uuid import UUID

import psycopg
import pytest

from casework.aggregates.case import Case
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.api.conftest import Served, serve
from tests.api.test_case_story import intake, note, stored_case
from tests.faults.lost_connection import CommitThenLost
from tests.faults.served import Answer, is_clean_503

PROBLEM = "application/problem+json"


@pytest.fixture
def served_on_postgres(postgres_settings: Settings, master_key: MasterKey) -> Iterator[Served]:
    yield from serve(postgres_settings, master_key)


@dataclass(frozen=True)
class OpenedCase:
    """A case the caseworker (`worker`, signed in) has just opened over HTTP."""

    worker: dict[str, str]
    case_id: str
    etag: str

    @property
    def notes(self) -> str:
        return f"/api/v1/cases/{self.case_id}/notes"


def opened_case(served: Served) -> OpenedCase:
    worker = served.token("chen.jing")
    opened = served.client.post("/api/v1/cases", json=intake(served), headers=worker)
    assert opened.status_code == 201, opened.text
    return OpenedCase(worker, opened.json()["record_id"], opened.headers["etag"])


def narratives(served: Served, case_id: str) -> list[str]:
    return [n.narrative for n in stored_case(served, case_id).notes.values()]


@pytest.mark.postgres
def test_a_note_committed_as_its_connection_died_is_answered_201_once(
    served_on_postgres: Served,
) -> None:
    served = served_on_postgres
    case = opened_case(served)
    worker, case_id, tag, path = case.worker, case.case_id, case.etag, case.notes
    write = {**worker, "If-Match": tag, "Idempotency-Key": "lost-at-commit"}

    with CommitThenLost(served.casework).installed() as failure:
        recorded = served.client.post(path, json=note("连接中断 lost at commit"), headers=write)

    assert failure.lost == 1  # the connection did die after the commit
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["version"] == 2
    assert narratives(served, case_id) == ["连接中断 lost at commit"]
    # The position answered is the note's own place in the log.
    assert recorded.json()["position"] == served.casework.last_position()
    # Sent again with the same key: the first answer, nothing recorded twice.
    again = served.client.post(path, json=note("连接中断 lost at commit"), headers=write)
    assert (again.status_code, again.json()) == (201, recorded.json())
    assert len(narratives(served, case_id)) == 1
    # The case goes on from the version the client was told.
    after = {**worker, "If-Match": recorded.headers["etag"]}
    assert served.client.post(path, json=note("下一条 next"), headers=after).status_code == 201


@pytest.mark.postgres
def test_a_note_whose_outcome_cannot_be_known_is_503_outcome_unknown(
    served_on_postgres: Served,
) -> None:
    served = served_on_postgres
    case = opened_case(served)
    worker, case_id, tag, path = case.worker, case.case_id, case.etag, case.notes

    with CommitThenLost(served.casework, stay_down=True).installed() as failure:
        answer = served.client.post(
            path, json=note("无人知晓 unknown"), headers={**worker, "If-Match": tag}
        )
        assert failure.refused > 0  # the retries found the database away
        failure.back()

    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["rule"] == "outcome_unknown"
    assert "read the record" in answer.json()["detail"]
    assert answer.json()["record_id"] == case_id  # which record to read
    assert is_clean_503(Answer.of(answer))
    # Once the database answers, the caseworker reads the case and finds the note, once;
    # sending it again with the same If-Match is refused, not stored twice.
    assert narratives(served, case_id) == ["无人知晓 unknown"]
    again = served.client.post(
        path, json=note("无人知晓 unknown"), headers={**worker, "If-Match": tag}
    )
    assert again.status_code == 412
    assert narratives(served, case_id) == ["无人知晓 unknown"]


@pytest.mark.postgres
def test_a_conflict_with_someone_elses_write_is_still_a_conflict(
    served_on_postgres: Served,
) -> None:
    """The check behind the first story: only this write's own sealed bytes count as
    "already stored"; another event at the same version does not."""
    served = served_on_postgres
    case_id = opened_case(served).case_id
    recorder = served.casework.recorder
    (opened,) = recorder.select_events(UUID(case_id))
    log = recorder.select_notifications(start=None, limit=10_000)
    position = [n.id for n in log if n.originator_id == opened.originator_id]
    assert recorder._positions_if_stored([opened]) == position
    flipped = opened.state[:-1] + bytes([opened.state[-1] ^ 1])
    assert recorder._positions_if_stored([replace(opened, state=flipped)]) is None


@pytest.fixture
def served_anywhere(settings: Settings, master_key: MasterKey) -> Iterator[Served]:
    yield from serve(settings, master_key)


def test_a_snapshot_that_cannot_be_stored_does_not_refuse_a_stored_note(
    served_anywhere: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot is written after the events it sums up, in a transaction of its own.
    When it fails (the connection lost, the database locked), the note is in the case:
    the caseworker is told 201, and the case loads from its events."""
    served = served_anywhere
    case = opened_case(served)
    case_id = case.case_id
    monkeypatch.setattr(served.casework, "snapshotting_intervals", {Case: 2})
    recorder = served.casework.snapshots.recorder
    if served.casework.database.backend == "postgres":
        name, error = "_insert_stored_events", psycopg.OperationalError("server closed")
    else:
        name, error = "_insert_events", sqlite3.OperationalError("database is locked")
    failed = []

    def fail(*args: object, **kwargs: object) -> None:
        failed.append(name)
        raise error

    monkeypatch.setattr(recorder, name, fail)
    recorded = served.client.post(
        case.notes,
        json=note("快照失败 snapshot failed"),
        headers={**case.worker, "If-Match": case.etag},
    )
    assert failed  # the snapshot (version 2) was tried and failed
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["version"] == 2
    assert recorder.select_events(UUID(case_id)) == []  # no snapshot: loads from events
    assert narratives(served, case_id) == ["快照失败 snapshot failed"]
