"""Several processes on one SQLite store (server workers, the views process, a command
beside them) share out the views and the checkpoint signer as PostgreSQL's advisory
locks do (ADR 0065): each key is led by one of them, and when that one goes another
takes over."""

import subprocess
import sys

from casework.application import Casework
from casework.projections.machinery.leadership import FileLocks, leadership_for
from casework.settings import Settings
from casework.store.master_key import MasterKey

# Another process leading a key until it is killed.
LEADER = """
import sys, time
from pathlib import Path
from casework.projections.machinery.leadership import FileLocks
locks = FileLocks(Path(sys.argv[1]))
print("leading" if locks.try_lead(sys.argv[2]) else "refused", flush=True)
time.sleep(60)
"""


def test_one_of_two_leads_a_key_and_the_other_takes_over_when_it_closes(app: Casework) -> None:
    first, second = leadership_for(app.database, ""), leadership_for(app.database, "")
    assert isinstance(first, FileLocks)
    try:
        assert first.try_lead("case_index:1")
        assert first.try_lead("case_index:1")  # asked again: still its own
        assert not second.try_lead("case_index:1")
        assert second.try_lead("caseload:1")  # another key is free to lead
        first.close()
        assert second.try_lead("case_index:1")
    finally:
        first.close()
        second.close()


def test_a_key_led_by_a_killed_process_is_free_to_lead(
    sqlite_settings: Settings, master_key: MasterKey
) -> None:
    app = Casework(sqlite_settings, master_key)
    assert app.database.sqlite_path is not None
    leader = subprocess.Popen(  # noqa: S603 (this interpreter, our script)
        [sys.executable, "-c", LEADER, str(app.database.sqlite_path), "ledger-checkpoints"],
        stdout=subprocess.PIPE,
        text=True,
    )
    here = leadership_for(app.database, "casework_checkpoints")
    try:
        assert leader.stdout is not None and leader.stdout.readline() == "leading\n"
        assert not here.try_lead("ledger-checkpoints")
        leader.kill()
        leader.wait(timeout=10)
        assert here.try_lead("ledger-checkpoints")
    finally:
        leader.kill()
        here.close()
        app.close()
