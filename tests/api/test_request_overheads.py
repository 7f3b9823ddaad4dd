"""What every request pays beside its own work, kept from creeping back: its
dependencies resolved one after the other, never in a task group
(`api.dependencies`), its reads of the session and of the records it keeps made as
single statements, never in a read-only transaction (`casework.store.sql`), and its
reader's staff record checked with the session, not asked of apart."""

from collections.abc import Callable
from typing import Any

import pytest
from litestar._kwargs import kwargs_model

from tests.api.conftest import Served
from tests.api.test_case_story import intake, note


def counted(calls: list[Any], real: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    return call


def test_a_read_and_a_write_resolve_their_dependencies_without_a_task_group(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, worker = served.client, served.token("chen.jing")
    groups: list[Any] = []
    monkeypatch.setattr(
        kwargs_model, "create_task_group", counted(groups, kwargs_model.create_task_group)
    )

    opened = client.post("/api/v1/cases", json=intake(served), headers=worker)
    case_id = opened.json()["record_id"]
    read = client.get(f"/api/v1/cases/{case_id}", headers=worker)
    path = f"/api/v1/cases/{case_id}/notes"
    missing = client.post(path, json=note(), headers=worker)
    written = client.post(path, json=note(), headers={**worker, "If-Match": read.headers["etag"]})

    assert [r.status_code for r in (opened, read, missing, written)] == [201, 200, 428, 201]
    assert groups == []


def test_a_case_read_opens_no_transaction_but_its_access_records(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, worker = served.client, served.token("chen.jing")
    case_id = client.post("/api/v1/cases", json=intake(served), headers=worker).json()["record_id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=worker).status_code == 200  # kept now
    datastore = served.casework.factory.datastore  # type: ignore[attr-defined]
    transactions: list[Any] = []
    monkeypatch.setattr(datastore, "transaction", counted(transactions, datastore.transaction))

    again = client.get(f"/api/v1/cases/{case_id}", headers=worker)

    assert again.status_code == 200 and again.json()["case_id"] == case_id
    # The session, the reader's staff record and the case each asked in one statement;
    # SQLite writes the access record in a transaction, PostgreSQL in one statement.
    sqlite = served.casework.database.backend == "sqlite"
    assert transactions == ([{"commit": True}] if sqlite else [])


def test_the_session_and_its_staff_records_last_version_are_one_statement(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request checks its session and that its reader still holds the role: the
    staff record's last version comes with the session row, so only the case's is
    asked for on its own (on PostgreSQL each is a round trip)."""
    client, worker = served.client, served.token("chen.jing")
    case_id = client.post("/api/v1/cases", json=intake(served), headers=worker).json()["record_id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=worker).status_code == 200  # kept now
    recorder = served.casework.recorder
    real, asked = recorder.latest_versions, []

    def latest_versions(ids: list[Any]) -> Any:
        asked.append([str(i) for i in ids])
        return real(ids)

    monkeypatch.setattr(recorder, "latest_versions", latest_versions)

    again = client.get(f"/api/v1/cases/{case_id}", headers=worker)

    assert again.status_code == 200
    assert asked == [[case_id]]
