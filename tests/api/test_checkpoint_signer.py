"""Every server worker runs a checkpoint signer, and one of them signs at a time: on
PostgreSQL by advisory lock, on SQLite, where several workers may share one store
file (ADR 0065), by an flock beside it."""

import time
from collections.abc import Callable
from typing import Any

from api.background import CheckpointSigner
from casework.aggregates.access_record import AccessAction
from casework.application import Casework
from casework.application.checkpoints import PendingCheckpoints
from casework.settings import Settings
from casework.store.master_key import MasterKey


def _tallied(app: Casework, tally: list[str], name: str) -> Callable[..., Any]:
    signs = app.checkpoint

    def checkpoint(*args: Any, **kwargs: Any) -> Any:
        tally.append(name)
        return signs(*args, **kwargs)

    return checkpoint


def test_of_two_workers_on_one_store_one_signs_the_checkpoints(
    settings: Settings, master_key: MasterKey
) -> None:
    workers = {name: Casework(settings, master_key) for name in ("first", "second")}
    signed: list[str] = []
    signers = []
    try:
        for name, app in workers.items():
            app.checkpoint = _tallied(app, signed, name)  # type: ignore[method-assign]
            signers.append(CheckpointSigner(app, PendingCheckpoints(), every=0.05))
        for signer in signers:
            signer.start()
        deadline = time.monotonic() + 10
        while len(signed) < 6 and time.monotonic() < deadline:
            workers["first"].record_access(None, AccessAction.SIGN_IN, subject="s", source="t")
            time.sleep(0.05)
    finally:
        for signer in signers:
            signer.close()
        for app in workers.values():
            app.close()
    assert len(signed) >= 6
    assert len(set(signed)) == 1, signed
