"""Several server workers on one SQLite store take turns to write in the kernel's queue
(ADR 0065): a writer holds the store's turn for its whole transaction, a reader never
takes it, a writer in another process waits for it and goes on when it ends, and a
killed writer never leaves it held."""

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

from casework.aggregates.access_record import AccessAction
from casework.application import Casework
from casework.settings import Settings
from casework.store.master_key import MasterKey
from casework.store.writer_turns import writer_lock_path

# Another process holding a writer connection of the store's pool until told to let go.
HOLDER = """
import sys
from casework.store.writer_turns import WritersTakeTurns
pool = WritersTakeTurns(db_name=sys.argv[1])
connection = pool.get_connection(is_writer=True)
print("holding", flush=True)
sys.stdin.readline()
pool.put_connection(connection)
print("let go", flush=True)
"""


def _turn_is_free(path: Path) -> bool:
    lock = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(lock)  # and with it the lock, if it was taken
    return True


def _turn_of(app: Casework) -> Path:
    path = writer_lock_path(app.recorder.datastore.pool.db_name)  # type: ignore[attr-defined]
    assert path is not None and path.name == "casework.db.writer.lock"
    return path


def _holder(app: Casework) -> subprocess.Popen[str]:
    holder = subprocess.Popen(  # noqa: S603 (this interpreter, our script)
        [sys.executable, "-c", HOLDER, app.recorder.datastore.pool.db_name],  # type: ignore[attr-defined]
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    return holder


def test_a_writer_holds_the_turn_for_its_whole_transaction_and_a_reader_never_takes_it(
    app: Casework,
) -> None:
    turn = _turn_of(app)
    with app.recorder.datastore.transaction(commit=False):  # type: ignore[attr-defined]
        assert _turn_is_free(turn)
    with app.recorder.datastore.transaction(commit=True):  # type: ignore[attr-defined]
        assert not _turn_is_free(turn)
    assert _turn_is_free(turn)


def test_a_write_waits_for_another_processs_turn_and_lands_when_it_ends(app: Casework) -> None:
    before = app.last_position()
    holder = _holder(app)
    written = threading.Event()

    def write() -> None:
        app.record_access(None, AccessAction.SIGN_IN, subject="someone", source="test")
        written.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not written.wait(0.5)  # waiting for the other process's turn
        assert holder.stdin is not None
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout is not None and holder.stdout.readline() == "let go\n"
        assert written.wait(10)
    finally:
        writer.join(timeout=10)
        holder.wait(timeout=10)
    assert app.last_position() == before + 1


def test_a_killed_writer_leaves_the_turn_free(app: Casework) -> None:
    turn = _turn_of(app)
    holder = _holder(app)
    assert not _turn_is_free(turn)
    holder.kill()
    holder.wait(timeout=10)
    assert _turn_is_free(turn)


def test_writers_of_two_stores_on_one_file_take_turns_and_all_land(
    sqlite_settings: Settings, master_key: MasterKey
) -> None:
    """Two pools on one file exclude each other as two processes' do: 2 × 8 threads
    writing at once, none refused as locked, every record stored."""
    first, second = Casework(sqlite_settings, master_key), Casework(sqlite_settings, master_key)
    failures: list[BaseException] = []
    try:
        # The store as workers find it: its organisation's data key made already.
        first.record_access(None, AccessAction.SIGN_IN, subject="operator", source="t")
        before = first.last_position()

        def write(app: Casework) -> None:
            try:
                for n in range(25):
                    app.record_access(None, AccessAction.SIGN_IN, subject=f"u{n}", source="t")
            except BaseException as error:  # reported by the test, not lost in a thread
                failures.append(error)

        threads = [threading.Thread(target=write, args=(a,)) for a in (first, second) * 8]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [repr(f.__cause__ or f) for f in failures] == []
        assert first.last_position() == before + 2 * 8 * 25
    finally:
        first.close()
        second.close()


def test_an_in_memory_store_has_no_turn_file() -> None:
    assert writer_lock_path("file::memory:?cache=shared") is None
    assert writer_lock_path("/srv/casework/casework.db") == Path(
        "/srv/casework/casework.db.writer.lock"
    )
