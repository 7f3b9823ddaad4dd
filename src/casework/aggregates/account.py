"""A staff member's account: the user name they sign in with, their password and
second factor (as hashes and a sealed secret), and whether it is locked or closed.

One account per staff member. The whole stream is an organisation record, sealed
under the organisation's key like every other event, so the TOTP secret is
encrypted at rest. Passwords and one-time codes are never stored, only their
Argon2id hashes: the hasher is given to the commands that need it, so the domain
does not depend on a hashing library.
"""

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from casework.aggregates.base import Actor, InvalidValue, Record, RuleBroken, aware

PASSWORD_MIN_LENGTH = 12
# Long enough for any pass phrase; short enough that hashing it is not a denial of service.
PASSWORD_MAX_LENGTH = 1024
_USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


class SecretHasher(Protocol):
    """Hashes and checks passwords and one-time codes (Argon2id in the application)."""

    def hash(self, secret: str) -> str: ...

    def verify(self, hashed: str, secret: str) -> bool: ...


class AccountClosed(RuleBroken):
    rule = "account_closed"
    status = 403


class SetPasswordCodeInvalid(RuleBroken):
    """No code was issued, it expired, it was used, or it does not match."""

    rule = "set_password_code_invalid"
    status = 403


class PasswordNotSet(RuleBroken):
    rule = "password_not_set"
    status = 403


class SecondFactorAlreadyEnrolled(RuleBroken):
    rule = "second_factor_already_enrolled"
    status = 409


class AccountNotLocked(RuleBroken):
    rule = "account_not_locked"
    status = 409


def normalise_user_name(user_name: str) -> str:
    """The form a user name is stored and compared in: lower case, no surrounding space."""
    return (
        unicodedata.normalize("NFKC", user_name if isinstance(user_name, str) else "")
        .strip()
        .casefold()
    )


