"""Sign-in and the session it gives."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.common import Body, ShortText
from casework.aggregates.base import Role


class SignIn(Body):
    user_name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    role: Role
    # The 6-digit code of the authenticator app (required unless the store turns the
    # second factor off).
    totp_code: Annotated[str, msgspec.Meta(max_length=12)] | None = None
    purpose: ShortText = ""


class Session(msgspec.Struct, kw_only=True, frozen=True):
    token: str  # send it as `Authorization: Bearer <token>`
    session_id: UUID
    staff_id: UUID
    role: Role
    expires_at: datetime  # if not used before then (idle limit)
    absolute_expires_at: datetime
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    notice: str = ""  # said when the store turns the second factor off


class Principal(msgspec.Struct, kw_only=True, frozen=True):
    """Who the token says is asking."""

    session_id: UUID | None
    staff_id: UUID
    role: Role
    purpose: str
