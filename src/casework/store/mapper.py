"""Turns domain events into sealed stored events and back.

Payloads are msgspec JSON, decoded straight into the event's own dataclass (typed:
aware datetimes, dates, UUIDs and enums come back as they went in). Each payload is
sealed under the data key of its record's scope, bound to its row by the envelope's
associated data.
"""

import threading
import typing
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import TopicError, get_topic, resolve_topic

from casework.store.envelope import SealedRow, open_sealed, open_stream, raw_key_id, seal
from casework.store.errors import TamperedRecord, UnknownKeyScope
from casework.store.keyring import Keyring

# How many originators' key ids to remember between a save and its snapshots.
_MAX_REMEMBERED = 100_000


# Attributes the library's Aggregate keeps (beside _id and _version, which snapshots omit).
class _TopicOnly(msgspec.Struct):
    topic: str


_TOPIC_ONLY = msgspec.json.Decoder(_TopicOnly)

_LIBRARY_STATE_HINTS: dict[str, Any] = {"_created_on": datetime, "_modified_on": datetime}


class SealingMapper(Mapper[UUID]):
    def __init__(self, keyring: Keyring) -> None:
        super().__init__(transcoder=None)  # type: ignore[arg-type]  # msgspec does the coding
        self.keyring = keyring
        self._key_of_originator: dict[UUID, UUID] = {}
        self._lock = threading.Lock()
        self._encoder = msgspec.json.Encoder()
        self._decoders: dict[type, msgspec.json.Decoder[Any]] = {}
        self._decode_by_topic: dict[str, Callable[[bytes], Any]] = {}
        self._state_hints: dict[type, dict[str, Any]] = {}

    def register(self, originator_id: UUID, scope_id: UUID, *, new_scope: bool) -> None:
        """Say which key scope a record's events are sealed in, before saving them."""
        key = self.keyring.for_scope(scope_id, new=new_scope)
        with self._lock:
            if len(self._key_of_originator) >= _MAX_REMEMBERED:
                self._key_of_originator.clear()
            self._key_of_originator[originator_id] = key.key_id

    def plaintext(self, domain_event: Any) -> bytes:
        """The msgspec JSON of an event, as sealed (also what exports show)."""
        state = vars(domain_event)
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state = {**state, "class_version": class_version}
        if isinstance(domain_event, CanSnapshotAggregate):
            self._check_snapshot_hints(resolve_topic(domain_event.topic), state["state"])
        return self._encoder.encode(state)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        originator_id = domain_event.originator_id
        version = domain_event.originator_version
        topic = get_topic(type(domain_event))
        key_id = self._key_of_originator.get(originator_id)
        if key_id is None:
            raise UnknownKeyScope(
                f"no key scope registered for {originator_id}: save records through "
                "the casework application, which registers them"
            )
        key = self.keyring.by_id(key_id)
        envelope = seal(
            key.cipher, key.key_id, self.plaintext(domain_event), originator_id, version, topic
        )
        return StoredEvent(
            originator_id=originator_id,
            originator_version=version,
            topic=topic,
            state=envelope,
        )

    def unseal(self, stored_event: Any) -> bytes:
        """The plaintext payload of a stored event (raises if tampered with or erased)."""
        key = self.keyring.by_raw_id(raw_key_id(stored_event.state))
        plaintext = open_sealed(
            key.cipher,
            stored_event.state,
            stored_event.originator_id,
            stored_event.originator_version,
            stored_event.topic,
        )
        self._key_of_originator[stored_event.originator_id] = key.key_id
        return plaintext

    def unseal_stream(self, record_id: UUID, rows: Sequence[SealedRow]) -> list[bytes]:
        """The plaintexts of one record's stored events, each authenticated as `unseal`
        does, for reading a whole stream (as-occurred replay)."""
        plaintexts = open_stream(lambda raw: self.keyring.by_raw_id(raw).cipher, record_id, rows)
        if rows:
            last = self.keyring.by_raw_id(raw_key_id(rows[-1].state))
            self._key_of_originator[record_id] = last.key_id
        return plaintexts

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode_event(stored_event, self.unseal(stored_event))

    def decode_event(self, stored_event: Any, plaintext: bytes) -> Any:
        """The domain event of a stored event, from its plaintext (`unseal`)."""
        decode = self._decode_by_topic.get(stored_event.topic)
        if decode is None:
            decode = self._decoding(resolve_topic(stored_event.topic))
            self._decode_by_topic[stored_event.topic] = decode
        try:
            event = decode(plaintext)
        except (ValueError, TypeError, KeyError, AttributeError, TopicError) as error:
            # The payload authenticated, so its writer held the key: a writer's bug or a
            # deliberate edit, never damage in storage. Named, never a decoder's error.
            raise TamperedRecord(
                f"stored event {stored_event.originator_id} version "
                f"{stored_event.originator_version} ({stored_event.topic}) decrypted but does "
                f"not decode as its event type ({type(error).__name__}: {error})"
            ) from None
        if event.originator_version != stored_event.originator_version:
            raise TamperedRecord(
                f"stored event {stored_event.originator_id} says version "
                f"{event.originator_version} inside but sits at {stored_event.originator_version}"
            )
        if event.originator_id != stored_event.originator_id:
            raise TamperedRecord(
                f"stored event {stored_event.originator_id} version "
                f"{stored_event.originator_version} says it belongs to {event.originator_id}"
            )
        return event

    def _decoding(self, cls: Any) -> Callable[[bytes], Any]:
        """How a plaintext of this event class is decoded (found once a topic: every
        read of an event goes through here)."""
        if issubclass(cls, CanSnapshotAggregate):
            return partial(self._decode_snapshot, cls)
        if getattr(cls, "class_version", 1) == 1:
            return msgspec.json.Decoder(cls).decode
        return partial(self._decode_upcast, cls)

    @staticmethod
    def _decode_upcast(cls: Any, plaintext: bytes) -> Any:
        state = msgspec.json.decode(plaintext)
        version = state.pop("class_version", 1)
        while version < cls.class_version:
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
            version += 1
        return msgspec.convert(state, cls)

    def _hints(self, aggregate_cls: type) -> dict[str, Any]:
        hints = self._state_hints.get(aggregate_cls)
        if hints is None:
            hints = dict(_LIBRARY_STATE_HINTS)
            hints.update(
                (name, hint)
                for name, hint in typing.get_type_hints(aggregate_cls).items()
                if typing.get_origin(hint) is not typing.ClassVar
            )
            self._state_hints[aggregate_cls] = hints
        return hints

    def _snapshot_decoder(self, aggregate_cls: type) -> msgspec.json.Decoder[Any]:
        """A decoder that reads a snapshot of this aggregate straight into typed values
        (one pass in C: long cases' snapshots are large)."""
        decoder = self._decoders.get(aggregate_cls)
        if decoder is None:
            unset: Any = msgspec.UnsetType
            state = msgspec.defstruct(
                f"{aggregate_cls.__name__}State",
                [("class_version", int, 1)]
                + [
                    (k, hint | unset, msgspec.UNSET)
                    for k, hint in self._hints(aggregate_cls).items()
                ],
            )
            snapshot = msgspec.defstruct(
                f"{aggregate_cls.__name__}Snapshot",
                [
                    ("originator_id", UUID),
                    ("originator_version", int),
                    ("timestamp", datetime),
                    ("topic", str),
                    ("state", state),
                ],
            )
            decoder = self._decoders[aggregate_cls] = msgspec.json.Decoder(snapshot)
        return decoder

    def _check_snapshot_hints(self, aggregate_cls: type, state: dict[str, Any]) -> None:
        hints = self._hints(aggregate_cls)
        missing = [k for k in state if k not in hints and k != "class_version"]
        if missing:
            raise TypeError(
                f"{aggregate_cls.__qualname__} attributes {missing} have no type annotation: "
                "snapshots restore attributes by their annotated types"
            )

    def _decode_snapshot(self, cls: Any, plaintext: bytes) -> Any:
        aggregate_cls = resolve_topic(_TOPIC_ONLY.decode(plaintext).topic)
        current = getattr(aggregate_cls, "class_version", 1)
        decoded = self._snapshot_decoder(aggregate_cls).decode(plaintext)
        if decoded.state.class_version == current:
            state = {
                k: v
                for k, v in msgspec.structs.asdict(decoded.state).items()
                if v is not msgspec.UNSET
            }
            if current == 1:
                del state["class_version"]
        else:
            state = self._upcast_snapshot_state(aggregate_cls, plaintext)
        snapshot = object.__new__(cls)
        object.__setattr__(
            snapshot,
            "__dict__",
            {
                "originator_id": decoded.originator_id,
                "originator_version": decoded.originator_version,
                "timestamp": decoded.timestamp,
                "topic": decoded.topic,
                "state": state,
            },
        )
        return snapshot

    def _upcast_snapshot_state(self, aggregate_cls: Any, plaintext: bytes) -> dict[str, Any]:
        """An older snapshot: decode untyped, upcast, then convert by annotation."""
        state: dict[str, Any] = msgspec.json.decode(plaintext)["state"]
        version = state.pop("class_version", 1)
        current = aggregate_cls.class_version
        while version < current:
            getattr(aggregate_cls, f"upcast_v{version}_v{version + 1}")(state)
            version += 1
        hints = self._hints(aggregate_cls)
        typed = {k: msgspec.convert(v, hints[k]) for k, v in state.items()}
        typed["class_version"] = current
        return typed
