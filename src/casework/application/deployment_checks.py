"""Checks of a deployment, for `casework doctor`: is the store there, are its keys the
ones it was sealed and signed with, are the views keeping up, are checkpoints being
signed, can the witnesses be reached, is the clock right. Each check is one `Finding`
(OK, WARN or FAILED) saying what was found and, unless OK, the fix.

Nothing here reads case content: positions, counts, key fingerprints, file modes and
times only. The store is opened as every command opens it, the views as `casework
projections status` reads them (a view the store lacks is started, none caught up).
"""

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from casework.application import Casework
from casework.settings import Settings
from casework.store.database import Database
from casework.store.errors import StoreError
from casework.store.file_modes import signing_key_placement_warnings
from casework.store.ledger import Checkpoint, fingerprint, load_public_key, load_signing_key
from casework.store.opening import master_key_at_hand
from casework.store.replica import replica_of
from casework.store.witness_client import parse_witnesses

# Events left uncovered longer than this: the server signs every minute, the CLI as a
# writing command exits, so a day means nobody is signing.
CHECKPOINT_STALE = timedelta(hours=1)
CHECKPOINT_FAILED = timedelta(days=1)
# A database server's clock this far from ours: times recorded by the two disagree.
CLOCK_WARN = timedelta(seconds=5)
CLOCK_FAILED = timedelta(minutes=5)
WITNESS_TIMEOUT_SECONDS = 5.0


