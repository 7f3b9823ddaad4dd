"""The one configuration surface: environment variables, read once."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from casework.store.key_files import read_master_key_file
from casework.store.master_key import MasterKey


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    key_dir: Path
    master_key_base64: str | None
    signing_key_file: Path
    late_entry_hours: int = 48
    # Time a referral's receiver has to answer, by urgency (ResponseDeadlines.parse).
    referral_deadlines: str = "emergency=4h,urgent=2d,routine=10d"
    # Sign-in (ADR 0050): a second factor for every role unless turned off (a demo),
    # session limits, and when failed sign-ins lock an account or a source.
    require_totp: bool = True
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    lockout_failures: int = 5
    lockout_source_failures: int = 20
    lockout_minutes: int = 15
    set_password_code_hours: int = 72
    # C2SP checkpoints and witnesses (ADR 0046): the store's origin line (empty: one
    # derived from a random store id), the witnesses (`url verifier-key` entries, one a
    # line or comma-separated) and how many of them must cosign (k of n).
    ledger_origin: str = ""
    witnesses: str = ""
    witness_policy: int = 0
    # A streaming replica of the PostgreSQL store the views are read from (store/replica).
    read_replica_url: str = ""

    @property
    def master_key_file(self) -> Path:
        return self.key_dir / "master.key"

    @property
    def verify_key_file(self) -> Path:
        return self.signing_key_file.with_suffix(".pub")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("CASEWORK_DATA_DIR") or "casework-data")
        key_dir = Path(env.get("CASEWORK_KEY_DIR") or data_dir / "keys")
        return cls(
            data_dir=data_dir,
            database_url=env.get("CASEWORK_DATABASE_URL")
            or f"sqlite:///{data_dir / 'casework.db'}",
            key_dir=key_dir,
            master_key_base64=env.get("CASEWORK_MASTER_KEY") or None,
            signing_key_file=Path(
                env.get("CASEWORK_SIGNING_KEY_FILE") or key_dir / "ledger-signing.key"
            ),
            late_entry_hours=int(env.get("CASEWORK_LATE_ENTRY_HOURS") or 48),
            referral_deadlines=env.get("CASEWORK_REFERRAL_DEADLINES")
            or "emergency=4h,urgent=2d,routine=10d",
            require_totp=(env.get("CASEWORK_REQUIRE_TOTP") or "1").strip().lower()
            not in ("0", "false", "no", "off"),
            session_idle_minutes=int(env.get("CASEWORK_SESSION_IDLE_MINUTES") or 30),
            session_absolute_hours=int(env.get("CASEWORK_SESSION_ABSOLUTE_HOURS") or 12),
            lockout_failures=int(env.get("CASEWORK_LOCKOUT_FAILURES") or 5),
            lockout_source_failures=int(env.get("CASEWORK_LOCKOUT_SOURCE_FAILURES") or 20),
            lockout_minutes=int(env.get("CASEWORK_LOCKOUT_MINUTES") or 15),
            set_password_code_hours=int(env.get("CASEWORK_SET_PASSWORD_CODE_HOURS") or 72),
            ledger_origin=(env.get("CASEWORK_LEDGER_ORIGIN") or "").strip(),
            witnesses=env.get("CASEWORK_WITNESSES") or "",
            witness_policy=int(env.get("CASEWORK_WITNESS_POLICY") or 0),
            read_replica_url=env.get("CASEWORK_READ_REPLICA_URL") or "",
        )

    def load_master_key(self) -> MasterKey:
        if self.master_key_base64:
            return MasterKey.from_base64(self.master_key_base64, "CASEWORK_MASTER_KEY")
        return read_master_key_file(self.master_key_file)
