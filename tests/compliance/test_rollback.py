"""Someone with the database alone (not the key directory) rolls the log back and
removes the ledger rows that would tell: each attack, on a real SQLite file and a real
PostgreSQL schema, is named by `verify`, and the next checkpoint refuses to sign the
mutilated log. A log that already held events is only covered by an explicit bootstrap.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casework.application import Casework
from casework.cli import main
from casework.settings import Settings
from casework.store.ledger_state import Began, BootstrapRequired, LedgerRolledBack
from tests.builders.centre import write_note
from tests.builders.compliance_steps import (
    attacker,
    delete_events_from,
    family_case,
    give_ledger_key,
)
from tests.cli.steps import keys_initialised


def three_checkpoints(app: Casework) -> list[int]:
    """A family case checkpointed three times as notes arrive; the tree sizes."""
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=3)
    sizes = []
    for n in range(3):
        write_note(app, centre.worker, case_id, f"call {n}")
        checkpoint = app.checkpoint()
        assert checkpoint is not None
        sizes.append(checkpoint.tree_size)
    report = app.verify()
    assert report.ok, report.lines()
    return sizes


def test_a_tail_cut_with_its_checkpoints_deleted_is_named(store: Casework) -> None:
    sizes = three_checkpoints(store)
    keep = sizes[0]
    with attacker(store) as c:
        delete_events_from(store, c, keep + 1)
        c.execute(f"DELETE FROM {store.ledger.leaves_table} WHERE leaf_index >= {keep}")
        c.execute(f"DELETE FROM {store.ledger.checkpoints_table} WHERE seq > 1")
    report = store.verify()
    assert report.kinds() == {"checkpoints_rolled_back", "log_truncated"}, report.lines()
    rolled = next(f for f in report.findings if f.kind == "checkpoints_rolled_back")
    assert "remembers checkpoint 3" in rolled.message
    assert "its latest is checkpoint 1" in rolled.message
    truncated = next(f for f in report.findings if f.kind == "log_truncated")
    assert f"covers {sizes[2]} events; the store now holds only {keep}" in truncated.message
    with pytest.raises(LedgerRolledBack, match="rolled back"):
        store.checkpoint()


def test_events_deleted_from_the_middle_with_every_ledger_row_deleted_are_named(
    store: Casework,
) -> None:
    sizes = three_checkpoints(store)
    with attacker(store) as c:
        delete_events_from(store, c, 4, 6)
        c.execute(f"DELETE FROM {store.ledger.leaves_table}")
        c.execute(f"DELETE FROM {store.ledger.checkpoints_table}")
    report = store.verify()
    assert report.kinds() == {"checkpoints_rolled_back", "log_truncated"}, report.lines()
    assert any("it holds no checkpoint" in f.message for f in report.findings)
    # The next command that writes must not sign the mutilated log as checkpoint 1.
    with pytest.raises(LedgerRolledBack, match="holds no checkpoint at all"):
        store.checkpoint()
    assert store.latest_checkpoint() is None
    assert store.ledger_state.read().checkpoint.tree_size == sizes[2]  # type: ignore[union-attr]


def test_a_checkpoint_rolled_back_is_named(store: Casework) -> None:
    sizes = three_checkpoints(store)
    with attacker(store) as c:
        c.execute(f"DELETE FROM {store.ledger.leaves_table} WHERE leaf_index >= {sizes[1]}")
        c.execute(f"DELETE FROM {store.ledger.checkpoints_table} WHERE seq = 3")
    report = store.verify()
    assert report.kinds() == {"checkpoints_rolled_back"}, report.lines()
    assert "remembers checkpoint 3" in report.findings[0].message
    with pytest.raises(LedgerRolledBack):
        store.checkpoint()


def test_events_left_uncovered_beyond_the_window_are_named(store: Casework) -> None:
    give_ledger_key(store)
    family_case(store, notes=2)
    assert store.verify().ok  # just written: within the window
    later = datetime.now(UTC) + timedelta(minutes=30)
    report = store.verify(now=later)
    assert report.kinds() == {"uncovered_beyond_window"}
    assert "covered by no checkpoint, beyond the 5-minute window" in report.findings[0].message
    store.checkpoint()
    assert store.verify(now=later).ok


def test_a_first_checkpoint_over_an_existing_log_needs_an_explicit_bootstrap(
    store: Casework,
) -> None:
    give_ledger_key(store)
    family_case(store, notes=2)
    # The log's beginning was never recorded here (a key directory made afresh for a
    # store that already holds events, or a store from before state files).
    store.ledger_state.path.unlink()
    with pytest.raises(BootstrapRequired, match="must be an explicit bootstrap"):
        store.checkpoint()
    assert store.latest_checkpoint() is None
    events = store.last_position()
    checkpoint = store.checkpoint(bootstrap="ledger started after the migration, ticket 42")
    assert checkpoint is not None and checkpoint.tree_size == events
    state = store.ledger_state.read()
    assert state is not None and state.began is Began.BOOTSTRAP
    assert state.events_at_start == events
    report = store.verify()
    assert report.ok, report.lines()
    assert any(
        "explicit bootstrap on" in line and f"over {events} events already stored" in line
        for line in report.lines()
    )


def test_a_store_that_began_under_casework_needs_no_bootstrap(store: Casework) -> None:
    give_ledger_key(store)
    family_case(store, notes=1)
    state = store.ledger_state.read()
    assert state is not None and state.began is Began.GENESIS and state.checkpoint is None
    checkpoint = store.checkpoint()
    assert checkpoint is not None
    assert store.ledger_state.read().checkpoint == checkpoint  # type: ignore[union-attr]
    assert "began with the store's first event" in "\n".join(store.verify().lines())


def test_an_operator_bootstraps_an_existing_log_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_initialised(tmp_path, monkeypatch)
    app = Casework(Settings.from_env())
    family_case(app, notes=1)
    app.ledger_state.path.unlink()
    app.close()
    capsys.readouterr()

    assert main(["ledger", "checkpoint"]) == 2
    assert "must be an explicit bootstrap" in capsys.readouterr().err
    assert main(["ledger", "bootstrap", "--reason", "ledger introduced, ticket 42"]) == 0
    assert "as the ledger's bootstrap: ledger introduced, ticket 42" in capsys.readouterr().out
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "explicit bootstrap" in out and "ticket 42" in out
    assert "OK: nothing in the log was altered" in out
