"""Notes and other records read back through the mapper, fuzzed: a stored event whose
sealed state is damaged, or whose row fields (record id, version, topic, state) are
swapped with another row's, never decodes into an event and raises only a `StoreError`
(`TamperedRecord`, or `MasterKeyError` for a header naming a key the store does not
have). A payload that was sealed with the real key but does not decode as its event
type (a writer's bug, or someone holding the key) is a `TamperedRecord` too, never a
decoder's exception."""

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import given
from hypothesis import strategies as st

from casework.application import Casework
from casework.settings import Settings
from casework.store.envelope import open_sealed, seal
from casework.store.errors import StoreError, TamperedRecord
from casework.store.master_key import MasterKey
from tests.builders.cases import open_case, record_note
from tests.fuzz.mutations import mutated
from tests.fuzz.profiles import FUZZ

NOTES = 101  # past the snapshot interval: a snapshot is among the stored rows


class Sample:
    """Two cases' stored events and snapshots, and the store they came from."""

    def __init__(
        self, app: Casework, events: list[StoredEvent], snapshots: list[StoredEvent]
    ) -> None:
        self.app = app
        self.events = events
        self.snapshots = snapshots

    @property
    def rows(self) -> list[StoredEvent]:
        return self.events + self.snapshots

    def __repr__(self) -> str:
        return f"Sample({len(self.events)} events, {len(self.snapshots)} snapshots)"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    data = Path(tmp_path_factory.mktemp("fuzz-mapper")) / "data"
    app = Casework(
        Settings.from_env({"CASEWORK_DATA_DIR": str(data)}), MasterKey.generate("fuzz key")
    )
    long_case, short_case = open_case(app), open_case(app)
    for n in range(NOTES):
        record_note(app, long_case, f"home visit {n}: the family was at home")
    record_note(app, short_case, "phone call: the school called back")
    app.repository.get(long_case)  # reading a long stream takes its snapshot
    events = [e for c in (long_case, short_case) for e in app.recorder.select_events(c)]
    snapshots = list(app.snapshots.recorder.select_events(long_case))  # type: ignore[union-attr]
    try:
        yield Sample(app, events, snapshots)
    finally:
        app.close()


def test_every_real_row_decodes(sample: Sample) -> None:
    assert sample.snapshots, "the sample holds no snapshot"
    for row in sample.rows:
        event = sample.app.sealing.to_domain_event(row)
        assert event.originator_version == row.originator_version


def with_state(row: StoredEvent, state: bytes) -> StoredEvent:
    return StoredEvent(row.originator_id, row.originator_version, row.topic, state)


@FUZZ
@given(st.data())
def test_a_damaged_sealed_state_never_decodes(sample: Sample, data: st.DataObject) -> None:
    row = data.draw(st.sampled_from(sample.rows))
    damaged = with_state(row, data.draw(mutated(row.state)))
    with pytest.raises(StoreError):
        sample.app.sealing.to_domain_event(damaged)


@FUZZ
@given(st.data())
def test_random_bytes_never_decode(sample: Sample, data: st.DataObject) -> None:
    row = data.draw(st.sampled_from(sample.rows))
    with pytest.raises(StoreError):
        sample.app.sealing.to_domain_event(with_state(row, data.draw(st.binary(max_size=300))))


@FUZZ
@given(st.data())
def test_fields_swapped_between_rows_never_decode(sample: Sample, data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(["originator_id", "originator_version", "topic", "state"]))
    a = data.draw(st.sampled_from(sample.rows))
    others = [r for r in sample.rows if getattr(r, field) != getattr(a, field)]
    b = data.draw(st.sampled_from(others))
    fields = {
        "originator_id": a.originator_id,
        "originator_version": a.originator_version,
        "topic": a.topic,
        "state": a.state,
        field: getattr(b, field),
    }
    swapped = StoredEvent(**fields)
    with pytest.raises(StoreError):
        sample.app.sealing.to_domain_event(swapped)


