"""A store written before `casework.aggregates.case` became a package still opens.

The fixture (tests/fixtures/store-before-layout.*, made by build_store_before_layout.py
against the old code) holds at least one event of every event class there was, and a
snapshot of each snapshotted aggregate. Every record in it must load with today's code,
and every event class must still be named by the topic it was stored under, so new
events join the same topics in the log (which `record_ids` queries).
"""

import json
import shutil
import sqlite3
from pathlib import Path
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic

from casework.aggregates.base import Actor, Record, Role
from casework.aggregates.case import Case
from casework.aggregates.erasure import CaseErasure
from casework.application import Casework
from casework.settings import Settings
from casework.store.errors import RecordErased
from casework.store.master_key import MasterKey
from tests.builders.centre import write_note

FIXTURES = Path(__file__).parent.parent / "fixtures"
TOPICS = json.loads((FIXTURES / "store-before-layout.topics.json").read_text())


def open_fixture(tmp_path: Path) -> tuple[Casework, sqlite3.Connection]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(FIXTURES / "store-before-layout.casework-store", data / "casework.db")
    key = json.loads((FIXTURES / "store-before-layout.master-key.json").read_text())
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(data)})
    app = Casework(settings, MasterKey.from_base64(key["master_key_base64"], "fixture"))
    return app, sqlite3.connect(data / "casework.db")


def _ids(db: sqlite3.Connection, query: str) -> list[UUID]:
    return [UUID(str(i)) for (i,) in db.execute(query)]


def test_every_old_topic_names_the_same_class_today() -> None:
    for topic in TOPICS["events"] + TOPICS["aggregates"]:
        cls = resolve_topic(topic)
        assert cls.__qualname__ == topic.partition(":")[2], topic
        assert get_topic(cls) == topic, f"{cls} is now stored under {get_topic(cls)}"


def test_every_record_of_the_old_store_loads(tmp_path: Path) -> None:
    app, db = open_fixture(tmp_path)
    try:
        stored = {t for (t,) in db.execute("SELECT DISTINCT topic FROM stored_events")}
        assert set(TOPICS["events"]) <= stored, "the fixture lacks an event class"
        ids = _ids(db, "SELECT DISTINCT originator_id FROM stored_events")
        erased_cases = {
            app.repository.get(i).case_id for i in app.record_ids(CaseErasure.CaseErased)
        }
        assert erased_cases, "the fixture holds an erased case"
        loaded: set[str] = set()
        erased_scopes: set[object] = set()
        for record_id in ids:
            try:
                record = app.repository.get(record_id)
            except RecordErased as error:  # sealed under the erased case's destroyed key
                erased_scopes.add(error.scope_id)
                continue
            assert isinstance(record, Record)
            loaded.add(type(record).__qualname__)
        assert erased_scopes == erased_cases
        assert loaded == {t.partition(":")[2] for t in TOPICS["aggregates"]}

        snapshot_ids = _ids(db, "SELECT originator_id FROM stored_snapshots")
        snapshotted = {type(app.repository.get(i)).__qualname__ for i in snapshot_ids}
        assert snapshotted == {"Case", "Staff", "SupervisionSchedule"}
        for snapshot_id in snapshot_ids:
            (snapshot,) = app.snapshots.get(snapshot_id, desc=True, limit=1)
            assert resolve_topic(snapshot.topic).__qualname__ in snapshotted
    finally:
        app.close()
        db.close()


def test_old_cases_are_listed_and_take_new_events(tmp_path: Path) -> None:
    app, db = open_fixture(tmp_path)
    try:
        opened = db.execute(
            "SELECT COUNT(*) FROM stored_events WHERE topic = ?", (get_topic(Case.Opened),)
        ).fetchone()[0]
        case_ids = app.case_ids()
        assert len(case_ids) == opened > 0
        snapshotted = next(
            i
            for i in _ids(db, "SELECT originator_id FROM stored_snapshots")
            if isinstance(app.repository.get(i), Case)
        )
        case = app.repository.get(snapshotted)
        before = len(case.notes)
        lead = Actor(case.lead_worker_id, Role.CASEWORKER)
        write_note(app, lead, snapshotted, "written by the new code")
        assert len(app.repository.get(snapshotted).notes) == before + 1
    finally:
        app.close()
        db.close()
