"""Records opened for reading, kept for the next reader (ADR 0062).

Every request opens the asker's staff record and the cases it shows; opening one means
decrypting, decoding and applying each of its events again. A shared record is opened
once and handed to every reader after that while nothing is stored on it: each read
first asks the store for an event after its version (one indexed query, whichever
process stored it), and if there is one the record is opened again and kept in its
place. So a reader never sees less than the store holds, and a kept record is never
changed, so readers on other threads may hold it.

What is shared is only looked at, never changed. A command on a case works on its own
copy of the kept one (`own_copy`), and once saved that copy is kept in its place
(`CaseworkCore.save`), so the next reader or writer does not open the case again. A
case's records go when its key is destroyed (the keyring tells, `Keyring.forgetting`),
and a reader meeting one whose key is gone is refused as the store would refuse it."""

import copy
import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID

# At most this many records stay decrypted in a process's memory for the next reader,
# the least recently read dropped first: about 1 KB an event held (the demo's cases, 10
# KB each with 11 events), so 1,000 cases of 50 events take some 50 MB.
SHARED_RECORDS = 1000


def own_copy(record: Any) -> Any:
    """A copy of a kept case that its events may change without touching the kept one:
    its lists, dicts and sets copied, what they hold shared. A case's events only add,
    replace or drop the items of its own containers, and every item is a frozen Struct
    (`casework.aggregates.case.values`): tests/service/test_shared_records.py checks
    the source of every case event and command, and replays the demo's cases on copies
    with the kept case unchanged by each event. A deep copy of a case of 600 notes took
    10 ms; this takes microseconds."""
    copied = copy.copy(record)
    for name, value in vars(record).items():
        if isinstance(value, list | dict | set):
            vars(copied)[name] = value.copy()
    return copied


class SharedRecords:
    """The records kept, least recently read first; a case's stay with its case id."""

    def __init__(self, size: int = SHARED_RECORDS) -> None:
        self.size = size
        self._records: OrderedDict[UUID, tuple[UUID | None, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def held(self, record_id: UUID) -> Any | None:
        with self._lock:
            held = self._records.get(record_id)
            if held is None:
                return None
            self._records.move_to_end(record_id)
            return held[1]

    def keep(self, record: Any) -> Any:
        with self._lock:
            held = self._records.get(record.id)
            # Two readers may bring one record up at once: the newer stays.
            if held is None or held[1].version <= record.version:
                self._records[record.id] = (record.case_id_for_keys(), record)
                self._records.move_to_end(record.id)
            while len(self._records) > self.size:
                self._records.popitem(last=False)
        return record

    def keep_saved(self, case: Any) -> None:
        """Keep a copy of a case just saved (its own, from `own_copy`) in the place of
        its older version, if one is kept: it is the case as stored now, and the writer
        may go on changing its own."""
        if case.id in self._records:
            self.keep(own_copy(case))

    def forget_case(self, case_id: UUID) -> None:
        """Drop every record of a case (its key was destroyed)."""
        with self._lock:
            for record_id in [i for i, (c, _) in self._records.items() if c == case_id]:
                del self._records[record_id]
