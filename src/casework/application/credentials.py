"""What a person proves who they are with: Argon2id hashes of passwords and one-time
set-password codes (`argon2-cffi`), and TOTP second factors (`pyotp`, RFC 6238:
30-second steps, 6 digits, one step of clock drift either way)."""

import hmac
import secrets
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Letters and digits that cannot be mistaken for one another when read aloud or typed.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_CODE_GROUPS = 4
_CODE_GROUP_LENGTH = 4  # 16 symbols of 30: about 78 bits
TOTP_DRIFT_STEPS = 1


class Argon2Hasher:
    """Argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile)
    unless given another `PasswordHasher` (the tests use a cheaper one)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # Checked against when there is no account, so that a wrong user name takes as
        # long to refuse as a wrong password.
        self.decoy = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, secret: str) -> str:
        return self.hasher.hash(secret)

    def verify(self, hashed: str, secret: str) -> bool:
        try:
            return self.hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    def waste_time(self, secret: str) -> None:
        self.verify(self.decoy, secret)


def new_set_password_code() -> str:
    """A one-time code to read out or hand over, e.g. `K7QM-3XTA-PW9R-ZC4E`."""
    symbols = "".join(
        secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUPS * _CODE_GROUP_LENGTH)
    )
    return "-".join(
        symbols[i : i + _CODE_GROUP_LENGTH] for i in range(0, len(symbols), _CODE_GROUP_LENGTH)
    )


def normalise_code(code: str) -> str:
    """The code as issued, however it was typed (case, spaces, dashes)."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "-".join(
        text[i : i + _CODE_GROUP_LENGTH] for i in range(0, len(text), _CODE_GROUP_LENGTH)
    )


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 32 base32 symbols: 160 bits


def totp_uri(secret: str, user_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user_name, issuer_name=issuer)


def totp_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code this is (within the allowed drift), or None."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for offset in range(-TOTP_DRIFT_STEPS, TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(now_step + offset), code):
            return now_step + offset
    return None
