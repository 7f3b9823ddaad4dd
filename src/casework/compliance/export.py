"""Building an export bundle from the store: the case's events in log order, decrypted,
each with its inclusion proof into one signed checkpoint that covers them all."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.aggregates.base import Actor
from casework.compliance.bundle import Bundle, BundleEvent
from casework.store.ledger import Checkpoint, Ledger, LogRow
from casework.store.merkle import Tree


def build_bundle(
    case_id: UUID,
    ledger: Ledger,
    checkpoint: Checkpoint,
    rows: list[LogRow],
    unseal: Callable[[Any], bytes],
    by: Actor,
    key: Ed25519PrivateKey,
) -> Bundle:
    """`rows`: the case's events, all covered by `checkpoint`."""
    tree = Tree(ledger.leaf_hashes(checkpoint.tree_size))
    index_of = {
        leaf.notification_id: leaf.index
        for leaf in ledger.recorded_leaves()
        if leaf.index < checkpoint.tree_size
    }
    events = []
    for row in rows:
        index = index_of[row.notification_id]
        events.append(
            BundleEvent(
                leaf_index=index,
                notification_id=row.notification_id,
                originator_id=row.originator_id,
                originator_version=row.originator_version,
                topic=row.topic,
                sealed_state=row.state,
                inclusion_proof=[p.hex() for p in tree.inclusion_proof(index, tree.size)],
                content=msgspec.Raw(unseal(row)),
            )
        )
    bundle = Bundle(
        case_id=case_id,
        exported_at=datetime.now(UTC),
        exported_by=by.staff_id,
        exported_by_role=by.role.value,
        checkpoint=checkpoint,
        events=events,
    )
    bundle.attest(key)
    return bundle