def valid_user_name(user_name: str) -> str:
    name = normalise_user_name(user_name)
    if not _USER_NAME.fullmatch(name):
        raise InvalidValue(
            "user_name",
            "use 3 to 64 letters a-z, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return name


def check_password_rules(user_name: str, password: str) -> None:
    """At least 12 characters, and not the user name (nor containing it)."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidValue("password", f"use at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidValue("password", f"use at most {PASSWORD_MAX_LENGTH} characters")
    if normalise_user_name(user_name) in normalise_user_name(password):
        raise InvalidValue("password", "must not contain the user name")


class Account(Record):
    staff_id: UUID
    user_name: str
    first_administrator: bool
    password_hash: str | None
    code_hash: str | None
    code_expires_at: datetime | None
    totp_secret: str | None
    locked_until: datetime | None
    lock_reason: str
    closed: bool

    class Opened(Record.Created):
        staff_id: UUID
        user_name: str
        first_administrator: bool

    def __init__(self, staff_id: UUID, user_name: str, first_administrator: bool) -> None:
        self.staff_id = staff_id
        self.user_name = user_name
        self.first_administrator = first_administrator
        self.password_hash = None
        self.code_hash = None
        self.code_expires_at = None
        self.totp_secret = None
        self.locked_until = None
        self.lock_reason = ""
        self.closed = False

    class SetPasswordCodeIssued(Record.Event):
        code_hash: str
        expires_at: datetime

        def apply(self, account: "Account") -> None:
            account.code_hash = self.code_hash
            account.code_expires_at = self.expires_at

    class PasswordSet(Record.Event):
        password_hash: str

        def apply(self, account: "Account") -> None:
            account.password_hash = self.password_hash
            account.code_hash = None
            account.code_expires_at = None

    class SecondFactorEnrolled(Record.Event):
        totp_secret: str

        def apply(self, account: "Account") -> None:
            account.totp_secret = self.totp_secret

    class SecondFactorRemoved(Record.Event):
        reason: str

        def apply(self, account: "Account") -> None:
            account.totp_secret = None

    class Locked(Record.Event):
        until: datetime
        reason: str
        failures: int
        source: str

        def apply(self, account: "Account") -> None:
            account.locked_until = self.until
            account.lock_reason = self.reason

    class Unlocked(Record.Event):
        reason: str

        def apply(self, account: "Account") -> None:
            account.locked_until = None
            account.lock_reason = ""

    class Closed(Record.Event):
        reason: str

        def apply(self, account: "Account") -> None:
            account.closed = True
            account.code_hash = None
            account.code_expires_at = None

    @classmethod
    def open(
        cls,
        by: Actor,
        staff_id: UUID,
        user_name: str,
        first_administrator: bool = False,
        occurred_at: datetime | None = None,
    ) -> "Account":
        return cls.start(
            cls.Opened,
            by,
            occurred_at,
            staff_id=staff_id,
            user_name=valid_user_name(user_name),
            first_administrator=first_administrator,
        )

    def is_locked(self, at: datetime) -> bool:
        return self.locked_until is not None and aware(at) < self.locked_until

    def require_open(self) -> None:
        if self.closed:
            raise AccountClosed(f"the account {self.user_name} is closed")

    def issue_set_password_code(
        self, by: Actor, code_hash: str, valid_for: timedelta, at: datetime
    ) -> None:
        """A new one-time code replaces any earlier one (the password is kept until the
        code is used)."""
        self.require_open()
        self.record(
            self.SetPasswordCodeIssued,
            by,
            at,
            code_hash=code_hash,
            expires_at=aware(at) + valid_for,
        )

    def set_password(
        self, by: Actor, code: str, password: str, hasher: SecretHasher, at: datetime
    ) -> None:
        """With the one-time code an administrator issued; the code is used up."""
        self.require_open()
        if self.code_hash is None or self.code_expires_at is None:
            raise SetPasswordCodeInvalid(
                "no set-password code is waiting for this account: ask an administrator for one"
            )
        if aware(at) >= self.code_expires_at:
            raise SetPasswordCodeInvalid(
                "this set-password code has expired: ask an administrator for a new one"
            )
        if not hasher.verify(self.code_hash, code):
            raise SetPasswordCodeInvalid("this is not the set-password code that was issued")
        check_password_rules(self.user_name, password)
        self.record(self.PasswordSet, by, at, password_hash=hasher.hash(password))

    def password_matches(self, password: str, hasher: SecretHasher) -> bool:
        return self.password_hash is not None and hasher.verify(self.password_hash, password)

    def enrol_second_factor(self, by: Actor, totp_secret: str, at: datetime) -> None:
        """Once per account: replacing a second factor needs more than the password."""
        self.require_open()
        if self.password_hash is None:
            raise PasswordNotSet("set a password before enrolling a second factor")
        if self.totp_secret is not None:
            raise SecondFactorAlreadyEnrolled(
                f"the account {self.user_name} already has a second factor"
            )
        if not totp_secret:
            raise InvalidValue("totp_secret", "must not be empty")
        self.record(self.SecondFactorEnrolled, by, at, totp_secret=totp_secret)

    def remove_second_factor(self, by: Actor, reason: str, at: datetime) -> None:
        """A lost authenticator: the person enrols a new one with their password."""
        self.require_open()
        if self.totp_secret is None:
            raise InvalidValue("second_factor", f"the account {self.user_name} has none")
        self.record(self.SecondFactorRemoved, by, at, reason=reason.strip())

    def lock(
        self, by: Actor, until: datetime, reason: str, failures: int, source: str, at: datetime
    ) -> None:
        if self.is_locked(at) and self.locked_until is not None and self.locked_until >= until:
            return
        self.record(
            self.Locked, by, at, until=aware(until), reason=reason, failures=failures, source=source
        )

    def unlock(self, by: Actor, reason: str, at: datetime) -> None:
        if not self.is_locked(at):
            raise AccountNotLocked(f"the account {self.user_name} is not locked")
        self.record(self.Unlocked, by, at, reason=reason)

    def close(self, by: Actor, reason: str, at: datetime) -> None:
        self.require_open()
        self.record(self.Closed, by, at, reason=reason.strip())
