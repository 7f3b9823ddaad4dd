"""Accounts and sign-in: administrators open accounts for staff with a one-time
set-password code; the person sets a password and enrols a TOTP second factor; sign-in
gives an opaque session token for one role they hold today; every request presents it
(`authenticate`) and gets back the `Principal` the rest of the service layer takes.

Failed sign-ins slow down (`retry_after`, never a sleep here) and then lock the
account, and separately the source, for a while. Every sign-in, failure, lockout,
unlock, sign-out and revocation is in the access log. ADR 0050 says why sessions are
a table and account facts are events.
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from casework.access import ActorContext
from casework.aggregates.access_record import AccessAction, AccessOutcome
from casework.aggregates.account import (
    Account,
    AccountClosed,
    SetPasswordCodeInvalid,
    normalise_user_name,
    valid_user_name,
)
from casework.aggregates.base import Actor, InvalidValue, Role, RuleBroken, now
from casework.aggregates.organisation import ORGANISATION_ID, Organisation
from casework.aggregates.staff import RoleNotHeld, Staff, StaffHasLeft
from casework.application.access_log import AccessLogCommands
from casework.application.credentials import (
    Argon2Hasher,
    new_set_password_code,
    new_totp_secret,
    normalise_code,
    totp_step,
    totp_uri,
)
from casework.application.errors import Conflict
from casework.application.principal import CASEWORK_PURPOSE, AccessPoint, Principal
from casework.store.blind_index import ClientIndex
from casework.store.keyring import SEARCH_INDEX_SCOPE
from casework.store.sessions import SessionRow, SessionTable, new_token
from casework.store.sign_in import (
    AccountNames,
    FailureCounters,
    account_key,
    source_key,
)

# Who records the first organisation, centre and administrator, before anyone has an
# account (`casework users create-admin`, run by whoever holds the keys).
INSTALLER = Actor(uuid5(NAMESPACE_URL, "casework:installer"), Role.ADMINISTRATOR)

# Roles whose sign-in needs a second factor while `Settings.require_totp` is on: every
# role. All but the administrator see case content; the administrator opens accounts,
# so their password alone would let its thief give themselves any role.
SECOND_FACTOR_ROLES = frozenset(Role)

# A use moves a session's idle limit on only once it would move it by this much (or a
# tenth of the idle span, if shorter): a write on every request cost more than the
# read it let in. A session unused for its idle span still ends, up to this much
# sooner, never later.
IDLE_LIMIT_STEP = timedelta(minutes=1)

# The slow-down after the n-th failure in a row: 1, 2, 4, 8 … seconds, at most this.
MAX_DELAY_SECONDS = 30

SECOND_FACTOR_OFF_NOTICE = (
    "the second factor is turned off for this store (CASEWORK_REQUIRE_TOTP=0, a demo): "
    "this sign-in used the password only"
)


class NotAdministrator(RuleBroken):
    rule = "accounts_are_for_administrators"
    status = 403


class FirstAdministratorExists(RuleBroken):
    rule = "first_administrator_exists"
    status = 409


class UserNameTaken(RuleBroken):
    rule = "user_name_taken"
    status = 409


class StaffHasAccount(RuleBroken):
    rule = "staff_has_account"
    status = 409


class NoSuchAccount(RuleBroken):
    rule = "no_such_account"
    status = 404


class SignInFailed(RuleBroken):
    """Wrong user name, password or code (which one is not said)."""

    rule = "sign_in_failed"
    status = 401

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class SignInTooSoon(SignInFailed):
    rule = "sign_in_too_soon"
    status = 429


class AccountLocked(SignInFailed):
    rule = "account_locked"
    status = 429


class SourceLocked(SignInFailed):
    rule = "source_locked"
    status = 429


class SecondFactorRequired(SignInFailed):
    rule = "second_factor_required"


class SecondFactorNotEnrolled(RuleBroken):
    rule = "second_factor_not_enrolled"
    status = 403


class NotSignedIn(RuleBroken):
    rule = "not_signed_in"
    status = 401


class SessionExpired(NotSignedIn):
    rule = "session_expired"


class SessionEnded(NotSignedIn):
    rule = "session_ended"


_WRONG = "the user name, password or one-time code is wrong"


@dataclass(frozen=True)
class OneTimeCode:
    """A set-password code for a person to use once before `expires_at`."""

    user_name: str
    staff_id: UUID
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class SecondFactorEnrolment:
    user_name: str
    secret: str
    uri: str  # otpauth:// for an authenticator app (shown as a QR code by the pages)


@dataclass(frozen=True)
class SignedIn:
    token: str  # give it back on every request; it is stored only as a hash
    principal: Principal
    expires_at: datetime  # if not used again (idle limit, never past the absolute one)
    absolute_expires_at: datetime
    second_factor_required: bool
    notice: str = ""  # said when the second factor is turned off


def _retry_seconds(delay: timedelta) -> int:
    return max(1, int(delay.total_seconds() + 0.999))


class AccountCommands(AccessLogCommands):
    clock: Callable[[], datetime] = staticmethod(now)

    @cached_property
    def secret_hasher(self) -> Argon2Hasher:
        return Argon2Hasher()

    @cached_property
    def account_names(self) -> AccountNames:
        datastore = self.factory.datastore  # type: ignore[attr-defined]
        # The user-name index uses the blind-index key; this makes sure it exists.
        ClientIndex(datastore, self.database.dialect, self.keyring).create()
        names = AccountNames(
            datastore,
            self.database.dialect,
            lambda: self.keyring.for_scope(SEARCH_INDEX_SCOPE).secret,
        )
        names.create()
        return names

    @cached_property
    def session_table(self) -> SessionTable:
        table = SessionTable(
            self.factory.datastore,  # type: ignore[attr-defined]
            self.database.dialect,
            self.database.events_table,
        )
        table.create()
        return table

    @cached_property
    def sign_in_failures(self) -> FailureCounters:
        table = FailureCounters(self.factory.datastore, self.database.dialect)  # type: ignore[attr-defined]
        table.create()
        return table

    # --- policy -----------------------------------------------------------------

    def second_factor_required(self, role: Role) -> bool:
        return self.settings.require_totp and Role(role) in SECOND_FACTOR_ROLES

    @property
    def _lockout(self) -> timedelta:
        return timedelta(minutes=self.settings.lockout_minutes)

    # --- accounts -----------------------------------------------------------------

    def create_first_administrator(
        self,
        user_name: str,
        *,
        staff_name: str = "",
        staff_id: UUID | None = None,
        organisation_name: str = "",
        centre_name: str = "",
        district: str = "",
    ) -> OneTimeCode:
        """The first account of a store: for an administrator already on staff
        (`staff_id`), or a new administrator staff record (`staff_name`), founding the
        organisation and its first centre if the store has none. Refused once any
        account exists: administrators open the others."""
        if self.account_names.any():
            raise FirstAdministratorExists(
                "this store already has accounts: an administrator opens new ones "
                "(casework users add)"
            )
        user_name = valid_user_name(user_name)
        at = self.clock()
        records: list[Organisation | Staff] = []
        if staff_id is not None:
            staff = self.load(staff_id, Staff, "staff member")
            if not staff.active or Role.ADMINISTRATOR not in staff.roles:
                raise RoleNotHeld(
                    f"{staff.name} is not an administrator on staff today",
                    staff_id=str(staff_id),
                )
        else:
            organisation = self._organisation_for_installer(organisation_name, at)
            centre_id = self._centre_for_installer(organisation, centre_name, district, at)
            staff = Staff.join(
                INSTALLER, staff_name, centre_id, None, [Role.ADMINISTRATOR], [], occurred_at=at
            )
            organisation.enrol_staff(INSTALLER, staff.id, at)
            records += [organisation, staff]
        account = Account.open(
            INSTALLER, staff.id, user_name, first_administrator=True, occurred_at=at
        )
        code = self._issue_code(account, INSTALLER, at)
        self.save(
            *records, account, with_events=[self.account_names.row(account.id, user_name, staff.id)]
        )
        return code

    def _organisation_for_installer(self, name: str, at: datetime) -> Organisation:
        if self.recorder.select_events(ORGANISATION_ID, limit=1):
            return self.load(ORGANISATION_ID, Organisation, "organisation")
        if not name.strip():
            raise InvalidValue(
                "organisation_name", "this store has no organisation yet: give its name"
            )
        return Organisation.found(INSTALLER, name, at)

    @staticmethod
    def _centre_for_installer(
        organisation: Organisation, name: str, district: str, at: datetime
    ) -> UUID:
        if name.strip():
            same = [c for c in organisation.centres if c.name == name.strip()]
            if same:
                return same[0].centre_id
            return organisation.add_centre(INSTALLER, name, district, at)
        if organisation.centres:
            return organisation.centres[0].centre_id
        raise InvalidValue(
            "centre_name", "the organisation has no centre yet: name the administrator's centre"
        )

    def open_account(self, by: Actor, staff_id: UUID, user_name: str) -> OneTimeCode:
        """An account for someone on staff today; returns the one-time code to hand them."""
        self._require_administrator(by)
        user_name = valid_user_name(user_name)
        staff = self.load(staff_id, Staff, "staff member")
        if not staff.active:
            raise StaffHasLeft(f"{staff.name} left on {staff.left_on}", staff_id=str(staff_id))
        if self.account_names.by_staff(staff_id) is not None:
            raise StaffHasAccount(f"{staff.name} already has an account", staff_id=str(staff_id))
        if self.account_names.by_user_name(user_name) is not None:
            raise UserNameTaken(f"the user name {user_name} is taken", field="user_name")
        at = self.clock()
        account = Account.open(by, staff_id, user_name, occurred_at=at)
        code = self._issue_code(account, by, at)
        self.save(account, with_events=[self.account_names.row(account.id, user_name, staff_id)])
        return code

    def issue_set_password_code(self, by: Actor, user_name: str) -> OneTimeCode:
        """A new one-time code (a forgotten password): the old password works until the
        code is used."""
        self._require_administrator(by)
        account = self._account(user_name)
        at = self.clock()
        code = self._issue_code(account, by, at)
        self.save(account)
        return code

    def _issue_code(self, account: Account, by: Actor, at: datetime) -> OneTimeCode:
        code = new_set_password_code()
        valid_for = timedelta(hours=self.settings.set_password_code_hours)
        account.issue_set_password_code(by, self.secret_hasher.hash(code), valid_for, at)
        return OneTimeCode(account.user_name, account.staff_id, code, at + valid_for)

    def get_account(self, user_name: str) -> Account:
        return self._account(user_name)

    def account_of_staff(self, staff_id: UUID) -> Account | None:
        account_id = self.account_names.by_staff(staff_id)
        return None if account_id is None else self.load(account_id, Account, "account")

    def _find_account(self, user_name: str) -> Account | None:
        name = normalise_user_name(user_name)
        account_id = self.account_names.by_user_name(name) if name else None
        return None if account_id is None else self.load(account_id, Account, "account")

    def _account(self, user_name: str) -> Account:
        account = self._find_account(user_name)
        if account is None:
            raise NoSuchAccount(f"there is no account {normalise_user_name(user_name)!r}")
        return account

    def set_password(
        self,
        user_name: str,
        code: str,
        password: str,
        *,
        source: str = "",
        access_point: AccessPoint = AccessPoint.SERVICE,
    ) -> None:
        """With the one-time code; wrong codes count as failed sign-ins."""
        at = self.clock()
        account = self._find_account(user_name)
        holder = self._holder(account, None, access_point) if account else None
        self._refuse_if_blocked(account, holder, user_name, source, at)
        if account is None or holder is None:
            self.secret_hasher.waste_time(code)
            self._failed(None, None, user_name, source, at, "set-password code for no account")
            raise SetPasswordCodeInvalid("this is not the set-password code that was issued")
        try:
            account.set_password(holder, normalise_code(code), password, self.secret_hasher, at)
        except SetPasswordCodeInvalid as error:
            retry = self._failed(account, holder, user_name, source, at, error.message)
            error.details["retry_after"] = retry
            raise
        self.save(account)

    def enrol_second_factor(
        self,
        user_name: str,
        password: str,
        *,
        issuer: str = "casework",
        source: str = "",
        access_point: AccessPoint = AccessPoint.SERVICE,
    ) -> SecondFactorEnrolment:
        """A TOTP secret for the account, once (after the password is set); returns the
        otpauth URI for an authenticator app. The password is checked like a sign-in."""
        at = self.clock()
        account = self._find_account(user_name)
        holder = self._holder(account, None, access_point) if account else None
        self._refuse_if_blocked(account, holder, user_name, source, at)
        if (
            account is None
            or holder is None
            or not account.password_matches(password, self.secret_hasher)
        ):
            if account is None:
                self.secret_hasher.waste_time(password)
            retry = self._failed(account, holder, user_name, source, at, "wrong password")
            raise SignInFailed(_WRONG, retry)
        secret = new_totp_secret()
        account.enrol_second_factor(holder, secret, at)
        self.save(account)
        return SecondFactorEnrolment(
            account.user_name, secret, totp_uri(secret, account.user_name, issuer)
        )

    def close_account(self, by: Actor, user_name: str, reason: str) -> None:
        """No more sign-ins; the person's sessions end."""
        self._require_administrator(by)
        account = self._account(user_name)
        at = self.clock()
        account.close(by, reason, at)
        self.save(account)
        ended = self.session_table.revoke_staff(account.staff_id, at, "account closed")
        self._record_revocation(by, account.staff_id, ended, "account closed")

    def remove_second_factor(self, by: Actor, user_name: str, reason: str) -> None:
        """A lost authenticator: the person's sessions end and they enrol a new one
        with their password (set a new password first if that may be known too)."""
        self._require_administrator(by)
        account = self._account(user_name)
        at = self.clock()
        account.remove_second_factor(by, reason, at)
        self.save(account)
        ended = self.session_table.revoke_staff(account.staff_id, at, "second factor removed")
        self._record_revocation(by, account.staff_id, ended, "second factor removed")

    def unlock_account(self, by: Actor, user_name: str, reason: str = "") -> None:
        """Lift an account's lockout before it runs out (its failures start again at 0)."""
        self._require_administrator(by)
        account = self._account(user_name)
        at = self.clock()
        account.unlock(by, reason.strip() or "unlocked by an administrator", at)
        self.save(account)
        self.sign_in_failures.clear(account_key(account.id))
        self.record_access(
            by,
            AccessAction.UNLOCKED,
            subject=account.user_name,
            reason=reason.strip() or "unlocked by an administrator",
        )

    def unlock_source(self, by: Actor, source: str, reason: str = "") -> None:
        """Lift a source's lockout (a terminal or an office's address)."""
        self._require_administrator(by)
        source = source.strip()
        if not self.sign_in_failures.get(source_key(source)).failures:
            raise InvalidValue("source", f"no failed sign-ins are counted for {source!r}")
        self.sign_in_failures.clear(source_key(source))
        self.record_access(
            by,
            AccessAction.UNLOCKED,
            subject=f"source {source}",
            source=source,
            reason=reason.strip() or "unlocked by an administrator",
        )

    # --- sign-in ------------------------------------------------------------------------

    def sign_in(
        self,
        user_name: str,
        password: str,
        totp_code: str | None,
        role: Role,
        source: str,
        access_point: AccessPoint,
        purpose: str = CASEWORK_PURPOSE,
    ) -> SignedIn:
        """A session for acting in `role`, which the person must hold today."""
        try:
            role = Role(role)
        except ValueError:
            raise InvalidValue("role", f"not a role: {role!r}") from None
        access_point = AccessPoint(access_point)
        at = self.clock()
        account = self._find_account(user_name)
        who = (
            Principal(account.staff_id, role, access_point=access_point, purpose=purpose)
            if account
            else None
        )
        self._refuse_if_blocked(account, who, user_name, source, at)
        required = self.second_factor_required(role)
        if required and not (totp_code or "").strip():
            self._refused(who, user_name, source, "no second-factor code given")
            raise SecondFactorRequired(
                "this role needs the 6-digit code from your authenticator app"
            )
        if account is None or not account.password_matches(password, self.secret_hasher):
            if account is None:
                self.secret_hasher.waste_time(password)
            raise SignInFailed(
                _WRONG, self._failed(account, who, user_name, source, at, "wrong password")
            )
        if required:
            self._check_second_factor(account, who, totp_code or "", source, at)
        if account.closed:
            self._refused(who, user_name, source, "the account is closed")
            raise AccountClosed(f"the account {account.user_name} is closed")
        staff = self.load(account.staff_id, Staff, "staff member")
        self._require_holds(staff, role, who, user_name, source)
        self.sign_in_failures.clear(account_key(account.id))
        return self._new_session(account, role, access_point, purpose, source, required, at)

    def _check_second_factor(
        self, account: Account, who: Principal | None, code: str, source: str, at: datetime
    ) -> None:
        if account.totp_secret is None:
            self._refused(who, account.user_name, source, "no second factor enrolled")
            raise SecondFactorNotEnrolled(
                "this account has no second factor yet: enrol one (casework users enrol-totp)"
            )
        step = totp_step(account.totp_secret, code, at)
        if step is None or not self.account_names.use_totp_step(account.id, step):
            reason = "wrong second-factor code" if step is None else "second-factor code reused"
            raise SignInFailed(
                _WRONG, self._failed(account, who, account.user_name, source, at, reason)
            )

    def _require_holds(
        self, staff: Staff, role: Role, who: Principal | None, user_name: str, source: str
    ) -> None:
        if not staff.active:
            self._refused(who, user_name, source, "has left the organisation")
            raise StaffHasLeft(f"{staff.name} left on {staff.left_on}")
        if role not in staff.roles:
            self._refused(who, user_name, source, f"does not hold the role {role.value}")
            raise RoleNotHeld(
                f"{staff.name} does not hold the role {role.value} today; "
                f"sign in as one of: {', '.join(r.value for r in staff.roles)}"
            )

    def _new_session(
        self,
        account: Account,
        role: Role,
        access_point: AccessPoint,
        purpose: str,
        source: str,
        required: bool,
        at: datetime,
    ) -> SignedIn:
        token = new_token()
        absolute = at + timedelta(hours=self.settings.session_absolute_hours)
        idle = min(at + timedelta(minutes=self.settings.session_idle_minutes), absolute)
        row = SessionRow(
            session_id=uuid4(),
            account_id=account.id,
            staff_id=account.staff_id,
            role=role,
            access_point=access_point.value,
            purpose=purpose,
            source=source,
            created_at=at,
            last_seen_at=at,
            idle_expires_at=idle,
            absolute_expires_at=absolute,
            revoked_at=None,
            revoked_reason="",
        )
        self.session_table.insert(token, row)
        principal = Principal(
            account.staff_id,
            role,
            session_id=row.session_id,
            access_point=access_point,
            purpose=purpose,
        )
        notice = "" if required else self._second_factor_notice()
        try:
            self.record_access(
                principal,
                AccessAction.SIGN_IN,
                subject=account.user_name,
                source=source,
                reason=notice,
            )
        except RuleBroken:
            # No sign-in without its record: the session is ended before anyone has it.
            self.session_table.revoke([row.session_id], at, "sign-in could not be recorded")
            raise
        return SignedIn(token, principal, idle, absolute, required, notice)

    def _second_factor_notice(self) -> str:
        return "" if self.settings.require_totp else SECOND_FACTOR_OFF_NOTICE

    def authenticate(self, token: str, access_point: AccessPoint) -> Principal:
        """The principal of a live session, its idle limit moved on (`IDLE_LIMIT_STEP`);
        refused when the token is unknown, the session ended or expired, or the person
        no longer holds the role (their sessions then end)."""
        at = self.clock()
        row = self.session_table.find(token) if token else None
        if row is None:
            raise NotSignedIn("you are not signed in (or the token is not known): sign in")
        if row.revoked_at is not None:
            raise SessionEnded(f"this session was ended ({row.revoked_reason}): sign in again")
        if row.expired(at):
            raise SessionExpired("this session has expired: sign in again")
        staff = self.read(row.staff_id, Staff, "staff member", latest=row.staff_version)
        if not staff.active or row.role not in staff.roles:
            reason = (
                "left the organisation"
                if not staff.active
                else f"no longer holds the role {row.role.value}"
            )
            ended = self.session_table.revoke_staff(
                row.staff_id, at, reason, keep_roles=staff.roles if staff.active else ()
            )
            self._record_revocation(None, row.staff_id, ended, reason)
            raise SessionEnded(f"this session was ended ({reason}): sign in again")
        span = timedelta(minutes=self.settings.session_idle_minutes)
        idle = min(at + span, row.absolute_expires_at)
        moved_on = idle - row.idle_expires_at >= min(IDLE_LIMIT_STEP, span / 10)
        if moved_on and not self.session_table.touch(row.session_id, at, idle):
            raise SessionEnded("this session was ended: sign in again")
        return Principal(
            row.staff_id,
            row.role,
            session_id=row.session_id,
            access_point=access_point,
            purpose=row.purpose,
            known_as=ActorContext.of_staff(staff, row.role, at),
        )

    def sign_out(self, principal: Principal) -> None:
        if principal.session_id is None:
            raise NotSignedIn("there is no session to sign out of")
        at = self.clock()
        self.session_table.revoke([principal.session_id], at, "signed out")
        self.record_access(principal, AccessAction.SIGN_OUT)

    def revoke_sessions(self, by: Actor, staff_id: UUID, reason: str = "") -> int:
        """End every open session of a person (a lost laptop, a suspicion); returns how
        many were open."""
        self._require_administrator(by)
        self.load(staff_id, Staff, "staff member")
        reason = reason.strip() or "ended by an administrator"
        ended = self.session_table.revoke_staff(staff_id, self.clock(), reason)
        self._record_revocation(by, staff_id, ended, reason, always=True)
        return len(ended)

    def live_sessions(self, by: Actor, staff_id: UUID) -> list[SessionRow]:
        """A person's sessions that have not ended or expired (for an administrator)."""
        self._require_administrator(by)
        return self.session_table.live_for_staff(staff_id, self.clock())

    def staff_access_changed(self, staff_id: UUID, by: Actor) -> None:
        """After someone leaves or their roles change: end the sessions they may no
        longer use (all of them once they have left)."""
        staff = self.load(staff_id, Staff, "staff member")
        if staff.active:
            reason, keep = "no longer holds the role signed in with", list(staff.roles)
        else:
            reason, keep = "left the organisation", []
        ended = self.session_table.revoke_staff(staff_id, self.clock(), reason, keep_roles=keep)
        self._record_revocation(by, staff_id, ended, reason)

    def _record_revocation(
        self,
        by: Actor | None,
        staff_id: UUID,
        ended: list[UUID],
        reason: str,
        *,
        always: bool = False,
    ) -> None:
        if ended or always:
            self.record_access(
                by,
                AccessAction.SESSIONS_REVOKED,
                subject=str(staff_id),
                record_ids=ended,
                reason=f"{len(ended)} session(s) ended: {reason}",
            )

    # --- throttling ---------------------------------------------------------------------

    def _refuse_if_blocked(
        self,
        account: Account | None,
        who: Principal | None,
        user_name: str,
        source: str,
        at: datetime,
    ) -> None:
        """Refuse, without checking anything secret, while the source or the account is
        locked or still in its slow-down."""
        source_failures = self.sign_in_failures.get(source_key(source)) if source else None
        if source_failures and source_failures.locked_until and at < source_failures.locked_until:
            retry = _retry_seconds(source_failures.locked_until - at)
            self._refused(who, user_name, source, "the source is locked")
            raise SourceLocked(f"too many failed sign-ins from here: try again in {retry} s", retry)
        if account is not None and account.is_locked(at) and account.locked_until is not None:
            retry = _retry_seconds(account.locked_until - at)
            self._refused(who, user_name, source, "the account is locked")
            raise AccountLocked(
                f"this account is locked after failed sign-ins: try again in {retry} s, "
                "or ask an administrator to unlock it",
                retry,
            )
        counters = [source_failures] if source_failures else []
        if account is not None:
            counters.append(self.sign_in_failures.get(account_key(account.id)))
        waits = [
            c.last_failed_at + self._delay(c.failures) - at
            for c in counters
            if c.failures and c.last_failed_at and at - c.last_failed_at < self._lockout
        ]
        wait = max(waits, default=timedelta(0))
        if wait > timedelta(0):
            retry = _retry_seconds(wait)
            self._refused(who, user_name, source, "too soon after a failed sign-in")
            raise SignInTooSoon(f"too soon after a failed sign-in: try again in {retry} s", retry)

    @staticmethod
    def _delay(failures: int) -> timedelta:
        return timedelta(seconds=min(2 ** max(failures - 1, 0), MAX_DELAY_SECONDS))

    def _failed(
        self,
        account: Account | None,
        who: Principal | None,
        user_name: str,
        source: str,
        at: datetime,
        reason: str,
    ) -> int:
        """Count a failure for the account and the source, lock either at its limit,
        record it; returns the seconds to wait before the next attempt."""
        quiet_since = at - self._lockout
        waits = [timedelta(0)]
        self._refused(who, user_name, source, reason)
        if account is not None:
            failures = self.sign_in_failures.count_failure(account_key(account.id), at, quiet_since)
            if failures >= self.settings.lockout_failures:
                self._lock_account(account, who, failures, source, at)
                waits.append(self._lockout)
            else:
                waits.append(self._delay(failures))
        if source:
            failures = self.sign_in_failures.count_failure(source_key(source), at, quiet_since)
            if failures >= self.settings.lockout_source_failures:
                self.sign_in_failures.lock(source_key(source), at + self._lockout)
                self.record_access(
                    who,
                    AccessAction.LOCKED_OUT,
                    outcome=AccessOutcome.REFUSED,
                    subject=f"source {source}",
                    source=source,
                    reason=f"{failures} failed sign-ins from this source; locked for "
                    f"{self.settings.lockout_minutes} min",
                )
                waits.append(self._lockout)
            else:
                waits.append(self._delay(failures))
        return _retry_seconds(max(waits))

    def _lock_account(
        self, account: Account, who: Principal | None, failures: int, source: str, at: datetime
    ) -> None:
        reason = f"{failures} failed sign-ins in a row"
        holder = who or self._holder(account, None, AccessPoint.SERVICE)
        account.lock(holder, at + self._lockout, reason, failures, source, at)
        # Written meanwhile (another failure locked it first, most likely): the counter
        # stays at its limit, so the next failure locks it again if need be.
        with suppress(Conflict):
            self.save(account)
        self.record_access(
            who,
            AccessAction.LOCKED_OUT,
            outcome=AccessOutcome.REFUSED,
            subject=account.user_name,
            source=source,
            reason=f"{reason}; locked for {self.settings.lockout_minutes} min",
        )

    def _refused(self, who: Principal | None, user_name: str, source: str, reason: str) -> None:
        self.record_access(
            who,
            AccessAction.SIGN_IN_FAILED,
            outcome=AccessOutcome.REFUSED,
            subject=normalise_user_name(user_name)[:64],
            source=source,
            reason=reason,
        )

    # --- who may -------------------------------------------------------------------------

    def _holder(self, account: Account, role: Role | None, access_point: AccessPoint) -> Principal:
        """The account's own person (in their first role unless one is given): the
        actor of what they do before they have a session."""
        staff = self.load(account.staff_id, Staff, "staff member")
        return Principal(staff.id, role or staff.roles[0], access_point=access_point)

    def _require_administrator(self, by: Actor) -> None:
        staff = self.load(by.staff_id, Staff, "staff member")
        staff.require_role(by.role)
        if by.role is not Role.ADMINISTRATOR:
            raise NotAdministrator(
                "only administrators manage accounts and sessions",
                role=Role(by.role).value,
            )
