"""The referral chain drawn as a diagram: for each chain of a case, who sent it first
and every receiver it went to (onward referrals branch from the receiver who passed
it on), laid out as a tree from left to right for a server-rendered SVG. The chain's
text alternative is the same hops in words (`Chain.steps`), and the case page's
referral table beside it.

Only what the referral-chains view holds is drawn: holders, statuses and urgencies,
never a referral's reason or outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from casework.projections.views.referral_chains import Hop

BOX_WIDTH = 180
BOX_HEIGHT = 46
COLUMN_GAP = 70
ROW_GAP = 18
MARGIN = 8
# How many characters of a holder's name fit in a box (the full name is its title).
NAME_FITS = 13


@dataclass(frozen=True)
class Box:
    """A holder in the chain: the first sender, or a referral's receiver."""

    x: int
    y: int
    name: str
    short: str
    status: str  # "" for the first sender
    urgency: str
    loop: bool
    referral_id: UUID | None


@dataclass(frozen=True)
class Arrow:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class Chain:
    chain_id: UUID
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    width: int = 0
    height: int = 0
    # (sender name, receiver name, status, urgency, loop) for each hop, in order sent.
    steps: list[tuple[str, str, str, str, bool]] = field(default_factory=list)


def _short(name: str) -> str:
    return name if len(name) <= NAME_FITS else name[: NAME_FITS - 1] + "…"


def chains_of(hops: list[Hop], name_of: Callable[[str, UUID], str]) -> list[Chain]:
    """One laid-out diagram per chain, in the order the chains began."""
    by_chain: dict[UUID, list[Hop]] = {}
    for hop in sorted(hops, key=lambda h: h.sent_at):
        by_chain.setdefault(hop.chain_id, []).append(hop)
    return [_lay_out(chain_id, chain, name_of) for chain_id, chain in by_chain.items()]


def _lay_out(chain_id: UUID, hops: list[Hop], name_of: Callable[[str, UUID], str]) -> Chain:
    children: dict[UUID | None, list[Hop]] = {}
    ids = {h.referral_id for h in hops}
    for hop in hops:
        parent = hop.parent_id if hop.parent_id in ids else None
        children.setdefault(parent, []).append(hop)
    chain = Chain(chain_id)
    first = hops[0]
    sender = name_of(first.sender_kind, first.sender_id)
    places: list[tuple[int, int, Hop | None]] = [(0, 0, None)]  # (column, row, hop)
    rows = [0]

    def place(parent: Hop | None, column: int, row: int) -> None:
        for n, hop in enumerate(children.get(None if parent is None else parent.referral_id, [])):
            if n > 0:
                rows[0] += 1
            child_row = row if n == 0 else rows[0]
            places.append((column + 1, child_row, hop))
            chain.arrows.append(_arrow(column, row, column + 1, child_row))
            place(hop, column + 1, child_row)

    place(None, 0, 0)
    for column, row, hop in places:
        x, y = _corner(column, row)
        if hop is None:
            chain.boxes.append(Box(x, y, sender, _short(sender), "", "", False, None))
            continue
        name = name_of(hop.receiver_kind, hop.receiver_id)
        chain.boxes.append(
            Box(x, y, name, _short(name), hop.status, hop.urgency, hop.loop, hop.referral_id)
        )
    for hop in hops:
        chain.steps.append(
            (
                name_of(hop.sender_kind, hop.sender_id),
                name_of(hop.receiver_kind, hop.receiver_id),
                hop.status,
                hop.urgency,
                hop.loop,
            )
        )
    columns = max(c for c, _, _ in places) + 1
    chain.width = 2 * MARGIN + columns * BOX_WIDTH + (columns - 1) * COLUMN_GAP
    chain.height = 2 * MARGIN + (rows[0] + 1) * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
    return chain


def _corner(column: int, row: int) -> tuple[int, int]:
    return MARGIN + column * (BOX_WIDTH + COLUMN_GAP), MARGIN + row * (BOX_HEIGHT + ROW_GAP)


def _arrow(from_column: int, from_row: int, to_column: int, to_row: int) -> Arrow:
    x1, y1 = _corner(from_column, from_row)
    x2, y2 = _corner(to_column, to_row)
    return Arrow(x1 + BOX_WIDTH, y1 + BOX_HEIGHT // 2, x2 - 4, y2 + BOX_HEIGHT // 2)
