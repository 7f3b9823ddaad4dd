"""Store benchmark: casework's sealed store against the bare eventsourcing library.

The same workload on each store: N records x M events of ~300 bytes of text, one
save per record; then read every record back; then scan and decode the whole log.
Writes are measured again with several concurrent writers (threads, each saving its
share of the records; PostgreSQL only, as SQLite takes one writer at a time).

    (a) eventsourcing, no cipher          (default JSON transcoder)
    (b) eventsourcing, AESCipher          (one key for everything, no associated data)
    (c) casework                          (per-case keys, bound associated data, msgspec)
    (d) eventsourcing_sqlalchemy, no cipher (only with --with-sqlalchemy; see ADR 0001)

Run:  python -m benchmarks.bench_store [--records 2000] [--events 10] [--rounds 3]
                                       [--backends sqlite,postgres] [--writers 1,4]
Target: (c) >= 1.0x (b) for writes and reads on both backends; on PostgreSQL for writes
at 1 and at 4 concurrent writers, in the same run (issue 15).
"""

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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


def save_all(app: Any, dossiers: list[Dossier], writers: int) -> None:
    """One save per record, by `writers` threads at once (each its own share)."""
    if writers == 1:
        for d in dossiers:
            app.save(d)
        return
    with ThreadPoolExecutor(writers) as pool:
        shares = [dossiers[w::writers] for w in range(writers)]
        for done in pool.map(lambda share: [app.save(d) for d in share], shares):
            assert len(done) > 0


def run_workload(
    app: Any, records: int, events: int, writers: tuple[int, ...] = (1,)
) -> dict[str, float]:
    """Events/s: `write` (one writer), `write xN` for each further number of writers
    (fresh records), `read` and `scan` (every record written)."""
    batches = {n: [fill(make_dossier(), events) for _ in range(records)] for n in writers}
    dossiers = batches[1]
    ids = [d.id for d in dossiers]
    total = records * events * len(writers)

    def write() -> None:
        save_all(app, dossiers, 1)

    def read() -> None:
        for i in ids:
            assert app.repository.get(i).notes == events - 1

    def concurrent_write(n: int) -> Callable[[], None]:
        return lambda: save_all(app, batches[n], n)

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

    measured = {"write": measure("write", records * events, write)}
    for n in writers[1:]:
        measured[f"write x{n}"] = measure(f"write x{n}", records * events, concurrent_write(n))
    measured["read"] = measure("read", records * events, read)
    measured["scan"] = measure("scan", total, scan)
    return measured


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
    parser.add_argument(
        "--writers", default="1,4", help="concurrent writers to measure (PostgreSQL)"
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
        writers = (1,) if backend == "sqlite" else tuple(int(w) for w in args.writers.split(","))
        # A shared 2-core machine drifts: rotate the order and keep each store's best;
        # the ratios of each round (stores measured one after another) are kept too.
        results: dict[str, dict[str, float]] = {v: {} for v in variants}
        rounds: list[dict[str, dict[str, float]]] = []
        order = list(variants)
        for round_ in range(args.rounds):
            rounds.append({})
            with tempfile.TemporaryDirectory() as tmp:
                for variant in order[round_ % len(order) :] + order[: round_ % len(order)]:
                    with store(variant, backend, Path(tmp)) as app:
                        measured = run_workload(app, args.records, args.events, writers)
                    rounds[-1][variant] = measured
                    for k, v in measured.items():
                        results[variant][k] = max(v, results[variant].get(k, 0.0))
        columns = list(results["casework"])
        print(f"== {backend} (best of {args.rounds})")
        print(f"{'store':<24}" + "".join(f"{k + ' ev/s':>14}" for k in columns))
        for variant, label in variants.items():
            r = results[variant]
            print(f"{label:<24}" + "".join(f"{r[k]:>14,.0f}" for k in columns))
        c, a, b = results["casework"], results["plain"], results["aes"]
        for name, base in (("(a)", a), ("(b)", b)):
            ratios = "  ".join(f"{k} {c[k] / base[k]:.2f}x" for k in columns)
            print(f"casework / {name}: {ratios}")
        writes = [k for k in columns if k.startswith("write")]
        for k in writes:
            each = [r["casework"][k] / r["aes"][k] for r in rounds]
            print(
                f"{k}: (c) / (b) round by round {' '.join(f'{x:.2f}' for x in each)}, "
                f"median {statistics.median(each):.2f}x"
            )
        judged = [*writes, "read"]
        verdict = all(c[k] >= b[k] for k in judged)
        print(
            f"target (c) >= 1.0x (b) for {', '.join(judged)}: {'met' if verdict else 'NOT met'}\n"
        )


if __name__ == "__main__":
    main()
