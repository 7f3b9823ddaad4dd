"""Checkpoint on exit: whoever owns a `PendingCheckpoints` (a CLI command, a server)
gets a signed checkpoint for every store it wrote to, and nothing is owed by stores
written without one."""

from pathlib import Path

from casework.application import Casework
from casework.application.checkpoints import PendingCheckpoints
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.compliance_steps import family_case, give_ledger_key


def test_each_store_written_gets_its_own_checkpoint_when_the_owner_signs(
    tmp_path: Path, master_key: MasterKey
) -> None:
    pending = PendingCheckpoints()
    stores = [Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / n)}) for n in "ab"]
    for settings in stores:
        app = Casework(settings, master_key, pending_checkpoints=pending)
        give_ledger_key(app)
        family_case(app, notes=1)
        app.close()
    assert pending.database_urls == [s.database_url for s in stores]

    assert pending.sign_all() == []
    assert pending.database_urls == []
    for settings in stores:
        app = Casework(settings, master_key)
        latest = app.latest_checkpoint()
        assert latest is not None and latest.tree_size == app.last_position()
        app.close()


def test_a_checkpoint_taken_meanwhile_settles_what_was_owed(
    app: Casework, master_key: MasterKey
) -> None:
    give_ledger_key(app)
    pending = PendingCheckpoints()
    writer = Casework(app.settings, master_key, pending_checkpoints=pending)
    family_case(writer, notes=1)
    assert pending.database_urls == [app.settings.database_url]
    writer.checkpoint()
    assert pending.database_urls == []
    writer.close()


def test_a_store_written_without_an_owner_owes_nothing(app: Casework) -> None:
    give_ledger_key(app)
    other = PendingCheckpoints()
    family_case(app, notes=1)
    assert app.pending_checkpoints is None and other.database_urls == []
    assert app.latest_checkpoint() is None


def test_a_store_that_cannot_sign_is_reported_not_raised(
    tmp_path: Path, master_key: MasterKey
) -> None:
    pending = PendingCheckpoints()
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path / "unsigned")})
    app = Casework(settings, master_key, pending_checkpoints=pending)
    family_case(app, notes=1)  # no signing key beside this store
    app.close()
    [warning] = pending.sign_all()
    assert "not covered by a checkpoint" in warning and "signing key" in warning