class Outcome(StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Finding:
    check: str
    outcome: Outcome
    said: str
    fix: str = ""


def ok(check: str, said: str) -> Finding:
    return Finding(check, Outcome.OK, said)


def check_deployment(
    settings: Settings, now: Callable[[], datetime] | None = None
) -> list[Finding]:
    """Every check, in the order an operator fixes things: a store that cannot be
    opened stops the checks that need it."""
    clock = now or (lambda: datetime.now(tz=UTC))
    database = Database.from_url(settings.database_url)
    try:
        database.check_store()
    except StoreError as error:
        # The message names the fix; the other checks need the store.
        return [Finding("store", Outcome.FAILED, str(error))]
    found = [ok("store", f"reachable: {database.describe()}")]
    found += list(_master_key(settings, database))
    if any(f.outcome is Outcome.FAILED for f in found):
        return found
    app = Casework(settings)
    try:
        latest = app.latest_checkpoint()
        found += list(_signing_key(settings, database, latest))
        found.append(_views(app))
        found += list(_replica(app))
        found.append(_checkpoints(app, latest, clock()))
        found += list(_witnesses(settings))
        found.append(_clock(app, latest, clock()))
    finally:
        app.close()
    return found


def _master_key(settings: Settings, database: Database) -> Iterator[Finding]:
    if not master_key_at_hand(settings):
        yield Finding(
            "master key",
            Outcome.FAILED,
            f"none: {settings.master_key_file} does not exist and CASEWORK_MASTER_KEY is unset",
            "restore the key the store was sealed under from its backup (casework keys init "
            "only for a new, empty store)",
        )
        return
    try:
        key = settings.load_master_key()
    except StoreError as error:
        yield Finding("master key", Outcome.FAILED, str(error), "see above")
        return
    sealed = database.sealed_fingerprints()
    if sealed and key.fingerprint not in sealed:
        yield Finding(
            "master key",
            Outcome.FAILED,
            f"fingerprint {key.fingerprint}, but the store is sealed under "
            f"{', '.join(sorted(sealed))}",
            "put the key the store was sealed under in place (its backup)",
        )
    elif len(sealed) > 1:
        yield Finding(
            "master key",
            Outcome.WARN,
            f"fingerprint {key.fingerprint}; data keys are still wrapped under "
            f"{len(sealed)} master keys",
            "finish the rotation: casework keys rotate-master",
        )
    else:
        yield ok("master key", f"present, fingerprint {key.fingerprint}, matches the store")


def _signing_key(
    settings: Settings, database: Database, latest: Checkpoint | None
) -> Iterator[Finding]:
    path = settings.signing_key_file
    try:
        key = load_signing_key(path)  # refuses a key others can read
        public = load_public_key(settings.verify_key_file)
    except StoreError as error:
        yield Finding("signing key", Outcome.FAILED, str(error), "see above")
        return
    own = key.public_key().public_bytes_raw()
    if own != public:
        yield Finding(
            "signing key",
            Outcome.FAILED,
            f"{path} does not match its public key {settings.verify_key_file}",
            "put back the pair that belong together (the .pub from the same casework keys init)",
        )
        return
    if latest is not None and latest.key_fingerprint != fingerprint(own):
        yield Finding(
            "signing key",
            Outcome.FAILED,
            f"key {fingerprint(own)}, but the latest checkpoint is signed by "
            f"{latest.key_fingerprint}",
            "restore the signing key the ledger was signed with (docs/ledger.md)",
        )
        return
    yield ok("signing key", f"{path} mode 0600, key {fingerprint(own)}")
    for warning in signing_key_placement_warnings(path, database.sqlite_path):
        said, _, fix = warning.removeprefix("warning: ").partition(". ")
        yield Finding("signing key placement", Outcome.WARN, said, fix[:1].lower() + fix[1:])


def _views(app: Casework) -> Finding:
    """The views' own health, as `casework projections status` shows it."""
    # Imported here: the projections import the application package.
    from casework.projections import Projections

    projections = Projections(app)
    try:
        status = projections.status()
    finally:
        projections.close()
    lag = max((s.lag for s in status), default=0)
    said = f"{len(status)} serving, lag {lag} events"
    failing = [s for s in status if s.health.startswith("failing")]
    if failing:
        return Finding(
            "views",
            Outcome.FAILED,
            "; ".join(f"{s.name} gen {s.generation}: {s.health}" for s in failing),
            "fix the cause, then casework projections rebuild <view>",
        )
    unwell: dict[str, list[str]] = {}
    for s in status:
        if s.health not in ("current", "catching up"):
            unwell.setdefault(s.health, []).append(s.name)
    if unwell:
        return Finding(
            "views",
            Outcome.WARN,
            f"{said}; " + "; ".join(f"{h}: {', '.join(names)}" for h, names in unwell.items()),
            "start a runner (casework projections run, or casework serve); rebuild an "
            "outdated view (casework projections rebuild <view>)",
        )
    generations = sorted({s.generation for s in status})
    return ok("views", f"{said}, generation {', '.join(map(str, generations))}")


def _replica(app: Casework) -> Iterator[Finding]:
    """The standby the views are read from, when one is configured: reachable, in
    recovery, replaying, and how far its views are behind the primary's."""
    from casework.projections.machinery.engine import read_table_engine
    from casework.projections.machinery.generations import SERVING, view_generations

    try:
        replica = replica_of(app.settings, app.database)
    except StoreError as error:
        yield Finding("read replica", Outcome.FAILED, str(error), "correct it or unset it")
        return
    if replica is None:
        return
    g = view_generations.c
    positions = select(func.coalesce(func.min(g.position), 0)).where(g.status == SERVING)
    primary, standby = read_table_engine(app.database), read_table_engine(replica)
    try:
        with primary.connect() as here, standby.connect() as there:
            recovering, paused, replayed = there.execute(
                text(
                    "SELECT pg_is_in_recovery(), pg_is_in_recovery() AND "
                    "pg_is_wal_replay_paused(), pg_last_wal_replay_lsn()::text"
                )
            ).one()
            views_there, views_here = there.scalar(positions), here.scalar(positions)
            behind = here.scalar(
                text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(:lsn AS pg_lsn))"),
                {"lsn": replayed or "0/0"},
            )
    except SQLAlchemyError as error:
        yield Finding(
            "read replica",
            Outcome.FAILED,
            f"{replica.describe()} cannot be read: {str(error.orig or error).splitlines()[0]}",
            "start the standby, or unset CASEWORK_READ_REPLICA_URL (the views are then "
            "read from the primary)",
        )
        return
    finally:
        primary.dispose()
        standby.dispose()
    said = (
        f"{replica.describe()}: views at position {views_there} (primary {views_here}), "
        f"{int(behind):,} bytes of WAL to replay"
    )
    if not recovering:
        yield Finding(
            "read replica", Outcome.WARN, f"{said}; not a standby", "name a streaming standby"
        )
    elif paused:
        yield Finding(
            "read replica",
            Outcome.WARN,
            f"{said}; replay is paused: reads that need a newer position wait, then fail",
            "SELECT pg_wal_replay_resume() on the standby",
        )
    else:
        yield ok("read replica", said)


