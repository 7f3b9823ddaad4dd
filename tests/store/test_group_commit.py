"""Concurrent writers share commits; each returns only once its own write is
committed, and a failed commit reaches every writer in its batch."""

import threading
from collections.abc import Sequence

import pytest

from casework.store.group_commit import GroupCommit


def test_sixteen_writers_share_commits_and_each_write_is_committed_once() -> None:
    committed: list[int] = []
    batches: list[int] = []
    slow = threading.Event()

    def commit(writes: Sequence[int]) -> None:
        slow.wait(0.005)  # a commit takes a while, so writers pile up behind it
        batches.append(len(writes))
        committed.extend(writes)

    group = GroupCommit(commit)
    returned: list[int] = []

    def writer(n: int) -> None:
        group.write(n)
        assert n in committed  # durable before the writer goes on
        returned.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(committed) == list(range(16))
    assert sorted(returned) == list(range(16))
    assert len(batches) < 16


def test_a_failed_commit_fails_every_write_in_its_batch_and_the_next_one_goes_through() -> None:
    fail = True

    def commit(writes: Sequence[str]) -> None:
        if fail:
            raise OSError("disk full")

    group = GroupCommit(commit)
    with pytest.raises(OSError, match="disk full"):
        group.write("first")
    fail = False
    group.write("second")  # the group is usable again after a failure


def test_a_writer_with_several_writes_has_them_all_committed_together() -> None:
    batches: list[list[str]] = []
    group = GroupCommit(lambda writes: batches.append(list(writes)))

    group.write("case 1 listed", "case 2 listed", "case 3 listed")

    assert batches == [["case 1 listed", "case 2 listed", "case 3 listed"]]
