"""Which stored events belong to a case: every event sealed under the case's data key
(the case itself and every record filed in it), found from the envelopes' clear headers
without opening any of them."""

from collections.abc import Iterator
from uuid import UUID

from casework.store.key_table import KeyTable
from casework.store.ledger import Ledger, LogRow


def case_rows(ledger: Ledger, key_table: KeyTable, case_id: UUID) -> Iterator[LogRow]:
    """The case's stored events in log order (none if the case never had a key)."""
    key = key_table.by_scope(case_id)
    if key is None:
        return
    for row in ledger.rows():
        # The envelope's clear header: format byte, then the data key id (envelope.py).
        if row.state[1:17] == key.key_id.bytes:
            yield row


def case_record_ids(ledger: Ledger, key_table: KeyTable, case_id: UUID) -> set[UUID]:
    return {row.originator_id for row in case_rows(ledger, key_table, case_id)}
