"""Witnesses, process to process on loopback: `casework witness serve` runs as a
subprocess with its own database and key; a store's checkpoints get cosigned; a
rollback is refused with 409 and the witness's size; a store that shows two histories
to two witnesses (a fork of its database and key directory) is refused by the witness
that saw the other, and `verify` with a 2-of-2 policy names it; a history re-signed with
the stolen signing key is refused by the witness and named by `verify`; unknown
origins, untrusted keys and malformed requests get their status codes. The stores'
stories run on a real SQLite file and on a real PostgreSQL schema."""

import base64
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.aggregates.case import NoteKind
from casework.application import Casework
from casework.application.commands.cases import RecordNote
from casework.settings import Settings
from casework.store.ledger import Checkpoint, load_signing_key
from casework.store.master_key import MasterKey
from casework.store.merkle import EMPTY_ROOT
from casework.store.signed_note import raw_public_key, verifier_key
from casework.store.witness_client import post, request_body
from tests.builders.compliance_steps import (
    family_case,
    give_ledger_key,
    rewrite_history_and_its_ledger,
)
from tests.compliance.test_backup_restore import PG_DUMP
from tests.conftest import POSTGRES_URL

ORIGIN = "centre.example/north"
PSQL = str(Path(PG_DUMP).with_name("psql"))


@dataclass
class Witness:
    name: str
    url: str
    vkey: str
    db: Path
    process: subprocess.Popen[str]

    @property
    def entry(self) -> str:
        return f"{self.url} {self.vkey}"

    def add_log(self, origin: str, key: str) -> None:
        casework(
            "witness", "add-log", "--db", str(self.db), "--origin", origin, "--verifier-key", key
        )

    def logs(self) -> str:
        return casework("witness", "logs", "--db", str(self.db))

    def add_checkpoint(self, old: int, proof: list[bytes], note: str) -> tuple[int, str, str]:
        return post(self.url + "/add-checkpoint", request_body(old, proof, note))