def _checkpoints(app: Casework, latest: Checkpoint | None, now: datetime) -> Finding:
    head = app.last_position()
    if latest is None:
        if head == 0:
            return ok("checkpoints", "no events yet, nothing to sign")
        return Finding(
            "checkpoints",
            Outcome.FAILED,
            f"{head} events and no signed checkpoint",
            "casework ledger checkpoint (the server signs one every minute)",
        )
    age = now - latest.signed_at
    uncovered = max(head - latest.tree_size, 0)
    said = f"latest {latest.describe()}, {_age(age)} old; {uncovered} events after it"
    if uncovered == 0 or age <= CHECKPOINT_STALE:
        return ok("checkpoints", said)
    outcome = Outcome.FAILED if age > CHECKPOINT_FAILED else Outcome.WARN
    return Finding(
        "checkpoints",
        outcome,
        said,
        "casework ledger checkpoint; keep casework serve running (it signs every minute)",
    )


def _witnesses(settings: Settings) -> Iterator[Finding]:
    try:
        witnesses = parse_witnesses(settings.witnesses)
    except StoreError as error:
        yield Finding("witnesses", Outcome.FAILED, str(error), "correct CASEWORK_WITNESSES")
        return
    if not witnesses:
        yield ok("witnesses", "none configured (CASEWORK_WITNESSES)")
        return
    reached = 0
    for witness in witnesses:
        problem = _unreachable(witness.url)
        if problem is None:
            reached += 1
            yield ok(f"witness {witness.verifier.name}", f"{witness.url} answers")
            continue
        needed = settings.witness_policy > len(witnesses) - 1
        yield Finding(
            f"witness {witness.verifier.name}",
            Outcome.FAILED if needed else Outcome.WARN,
            f"{witness.url}: {problem}",
            "check the witness is running and the address in CASEWORK_WITNESSES",
        )
    if reached < settings.witness_policy:
        yield Finding(
            "witness policy",
            Outcome.FAILED,
            f"{reached} of {len(witnesses)} witnesses reachable, policy needs "
            f"{settings.witness_policy}",
            "bring the witnesses back, or lower CASEWORK_WITNESS_POLICY",
        )


def _unreachable(url: str) -> str | None:
    """None when the witness answers at all (any HTTP status), else why not."""
    try:
        with urllib.request.urlopen(url, timeout=WITNESS_TIMEOUT_SECONDS):  # noqa: S310 - configured
            return None
    except urllib.error.HTTPError:
        return None
    except OSError as error:  # URLError and timeouts are OSErrors
        return str(getattr(error, "reason", error))


def _clock(app: Casework, latest: Checkpoint | None, now: datetime) -> Finding:
    if latest is not None and latest.signed_at - now > CLOCK_FAILED:
        return Finding(
            "clock",
            Outcome.FAILED,
            f"this machine's clock ({now:%Y-%m-%d %H:%M:%S} UTC) is behind the latest "
            f"checkpoint ({latest.signed_at:%Y-%m-%d %H:%M:%S} UTC)",
            "set the clock right (NTP) before recording anything",
        )
    if not app.database.dialect.postgres:
        return ok("clock", f"{now:%Y-%m-%d %H:%M:%S} UTC, not behind the latest checkpoint")
    with app.factory.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT now() AS t")
        server = cursor.fetchone()["t"]
    skew = abs(server - now)
    said = f"{_age(skew)} apart from the database server's clock"
    if skew <= CLOCK_WARN:
        return ok("clock", said)
    return Finding(
        "clock",
        Outcome.FAILED if skew > CLOCK_FAILED else Outcome.WARN,
        said,
        "run NTP on this machine and on the database server",
    )


def _age(span: timedelta) -> str:
    seconds = int(abs(span.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
