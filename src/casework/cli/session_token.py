"""Where the command line keeps the signed-in session: a token in a 0600 file under the
user's configuration directory (`$XDG_CONFIG_HOME/casework/session`, else
`~/.config/casework/session`), or `CASEWORK_SESSION_TOKEN` for scripts, which wins."""

import os
from collections.abc import Mapping
from pathlib import Path

TOKEN_VARIABLE = "CASEWORK_SESSION_TOKEN"  # noqa: S105 - the variable's name


def session_file(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "casework" / "session"


def read_token(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    if env.get(TOKEN_VARIABLE, "").strip():
        return env[TOKEN_VARIABLE].strip()
    path = session_file(env)
    try:
        return path.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def write_token(token: str, environ: Mapping[str, str] | None = None) -> Path:
    """Readable and writable by this user only, from the moment it exists."""
    path = session_file(environ)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, token.encode("ascii") + b"\n")
    finally:
        os.close(descriptor)
    return path


def forget_token(environ: Mapping[str, str] | None = None) -> bool:
    path = session_file(environ)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
