"""`verify` reads the log and the recorded leaves a page at a time, side by side, and
keeps only a frontier of the tree. Here the pages are tiny (three events of the log, one
or two recorded leaves), so the attacks of test_tamper and test_rollback fall in a later
page than the first, the store and the ledger part ways mid-stream or one of them ends
pages before the other: each attack is still named exactly as with one page."""

from collections.abc import Iterator

import pytest

from casework.store import ledger
from casework.store.ledger import Ledger
from tests.compliance.test_rollback import (  # noqa: F401 - collected again, in small pages
    test_a_checkpoint_rolled_back_is_named,
    test_a_tail_cut_with_its_checkpoints_deleted_is_named,
    test_events_deleted_from_the_middle_with_every_ledger_row_deleted_are_named,
    test_events_left_uncovered_beyond_the_window_are_named,
)
from tests.compliance.test_tamper import *  # noqa: F403 - every attack, again in small pages


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    read_leaves = Ledger.leaf_hash_batches

    def in_twos(self: Ledger) -> Iterator[list[bytes]]:
        for page in read_leaves(self):
            yield from (page[i : i + 2] for i in range(0, len(page), 2))

    monkeypatch.setattr(ledger, "_BATCH", 3)
    monkeypatch.setattr(ledger, "_LEAF_BATCH", 3)
    monkeypatch.setattr(Ledger, "leaf_hash_batches", in_twos)
