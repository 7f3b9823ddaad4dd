"""Store benchmark: casework's sealed store against the bare eventsourcing library.

The same workload on each store: N records x M events of ~300 bytes of text, one
save per record; then read every record back; then scan and decode the whole log.

    (a) eventsourcing, no cipher          (default JSON transcoder)
    (b) eventsourcing, AESCipher          (one key for everything, no associated data)
    (c) casework                          (per-case keys, bound associated data, msgspec)
    (d) eventsourcing_sqlalchemy, no cipher (only with --with-sqlalchemy; see ADR 0001)

Run:  python -m benchmarks.bench_store [--records 2000] [--events 10] [--rounds 3]
                                       [--backends sqlite,postgres]
Target: (c) >= 1.0x (b) for writes and reads on both backends.
"""

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder, Transcoding

from casework.aggregates.base import Actor, Record, Role
from casework.application import Casework
from casework.settings import Settings
from casework.store.master_key import MasterKey

POSTGRES_URL = os.environ.get(
    "CASEWORK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TEXT = ("家访记录 home visit: the family discussed the school situation and the rent. " * 4)[:300]
ACTOR = Actor(uuid.uuid4(), Role.CASEWORKER)


class Dossier(Record):
    """A stand-in case: opened, then notes. Identical for all three stores."""

    notes: int

    class Opened(Record.Created):
        title: str

    class NoteAdded(Record.Event):
        text: str

        def apply(self, dossier: "Dossier") -> None:
            dossier.notes += 1

    def __init__(self, title: str) -> None:
        self.notes = 0

    def case_id_for_keys(self) -> uuid.UUID:
        return self.id


class RoleAsText(Transcoding):
    type = Role
    name = "role"

    def encode(self, obj: Role) -> str:
        return obj.value

    def decode(self, data: str) -> Role:
        return Role(data)


class LibraryApp(Application[uuid.UUID]):
    name = "bench"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(RoleAsText())


def make_dossier() -> Dossier:
    now = datetime.now(tz=UTC)
    dossier = Dossier._create(
        Dossier.Opened, actor_id=ACTOR.staff_id, actor_role=ACTOR.role, occurred_at=now, title="t"
    )
    return dossier


def fill(dossier: Dossier, events: int) -> Dossier:
    for _ in range(events - 1):
        dossier.record(Dossier.NoteAdded, ACTOR, None, text=TEXT)
    return dossier


def measure(label: str, count: int, work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    return count / elapsed


def run_workload(app: Any, records: int, events: int) -> dict[str, float]:
    dossiers = [fill(make_dossier(), events) for _ in range(records)]
    ids = [d.id for d in dossiers]
    total = records * events

    def write() -> None:
        for d in dossiers:
            app.save(d)

    def read() -> None:
        for i in ids:
            assert app.repository.get(i).notes == events - 1

    def scan() -> None:
        position, seen = 0, 0
        while True:
            batch = app.recorder.select_notifications(
                start=position, limit=500, inclusive_of_start=False
            )
            if not batch:
                break
            for n in batch:
                app.mapper.to_domain_event(n)
            seen += len(batch)
            position = batch[-1].id
        assert seen == total, seen

    return {
        "write": measure("write", total, write),
        "read": measure("read", total, read),
        "scan": measure("scan", total, scan),
    }


@contextmanager
def postgres_schema() -> Iterator[str]:
    schema = f"cw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def library_env(backend: str, where: str, cipher: bool, sqlalchemy: bool) -> dict[str, str]:
    if sqlalchemy:
        url = (
            f"sqlite:///{where}"
            if backend == "sqlite"
            else f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{where}"
        )
        return {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url}
    if backend == "sqlite":
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": where}
    else:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": "test",
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": "5432",
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": where,
        }
    if cipher:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = AESCipher.create_key(32)
    return env


@contextmanager
def store(variant: str, backend: str, tmp: Path) -> Iterator[Any]:
    if backend == "sqlite":
        where_cm: Any = contextmanager(lambda: (yield str(tmp / f"{variant}.db")))()
    else:
        where_cm = postgres_schema()
    with where_cm as where:
        if variant == "casework":
            url = f"sqlite:///{where}" if backend == "sqlite" else f"{POSTGRES_URL}?schema={where}"
            settings = Settings.from_env(
                {"CASEWORK_DATA_DIR": str(tmp), "CASEWORK_DATABASE_URL": url}
            )
            app: Any = Casework(settings, MasterKey.generate())
        else:
            env = library_env(
                backend, where, cipher=variant == "aes", sqlalchemy=variant == "sqlalchemy"
            )
            app = LibraryApp(env=env)
        try:
            yield app
        finally:
            app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--with-sqlalchemy", action="store_true")
    parser.add_argument(
        "--rounds", type=int, default=3, help="best of N rounds, stores in rotating order"
    )
    args = parser.parse_args()

    variants = {
        "plain": "(a) eventsourcing",
        "aes": "(b) eventsourcing+AES",
        "casework": "(c) casework",
    }
    if args.with_sqlalchemy:
        variants["sqlalchemy"] = "(d) es_sqlalchemy"
    print(
        f"{args.records} records x {args.events} events of ~{len(TEXT.encode())} bytes, "
        "one save per record\n"
    )
    for backend in args.backends.split(","):
        # A shared 2-core machine drifts: rotate the order and keep each store's best.
        results: dict[str, dict[str, float]] = {v: {} for v in variants}
        order = list(variants)
        for round_ in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                for variant in order[round_ % len(order) :] + order[: round_ % len(order)]:
                    with store(variant, backend, Path(tmp)) as app:
                        measured = run_workload(app, args.records, args.events)
                    for k, v in measured.items():
                        results[variant][k] = max(v, results[variant].get(k, 0.0))
        print(f"== {backend} (best of {args.rounds})")
        print(f"{'store':<24}{'write ev/s':>12}{'read ev/s':>12}{'scan ev/s':>12}")
        for variant, label in variants.items():
            r = results[variant]
            print(f"{label:<24}{r['write']:>12,.0f}{r['read']:>12,.0f}{r['scan']:>12,.0f}")
        c, a, b = results["casework"], results["plain"], results["aes"]
        for name, base in (("(a)", a), ("(b)", b)):
            ratios = "  ".join(f"{k} {c[k] / base[k]:.2f}x" for k in ("write", "read", "scan"))
            print(f"casework / {name}: {ratios}")
        verdict = all(c[k] >= b[k] for k in ("write", "read"))
        print(f"target (c) >= 1.0x (b) for write and read: {'met' if verdict else 'NOT met'}\n")


if __name__ == "__main__":
    main()
