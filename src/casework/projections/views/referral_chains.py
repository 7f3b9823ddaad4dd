"""Referral chains: every hop of every referral with its state and times, the time
each receiver took to respond, stalled referrals (no answer by the deadline) and
loops (a chain that came back to someone who had already held it); per case, per
chain, and per department or agency. Reasons and outcomes are text: not here."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Integer,
    String,
    func,
    or_,
    select,
)

from casework.aggregates.referral import Referral, ReferralStatus
from casework.projections.machinery.column_types import Id, UtcDateTime
from casework.projections.machinery.view_base import Handler, Item, View


@dataclass(frozen=True)
class Hop:
    referral_id: UUID
    case_id: UUID
    chain_id: UUID
    parent_id: UUID | None
    hop: int
    sender_kind: str
    sender_id: UUID
    receiver_kind: str
    receiver_id: UUID
    urgency: str
    status: str
    sent_at: datetime
    respond_by: datetime
    answered_at: datetime | None
    response_seconds: int | None
    ended_at: datetime | None
    loop: bool
    onward: int

    def stalled(self, now: datetime) -> bool:
        return self.status == ReferralStatus.SENT and self.respond_by < now


@dataclass(frozen=True)
class HolderSummary:
    """How referrals went for one department or agency."""

    kind: str
    holder_id: UUID
    sent: int
    received: int
    answered: int
    mean_response_seconds: float | None


class ReferralChainsView(View):
    name = "referral_chains"
    title = "Referral chains (hops, response times, stalled referrals, loops)"

    def define(self) -> None:
        self.hops_table = self.table(
            "hops",
            Column("referral_id", Id, primary_key=True),
            Column("case_id", Id, nullable=False, index=True),
            Column("chain_id", Id, nullable=False, index=True),
            Column("parent_id", Id),
            Column("hop", Integer, nullable=False),
            Column("sender_kind", String(16), nullable=False),
            Column("sender_id", Id, nullable=False, index=True),
            Column("receiver_kind", String(16), nullable=False),
            Column("receiver_id", Id, nullable=False, index=True),
            Column("urgency", String(16), nullable=False),
            Column("status", String(16), nullable=False),
            Column("sent_at", UtcDateTime, nullable=False),
            Column("respond_by", UtcDateTime, nullable=False),
            Column("answered_at", UtcDateTime),
            Column("response_seconds", BigInteger),
            Column("service_started_at", UtcDateTime),
            Column("ended_at", UtcDateTime),
            Column("loop", Boolean, nullable=False),
            Column("onward", Integer, nullable=False),
        )
        self.hops = self.keyed(self.hops_table)

    def handles(self) -> dict[type, Handler]:
        return {
            Referral.Sent: self.sent,
            Referral.Accepted: self.answered,
            Referral.Declined: self.answered,
            Referral.ServiceStarted: self.service_started,
            Referral.Completed: self.ended,
            Referral.Returned: self.ended,
            Referral.Withdrawn: self.ended,
            Referral.ReferredOnward: self.referred_onward,
        }

    def prepare(self, items: list[Item], new: Collection[UUID]) -> None:
        ids = set()
        for i in items:
            if type(i.event) in self.handlers:
                ids.add(i.event.originator_id)
                if type(i.event) is Referral.Sent and i.event.parent_id is not None:
                    ids.add(i.event.parent_id)
        self.hops.prime(ids, new)

    def _hop(self, item: Item) -> dict[str, Any]:
        row = self.hops.get(item.event.originator_id)
        if row is None:
            raise LookupError(f"referral_chains has no referral {item.event.originator_id}")
        self.hops.put(row)
        return row

    def sent(self, item: Item) -> None:
        e = item.event
        parent = self.hops.get(e.parent_id) if e.parent_id is not None else None
        self.hops.put(
            {
                "referral_id": e.originator_id,
                "case_id": e.case_id,
                "chain_id": e.chain_id,
                "parent_id": e.parent_id,
                "hop": parent["hop"] + 1 if parent else 1,
                "sender_kind": e.sender.kind.value,
                "sender_id": e.sender.id,
                "receiver_kind": e.receiver.kind.value,
                "receiver_id": e.receiver.id,
                "urgency": e.urgency.value,
                "status": ReferralStatus.SENT.value,
                "sent_at": e.occurred_at,
                "respond_by": e.respond_by,
                "answered_at": None,
                "response_seconds": None,
                "service_started_at": None,
                "ended_at": None,
                "loop": e.loop,
                "onward": 0,
            }
        )

    def answered(self, item: Item) -> None:
        e = item.event
        row = self._hop(item)
        row["status"] = (
            ReferralStatus.ACCEPTED.value
            if type(e) is Referral.Accepted
            else ReferralStatus.DECLINED.value
        )
        row["answered_at"] = e.occurred_at
        row["response_seconds"] = int((e.occurred_at - row["sent_at"]).total_seconds())
        if type(e) is Referral.Declined:
            row["ended_at"] = e.occurred_at

    def service_started(self, item: Item) -> None:
        self._hop(item).update(
            status=ReferralStatus.IN_SERVICE.value, service_started_at=item.event.occurred_at
        )

    def ended(self, item: Item) -> None:
        status = {
            Referral.Completed: ReferralStatus.COMPLETED,
            Referral.Returned: ReferralStatus.RETURNED,
            Referral.Withdrawn: ReferralStatus.WITHDRAWN,
        }[type(item.event)]
        self._hop(item).update(status=status.value, ended_at=item.event.occurred_at)

    def referred_onward(self, item: Item) -> None:
        self._hop(item)["onward"] += 1

    # -- reading -------------------------------------------------------------------

    def _hops(self, connection: Connection, *where: Any) -> list[Hop]:
        h = self.hops_table.c
        query = select(self.hops_table).where(*where).order_by(h.chain_id, h.hop, h.sent_at)
        rows = connection.execute(query)
        return [Hop(**{k: v for k, v in r._asdict().items() if k in _HOP_FIELDS}) for r in rows]

    def of_case(self, connection: Connection, case_id: UUID) -> list[Hop]:
        return self._hops(connection, self.hops_table.c.case_id == case_id)

    def chain(self, connection: Connection, chain_id: UUID) -> list[Hop]:
        return self._hops(connection, self.hops_table.c.chain_id == chain_id)

    def of_holder(self, connection: Connection, holder_id: UUID) -> list[Hop]:
        """Hops a department or agency sent or received."""
        h = self.hops_table.c
        return self._hops(connection, or_(h.sender_id == holder_id, h.receiver_id == holder_id))

    def stalled(self, connection: Connection, now: datetime) -> list[Hop]:
        h = self.hops_table.c
        return self._hops(connection, h.status == ReferralStatus.SENT.value, h.respond_by < now)

    def loops(self, connection: Connection) -> list[Hop]:
        """Hops that took a chain back to a department or agency that had held it."""
        return self._hops(connection, self.hops_table.c.loop.is_(True))

    def holders(self, connection: Connection) -> list[HolderSummary]:
        """For each department and agency: referrals sent and received, how many
        were answered, and the mean time to answer."""
        h = self.hops_table.c
        received = {
            (kind, holder): (count, answered, mean)
            for kind, holder, count, answered, mean in connection.execute(
                select(
                    h.receiver_kind,
                    h.receiver_id,
                    func.count(),
                    func.count(h.answered_at),
                    func.avg(h.response_seconds),
                ).group_by(h.receiver_kind, h.receiver_id)
            )
        }
        sent = {
            (kind, holder): count
            for kind, holder, count in connection.execute(
                select(h.sender_kind, h.sender_id, func.count()).group_by(
                    h.sender_kind, h.sender_id
                )
            )
        }
        found = []
        for key in sorted(set(received) | set(sent), key=str):
            count, answered, mean = received.get(key, (0, 0, None))
            found.append(
                HolderSummary(
                    key[0],
                    key[1],
                    sent.get(key, 0),
                    count,
                    answered,
                    None if mean is None else float(mean),
                )
            )
        return found


_HOP_FIELDS = set(Hop.__dataclass_fields__)
