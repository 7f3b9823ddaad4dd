"""The export bundle verifier, fuzzed: random bytes and damaged copies of a real bundle
(bytes flipped, cut or inserted; fields replaced; fields swapped between events;
events dropped, repeated or reordered) always come back as a `BundleReport`, never an
exception, and the report says OK only for a bundle whose attested content is the
exported one."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given
from hypothesis import strategies as st

from casework.compliance.bundle import Bundle, BundleEvent, BundleReport, verify_bundle
from casework.store.ledger import Checkpoint, leaf_data
from casework.store.merkle import Tree, leaf_hash
from tests.fuzz.mutations import mutated
from tests.fuzz.profiles import FUZZ

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
CASE = uuid4()
TOPICS = ["casework.aggregates.case:Case.Opened", "casework.aggregates.case:Case.NoteRecorded"]


def real_bundle() -> Bundle:
    """A case of three events among seven in the log, proved into a signed checkpoint
    and attested, as `build_bundle` makes one."""
    others = [uuid4() for _ in range(4)]
    owners = [others[0], CASE, others[1], CASE, others[2], others[3], CASE]
    versions: dict[Any, int] = {}
    numbered = []
    for n, oid in enumerate(owners):
        versions[oid] = versions.get(oid, 0) + 1
        topic = TOPICS[0] if versions[oid] == 1 else TOPICS[1]
        numbered.append((oid, versions[oid], topic, bytes([n]) * 60))
    tree = Tree([leaf_hash(leaf_data(*row)) for row in numbered])
    checkpoint = Checkpoint.sign(KEY, 4, tree.size, tree.root(), datetime(2026, 3, 14, tzinfo=UTC))
    events = [
        BundleEvent(
            leaf_index=index,
            notification_id=index + 1,
            originator_id=oid,
            originator_version=version,
            topic=topic,
            sealed_state=state,
            inclusion_proof=[p.hex() for p in tree.inclusion_proof(index, tree.size)],
            content=msgspec.Raw(msgspec.json.encode({"n": index, "narrative": "home visit"})),
        )
        for index, (oid, version, topic, state) in enumerate(numbered)
        if oid == CASE
    ]
    bundle = Bundle(
        case_id=CASE,
        exported_at=datetime(2026, 3, 15, tzinfo=UTC),
        exported_by=uuid4(),
        exported_by_role="compliance_reviewer",
        checkpoint=checkpoint,
        events=events,
    )
    bundle.attest(KEY)
    return bundle


REAL = real_bundle()
ENCODED = REAL.encode()


def checked(data: bytes) -> BundleReport:
    """Verify `data`; an OK report must be for the exported content, as attested."""
    report = verify_bundle(data, PUBLIC)
    assert isinstance(report, BundleReport)
    assert report.lines()
    if report.ok:
        read = msgspec.json.decode(data, type=Bundle)
        assert read.digest() == REAL.digest()
        assert [e.leaf() for e in read.events] == [e.leaf() for e in REAL.events]
    return report


def test_the_real_bundle_verifies() -> None:
    report = verify_bundle(ENCODED, PUBLIC)
    assert report.ok, report.lines()
    assert report.events == 3


@FUZZ
@given(st.binary(max_size=500))
@example(b"")
@example(b"{}")
def test_random_bytes_are_reported_not_raised(data: bytes) -> None:
    assert not checked(data).ok


@FUZZ
@given(mutated(ENCODED))
def test_a_damaged_bundle_is_reported_not_raised(data: bytes) -> None:
    checked(data)


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.just("t" * 70_000),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-01-01"]),
    st.lists(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64), max_size=4),
    st.uuids().map(str),
)
EVENT_FIELDS = sorted(BundleEvent.__struct_fields__)
TOP_FIELDS = sorted(f for f in Bundle.__struct_fields__ if f != "events")
CHECKPOINT_FIELDS = sorted(Checkpoint.__struct_fields__)
PLACES = st.one_of(
    st.tuples(st.just("event"), st.sampled_from(EVENT_FIELDS)),
    st.tuples(st.just("top"), st.sampled_from(TOP_FIELDS)),
    st.tuples(st.just("checkpoint"), st.sampled_from(CHECKPOINT_FIELDS)),
)


def as_json() -> dict[str, Any]:
    return msgspec.json.decode(ENCODED)


@FUZZ
@given(PLACES, st.integers(0, len(REAL.events) - 1), VALUES)
@example(("event", "originator_version"), 0, 2**64)  # struct.error before the fix
@example(("event", "originator_version"), 1, 2**63)  # struct.error before the fix
@example(("event", "topic"), 2, "t" * 70_000)  # struct.error: the topic's length
@example(("checkpoint", "signed_at"), 0, "0001-01-01T00:00:00+05:00")  # OverflowError
@example(("top", "exported_at"), 0, "9999-12-31T23:59:59-05:00")
def test_a_bundle_with_a_field_replaced_is_reported_not_raised(
    place: tuple[str, str], event: int, value: object
) -> None:
    bundle = as_json()
    where, name = place
    target = {"event": bundle["events"][event], "top": bundle, "checkpoint": bundle["checkpoint"]}
    target[where][name] = value
    checked(msgspec.json.encode(bundle))


@FUZZ
@given(
    st.permutations(range(len(REAL.events))),
    st.lists(st.integers(0, len(REAL.events) - 1), max_size=2),
    st.lists(st.integers(0, len(REAL.events) - 1), max_size=2),
    st.sampled_from(EVENT_FIELDS),
)
def test_events_dropped_repeated_reordered_or_mixed_are_reported_not_raised(
    order: list[int], dropped: list[int], repeated: list[int], swapped_field: str
) -> None:
    bundle = as_json()
    events = bundle["events"]
    kept = [events[i] for i in order if i not in dropped] + [events[i] for i in repeated]
    if len(kept) >= 2:
        kept[0], kept[1] = dict(kept[0]), dict(kept[1])
        kept[0][swapped_field], kept[1][swapped_field] = (
            kept[1][swapped_field],
            kept[0][swapped_field],
        )
    bundle["events"] = kept
    checked(msgspec.json.encode(bundle))