def casework(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - this interpreter, casework's own command line
        [sys.executable, "-m", "casework", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_witness(where: Path, name: str) -> Witness:
    db, key = where / "witness.db", where / "witness.key"
    vkey = casework("witness", "init", "--db", str(db), "--key-file", str(key), "--name", name)
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, casework's own command
        [sys.executable, "-m", "casework", "witness", "serve", "--db", str(db), "--key-file",
         str(key), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "listening on" in first, process.stderr.read() if process.stderr else first
    return Witness(name, f"http://127.0.0.1:{port}", vkey.strip(), db, process)


@pytest.fixture
def witnesses(tmp_path: Path) -> Iterator[list[Witness]]:
    started: list[Witness] = []
    try:
        for n in (1, 2):
            (tmp_path / f"w{n}").mkdir()
            started.append(start_witness(tmp_path / f"w{n}", f"district.example/w{n}"))
        yield started
    finally:
        for witness in started:
            witness.process.terminate()
            witness.process.wait(10)
            for stream in (witness.process.stdout, witness.process.stderr):
                if stream is not None:
                    stream.close()


@dataclass(frozen=True)
class Place:
    """Where a store lives: its data directory (key directory and ledger state file
    inside; the SQLite file too) and, on PostgreSQL, the schema of its database."""

    data_dir: Path
    schema: str | None = None


def pg(*args: str, script: str | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - the PostgreSQL client tools, fixed arguments
        list(args), input=script, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def places(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Place]]:
    """The stores a story makes (append to it), on each backend in turn; PostgreSQL
    schemas are dropped afterwards."""
    made: list[Place] = []
    if request.param == "sqlite":
        made.append(Place(tmp_path / "store"))
    else:
        schema = f"cw_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        made.append(Place(tmp_path / "store", schema))
    try:
        yield made
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            for place in made:
                if place.schema:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{place.schema}" CASCADE')


def fork(places: list[Place], name: str) -> Place:
    """A copy of the first store as it stands: its data directory and its database (the
    SQLite file with it, or the PostgreSQL schema dumped and restored under a new name),
    the start of a second history that the same keys sign."""
    original = places[0]
    copy = Place(original.data_dir.parent / name)
    shutil.copytree(original.data_dir, copy.data_dir)
    if original.schema:
        copy = Place(copy.data_dir, f"cw_test_{uuid.uuid4().hex[:12]}")
        dump = pg(PG_DUMP, "--no-owner", "-n", original.schema, POSTGRES_URL)
        places.append(copy)
        pg(PSQL, "-v", "ON_ERROR_STOP=1", "-q", POSTGRES_URL,
           script=dump.replace(original.schema, copy.schema))  # fmt: skip
    return copy


def settings_for(place: Place, *witnesses: Witness, policy: int = 0) -> Settings:
    env = {
        "CASEWORK_DATA_DIR": str(place.data_dir),
        "CASEWORK_LEDGER_ORIGIN": ORIGIN,
        "CASEWORK_WITNESSES": ",".join(w.entry for w in witnesses),
        "CASEWORK_WITNESS_POLICY": str(policy),
    }
    if place.schema:
        env["CASEWORK_DATABASE_URL"] = f"{POSTGRES_URL}?schema={place.schema}"
    return Settings.from_env(env)


def store_verifier_key(app: Casework) -> str:
    key = load_signing_key(app.settings.signing_key_file)
    return verifier_key(ORIGIN, raw_public_key(key))


def witnessed_store(
    place: Place, master_key: MasterKey, witnesses: list[Witness]
) -> tuple[Casework, object, object]:
    app = Casework(settings_for(place, *witnesses, policy=len(witnesses)), master_key)
    give_ledger_key(app)
    for witness in witnesses:
        witness.add_log(ORIGIN, store_verifier_key(app))
    centre, case_id = family_case(app, notes=2)
    return app, centre, case_id


def note(app: Casework, centre: object, case_id: object, text: str) -> None:
    command = RecordNote(kind=NoteKind.PHONE, narrative=text, duration_minutes=5)
    app.record_note(centre.worker, case_id, command)  # type: ignore[arg-type, attr-defined]


def test_a_store_s_checkpoints_are_cosigned_by_its_witnesses(
    places: list[Place], master_key: MasterKey, witnesses: list[Witness]
) -> None:
    app, centre, case_id = witnessed_store(places[0], master_key, witnesses)
    try:
        first = app.checkpoint()
        assert first is not None and first.origin == ORIGIN
        assert set(app.cosignatures.lines(first.seq)) == {
            f"{w.name}+{w.vkey.split('+')[1]}" for w in witnesses
        }
        note(app, centre, case_id, "a call after the first checkpoint")
        second = app.checkpoint()  # submitted with a consistency proof from the first
        assert second is not None and second.tree_size > first.tree_size
        assert len(app.cosignatures.lines(second.seq)) == 2
        report = app.verify()
        assert report.ok, report.lines()
        assert any("cosigned by 2 of 2 witnesses" in n for n in report.notes), report.notes
        for witness in witnesses:
            assert f"{ORIGIN}  size {second.tree_size}" in witness.logs()
    finally:
        app.close()


def test_a_rollback_is_refused_with_409_and_the_witness_size(
    places: list[Place], master_key: MasterKey, witnesses: list[Witness]
) -> None:
    app, centre, case_id = witnessed_store(places[0], master_key, witnesses[:1])
    try:
        older = app.checkpoint()
        note(app, centre, case_id, "one more")
        newer = app.checkpoint()
        assert older is not None and newer is not None
        status, kind, body = witnesses[0].add_checkpoint(0, [], older.note())
        assert (status, kind, body) == (409, "text/x.tlog.size", f"{newer.tree_size}\n")
        # claiming the witness's own size as the old one: beyond the checkpoint's size
        status, _, _ = witnesses[0].add_checkpoint(newer.tree_size, [], older.note())
        assert status == 400
        assert f"size {newer.tree_size}" in witnesses[0].logs()
    finally:
        app.close()


def test_a_fork_shown_to_two_witnesses_is_refused_and_named(
    places: list[Place], master_key: MasterKey, witnesses: list[Witness]
) -> None:
    w1, w2 = witnesses
    store = places[0]
    app, centre, case_id = witnessed_store(store, master_key, witnesses)
    base = app.checkpoint()
    assert base is not None and len(app.cosignatures.lines(base.seq)) == 2
    app.close()
    copy = fork(places, "fork")  # the second history's start

    # The store shows one history to w1 only, its copy another history to w2 only.
    real = Casework(settings_for(store, w1, policy=1), master_key)
    fork_app = Casework(settings_for(copy, w2, policy=1), master_key)
    try:
        note(real, centre, case_id, "what really happened")
        note(fork_app, centre, case_id, "what the fork says happened")
        a, b = real.checkpoint(), fork_app.checkpoint()
        assert a is not None and b is not None
        assert (a.tree_size, a.origin) == (b.tree_size, b.origin) and a.root != b.root
        assert len(real.cosignatures.lines(a.seq)) == 1
        assert len(fork_app.cosignatures.lines(b.seq)) == 1

        # w1 saw the real history: the fork's checkpoint is refused (same size, other root)
        status, kind, body = w1.add_checkpoint(a.tree_size, [], b.note())
        assert (status, kind, body) == (409, "text/x.tlog.size", f"{a.tree_size}\n")
        # and from the base it is no extension of what w1 cosigned either
        status, _, body = w1.add_checkpoint(0, [], b.note())
        assert (status, body) == (409, f"{a.tree_size}\n")
    finally:
        real.close()
        fork_app.close()

    # With both witnesses and a 2-of-2 policy, each history is short of a cosignature.
    for where, refused_by in ((copy, w1.name), (store, w2.name)):
        both = Casework(settings_for(where, w1, w2, policy=2), master_key)
        try:
            both.checkpoint()  # asks the witness that has not cosigned: refused
            report = both.verify()
            assert "not_witnessed" in report.kinds(), report.lines()
            finding = next(f for f in report.findings if f.kind == "not_witnessed")
            assert refused_by in finding.message and "1 witnesses" in finding.message
        finally:
            both.close()


def test_a_history_re_signed_with_the_stolen_key_is_refused(
    places: list[Place], master_key: MasterKey, witnesses: list[Witness]
) -> None:
    w1 = witnesses[0]
    app, _, _ = witnessed_store(places[0], master_key, [w1])
    try:
        real = app.checkpoint()
        assert real is not None
        stolen = load_signing_key(app.settings.signing_key_file)
        rewritten = Checkpoint.sign(
            stolen, real.seq + 1, real.tree_size + 3, b"\x07" * 32, datetime.now(UTC),
            origin=ORIGIN,
        )  # fmt: skip
        # a proof invented for the rewritten tree does not verify from the real one
        status, _, _ = w1.add_checkpoint(
            real.tree_size, [b"\x01" * 32, b"\x02" * 32], rewritten.note()
        )
        assert status == 422
        # nor does re-signing the same size with another root get through
        same_size = Checkpoint.sign(
            stolen, real.seq + 1, real.tree_size, b"\x08" * 32, datetime.now(UTC), origin=ORIGIN
        )
        status, _, body = w1.add_checkpoint(real.tree_size, [], same_size.note())
        assert (status, body) == (409, f"{real.tree_size}\n")
        assert f"size {real.tree_size}" in w1.logs()
    finally:
        app.close()


def test_a_log_rewritten_and_re_signed_with_the_stolen_key_is_caught_by_the_witnesses(
    places: list[Place], master_key: MasterKey, witnesses: list[Witness]
) -> None:
    """The insider holds the database and the key directory: edits an event, deletes
    the ledger's rows and its state file and signs the rewritten log as a bootstrap.
    The store alone cannot tell; the witnesses, which cosigned the real history, refuse
    the new one, and `verify` names it."""
    app, _, _ = witnessed_store(places[0], master_key, witnesses)
    try:
        real = app.checkpoint()
        assert real is not None and len(app.cosignatures.lines(real.seq)) == 2
        rows = list(app.ledger.rows())
        rewrite_history_and_its_ledger(app, rows[len(rows) // 2])
        forged = app.checkpoint(bootstrap="rebuilt the ledger")  # submitted: refused
        assert forged is not None
        assert forged.tree_size == real.tree_size and forged.root != real.root
        for witness in witnesses:
            status, kind, body = witness.add_checkpoint(real.tree_size, [], forged.note())
            assert (status, kind, body) == (409, "text/x.tlog.size", f"{real.tree_size}\n")
            assert f"{ORIGIN}  size {real.tree_size}" in witness.logs()
        report = app.verify()
        assert report.kinds() == {"not_witnessed"}, report.lines()
        message = report.findings[0].message
        assert "from 0 witnesses (none)" in message
        assert all(w.name in message for w in witnesses)
    finally:
        app.close()


def test_unknown_origins_untrusted_keys_and_malformed_requests_are_refused(
    tmp_path: Path, witnesses: list[Witness]
) -> None:
    w1 = witnesses[0]
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    w1.add_log(ORIGIN, verifier_key(ORIGIN, raw_public_key(key)))
    now = datetime.now(UTC)
    good = Checkpoint.sign(key, 1, 0, EMPTY_ROOT, now, origin=ORIGIN)
    unknown = Checkpoint.sign(key, 1, 0, EMPTY_ROOT, now, origin="elsewhere.example/log")
    untrusted = Checkpoint.sign(other, 1, 0, EMPTY_ROOT, now, origin=ORIGIN)
    assert w1.add_checkpoint(0, [], unknown.note())[0] == 404
    assert w1.add_checkpoint(0, [], untrusted.note())[0] == 403
    assert post(w1.url + "/add-checkpoint", b"old 01\n\n" + good.note().encode())[0] == 400
    assert post(w1.url + "/add-checkpoint", b"old 0\n" + good.note().encode())[0] == 400
    assert (
        post(w1.url + "/add-checkpoint", b"old 0\nnot-base64\n\n" + good.note().encode())[0] == 400
    )
    altered = good.note().replace("\n0\n", "\n1\n")
    assert w1.add_checkpoint(0, [], altered)[0] == 403
    assert w1.add_checkpoint(0, [b"\x00" * 32], good.note())[0] == 422  # old 0: no proof
    status, kind, body = w1.add_checkpoint(0, [], good.note())
    assert (
        status == 200
        and kind.startswith("text/plain")
        and body.startswith("\u2014 district.example/w1 ")
    )
    raw = base64.b64decode(body.split(" ")[2])
    assert len(raw) == 4 + 8 + 64  # key id, timestamp, signature
    assert "size 0" in w1.logs()


def test_the_commands_of_the_operator_guide(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    witnesses: list[Witness],
) -> None:
    """`casework ledger verifier-key` at the store, `casework witness add-log` at the
    witness, then every checkpoint the store signs is cosigned, and verify checks it."""
    from casework.cli import main

    w1 = witnesses[0]
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "cli-store"))
    monkeypatch.setenv("CASEWORK_LEDGER_ORIGIN", ORIGIN)
    for name in ("CASEWORK_DATABASE_URL", "CASEWORK_KEY_DIR", "CASEWORK_SIGNING_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["keys", "init"]) == 0
    capsys.readouterr()
    assert main(["ledger", "verifier-key"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith(ORIGIN + "+")
    assert (tmp_path / "cli-store" / "keys" / "ledger-signing.vkey").read_text().strip() == printed
    w1.add_log(ORIGIN, printed)

    monkeypatch.setenv("CASEWORK_WITNESSES", w1.entry)
    monkeypatch.setenv("CASEWORK_WITNESS_POLICY", "1")
    assert main(["ledger", "checkpoint"]) == 0  # the latest is submitted: cosigned
    assert main(["verify"]) == 0
    assert "cosigned by 1 of 1 witnesses (district.example/w1)" in capsys.readouterr().out


def test_a_policy_no_witness_can_meet_is_named(tmp_path: Path, master_key: MasterKey) -> None:
    settings = dataclasses.replace(settings_for(Place(tmp_path / "alone")), witness_policy=1)
    app = Casework(settings, master_key)
    try:
        give_ledger_key(app)
        family_case(app, notes=1)
        assert app.checkpoint() is not None
        report = app.verify()
        assert report.kinds() == {"not_witnessed"}, report.lines()
        assert "fewer than the 1 the policy asks for" in report.findings[0].message
    finally:
        app.close()
