"""Accounts, as administrators open and look after them; the client lookup."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.schemas.common import Body, ShortText

UserName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class OpenAccount(Body):
    staff_id: UUID
    user_name: UserName


class OneTimeCodeView(msgspec.Struct, kw_only=True, frozen=True):
    """Hand the code to the person: they set their password with it once, before
    `expires_at`. It is shown only in this answer."""

    user_name: str
    staff_id: UUID
    code: str
    expires_at: datetime


class ReasonOnly(Body):
    reason: ShortText = ""


class SessionsEnded(msgspec.Struct, kw_only=True, frozen=True):
    staff_id: UUID
    ended: int  # how many sessions were open


class ClientSearch(Body):
    """Exact ID number or phone, or the client's name (household members included)."""

    field: Literal["id_number", "phone", "name"]
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class FoundCases(msgspec.Struct, kw_only=True, frozen=True):
    """Only cases the searcher may see; the others are neither listed nor counted."""

    case_ids: list[UUID]
