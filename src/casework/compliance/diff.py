"""What changed in a record between two instants: which entries appeared, which were
amended, what was approved, and by whom, event by event."""

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from casework.compliance.replay import Basis, Replay

# Event names are past tense ("PlanVersionApproved", "AddendumAdded"): their last word
# says what kind of change each was.
_APPROVING = ("Approved", "SignedOff", "Accepted")
_AMENDING = ("Amended", "Corrected", "Rerated", "Changed", "Revised", "Removed")
_WORD = re.compile(r"[A-Z][a-z]*")


class Entry(msgspec.Struct, frozen=True):
    version: int
    change: str  # "appeared", "amended" or "approved"
    event: str  # the event in words, e.g. "addendum added"
    actor_id: UUID
    actor_role: str
    occurred_at: datetime
    recorded_at: datetime


class RecordDiff(msgspec.Struct, kw_only=True):
    record_id: UUID
    basis: Basis
    since: datetime
    until: datetime
    entries: list[Entry]
    appeared: dict[str, list[str]]  # attribute -> keys of entries that appeared
    amended: dict[str, list[str]]  # attribute -> keys of entries whose content changed
    changed: list[str]  # other attributes whose value changed


def kind_of_change(event_name: str) -> str:
    if "Addendum" in event_name or event_name.endswith(_AMENDING):
        return "amended"
    if event_name.endswith(_APPROVING):
        return "approved"
    return "appeared"


def _words(name: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(name)) or name


def entry(event: Any) -> Entry:
    name = type(event).__name__
    return Entry(
        version=event.originator_version,
        change=kind_of_change(name),
        event=_words(name),
        actor_id=event.actor_id,
        actor_role=str(event.actor_role),
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
    )


def diff(before: Replay, after: Replay, events: list[Any]) -> RecordDiff:
    """`events`: the stream's events that fall between the two instants on their basis."""
    old = before.state() or {}
    new = after.state() or {}
    appeared: dict[str, list[str]] = {}
    amended: dict[str, list[str]] = {}
    changed: list[str] = []
    for name in sorted(new.keys() - {"version", "modified_on"}):
        was, now = old.get(name), new[name]
        if was == now:
            continue
        if isinstance(now, dict) and isinstance(was, dict | None):
            was = was or {}
            if added := sorted(k for k in now if k not in was):
                appeared[name] = added
            if edited := sorted(k for k in now if k in was and was[k] != now[k]):
                amended[name] = edited
        else:
            changed.append(name)
    return RecordDiff(
        record_id=after.record_id,
        basis=after.basis,
        since=before.at,
        until=after.at,
        entries=[entry(e) for e in events],
        appeared=appeared,
        amended=amended,
        changed=changed,
    )