@FUZZ
@given(st.data())
def test_another_record_id_or_version_never_decodes(sample: Sample, data: st.DataObject) -> None:
    row = data.draw(st.sampled_from(sample.rows))
    record_id = data.draw(st.uuids().filter(lambda u: u != row.originator_id))
    version = data.draw(st.integers(1, 2**62).filter(lambda v: v != row.originator_version))
    for moved in (
        StoredEvent(record_id, row.originator_version, row.topic, row.state),
        StoredEvent(row.originator_id, version, row.topic, row.state),
    ):
        with pytest.raises(StoreError):
            sample.app.sealing.to_domain_event(moved)


def resealed(sample: Sample, row: StoredEvent, plaintext: bytes) -> StoredEvent:
    """`row` with another payload sealed under the row's real key: it authenticates."""
    mapper = sample.app.sealing
    key = mapper.keyring.by_raw_id(row.state[1:17])
    state = seal(
        key.cipher, key.key_id, plaintext, row.originator_id, row.originator_version, row.topic
    )
    return with_state(row, state)


def real_plaintext(sample: Sample, row: StoredEvent) -> bytes:
    key = sample.app.sealing.keyring.by_raw_id(row.state[1:17])
    return open_sealed(key.cipher, row.state, row.originator_id, row.originator_version, row.topic)


def decodes_or_is_refused(sample: Sample, row: StoredEvent) -> None:
    """Either a well-formed event of the row's own record and version, or a
    `TamperedRecord`."""
    try:
        event = sample.app.sealing.to_domain_event(row)
    except TamperedRecord:
        return
    assert (event.originator_id, event.originator_version) == (
        row.originator_id,
        row.originator_version,
    )


@FUZZ
@given(st.data())
def test_an_authentic_payload_that_is_damaged_decodes_or_is_refused(
    sample: Sample, data: st.DataObject
) -> None:
    row = data.draw(st.sampled_from(sample.rows))
    payload = data.draw(mutated(real_plaintext(sample, row)))
    decodes_or_is_refused(sample, resealed(sample, row, payload))


@FUZZ
@given(st.data(), st.binary(max_size=200))
def test_an_authentic_payload_of_random_bytes_is_refused(
    sample: Sample, data: st.DataObject, payload: bytes
) -> None:
    row = data.draw(st.sampled_from(sample.rows))
    decodes_or_is_refused(sample, resealed(sample, row, payload))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(st.data(), JSON)
def test_an_authentic_payload_with_a_field_replaced_decodes_or_is_refused(
    sample: Sample, data: st.DataObject, value: object
) -> None:
    row = data.draw(st.sampled_from(sample.rows))
    state = msgspec.json.decode(real_plaintext(sample, row))
    names = sorted(state) + sorted(
        state.get("state", {}) if isinstance(state.get("state"), dict) else ()
    )
    name = data.draw(st.sampled_from(names))
    if name in state:
        state[name] = value
    else:
        state["state"][name] = value
    decodes_or_is_refused(sample, resealed(sample, row, msgspec.json.encode(state)))


def test_a_header_naming_an_unknown_key_is_a_store_error(sample: Sample) -> None:
    row = sample.events[0]
    other: UUID = uuid4()
    with pytest.raises(StoreError):
        sample.app.sealing.to_domain_event(
            with_state(row, row.state[:1] + other.bytes + row.state[17:])
        )


@pytest.mark.parametrize(
    "payload",
    [
        b"",  # msgspec.DecodeError before the fix
        b'{"originator_id":',  # truncated JSON
        b"12",  # not an object (ValidationError)
        b'{"originator_id": null}',  # a required field of the wrong type
    ],
)
def test_found_by_fuzzing_an_authentic_undecodable_payload_is_tampered(
    sample: Sample, payload: bytes
) -> None:
    for row in (sample.events[0], sample.events[1], sample.snapshots[0]):
        with pytest.raises(TamperedRecord, match="does not decode as its event type"):
            sample.app.sealing.to_domain_event(resealed(sample, row, payload))


def test_an_authentic_payload_naming_another_record_is_tampered(sample: Sample) -> None:
    row = sample.events[1]
    state = msgspec.json.decode(real_plaintext(sample, row))
    state["originator_id"] = str(uuid4())
    with pytest.raises(TamperedRecord, match="says it belongs to"):
        sample.app.sealing.to_domain_event(resealed(sample, row, msgspec.json.encode(state)))
