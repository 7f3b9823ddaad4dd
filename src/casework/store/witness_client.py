"""Witnessed checkpoints, the store's side (ADR 0046): each new checkpoint goes to the
configured witnesses by the C2SP tlog-witness protocol (`POST /add-checkpoint` with a
consistency proof from the size the witness last cosigned), and the cosignatures they
answer with are kept beside the checkpoint, in an append-only table of their own.

A witness is configured as `<url> <verifier key>` (CASEWORK_WITNESSES, entries one a
line or comma-separated); only cosignatures that verify under that key are kept.
"""

import base64
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any, NamedTuple

from casework.store.errors import StoreError
from casework.store.ledger import Checkpoint, Ledger, plain_tuples
from casework.store.merkle import Tree
from casework.store.signed_note import (
    COSIGNATURE_V1,
    NoteError,
    Verifier,
    parse_signature_lines,
)
from casework.store.sql import Dialect
from casework.store.triggers import postgres_append_only, sqlite_append_only

COSIGNATURES_TABLE = "casework_ledger_cosignatures"
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TIMEOUT_SECONDS = 10.0
_ATTEMPTS = 3

logger = logging.getLogger(__name__)


class WitnessConfigError(StoreError):
    """CASEWORK_WITNESSES or CASEWORK_WITNESS_POLICY cannot be read."""


class WitnessEndpoint(NamedTuple):
    url: str  # the submission prefix: `/add-checkpoint` is appended
    verifier: Verifier  # the witness's cosignature (type 0x04) verifier key

    @property
    def ident(self) -> str:
        return f"{self.verifier.name}+{self.verifier.key_id.hex()}"


def parse_witnesses(text: str) -> list[WitnessEndpoint]:
    """`url verifier-key` entries, one a line or separated by commas."""
    found: list[WitnessEndpoint] = []
    for entry in text.replace(",", "\n").splitlines():
        if not entry.strip():
            continue
        fields = entry.split()
        if len(fields) != 2 or not fields[0].startswith(("http://", "https://")):
            raise WitnessConfigError(
                f"CASEWORK_WITNESSES entry {entry.strip()!r} is not `<url> <verifier key>`"
            )
        try:
            verifier = Verifier.parse(fields[1])
        except NoteError as error:
            raise WitnessConfigError(f"CASEWORK_WITNESSES: {error}") from None
        if verifier.kind != COSIGNATURE_V1:
            raise WitnessConfigError(
                f"CASEWORK_WITNESSES: {fields[1]} is not a witness's cosignature key (0x04)"
            )
        found.append(WitnessEndpoint(fields[0].rstrip("/"), verifier))
    return found


class Cosignatures:
    """The cosignatures kept for each checkpoint: one row per (checkpoint, witness)."""

    def __init__(self, datastore: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.dialect = dialect

    def _sql(self, statement: str) -> str:
        return self.dialect.sql(statement, cosignatures=COSIGNATURES_TABLE)

    def create(self) -> None:
        big = self.dialect.bigint
        statements: list[Any] = [
            self._sql(
                f"CREATE TABLE IF NOT EXISTS {{cosignatures}} (seq {big} NOT NULL, "
                f"witness TEXT NOT NULL, tree_size {big} NOT NULL, line TEXT NOT NULL, "
                "received_at TEXT NOT NULL, PRIMARY KEY (seq, witness))"
            )
        ]
        if self.dialect.postgres:
            statements += postgres_append_only(self.dialect.schema or "public", COSIGNATURES_TABLE)
        else:
            statements += sqlite_append_only(COSIGNATURES_TABLE)
        with self.datastore.transaction(commit=True) as c:
            for statement in statements:
                c.execute(statement)

    def add(self, checkpoint: Checkpoint, witness: str, line: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "INSERT INTO {cosignatures} (seq, witness, tree_size, line, received_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
                ),
                (
                    checkpoint.seq,
                    witness,
                    checkpoint.tree_size,
                    line,
                    datetime.now(UTC).isoformat(),
                ),
            )

    def lines(self, seq: int) -> dict[str, str]:
        """The cosignature line of each witness that cosigned checkpoint `seq`."""
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(self._sql("SELECT witness, line FROM {cosignatures} WHERE seq = ?"), (seq,))
            return {str(w): str(line) for w, line in c.fetchall()}

    def last_size(self, witness: str) -> int:
        """The largest tree size `witness` cosigned for this store (0: none)."""
        with self.datastore.transaction(commit=False) as c:
            plain_tuples(c)
            c.execute(
                self._sql("SELECT MAX(tree_size) FROM {cosignatures} WHERE witness = ?"),
                (witness,),
            )
            row = c.fetchone()
            return int(row[0]) if row and row[0] is not None else 0


def valid_cosignature(endpoint: WitnessEndpoint, checkpoint: Checkpoint, block: str) -> str:
    """The first line of `block` that is `endpoint`'s valid cosignature of `checkpoint`
    ("" when none is)."""
    try:
        signatures = parse_signature_lines(block)
    except NoteError:
        return ""
    text = checkpoint.body().decode()
    for signature in signatures:
        if endpoint.verifier.matches(signature) and endpoint.verifier.verifies(text, signature):
            return signature.line()
    return ""


def request_body(old: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("".join(line + "\n" for line in lines) + "\n" + note).encode()


def post(url: str, body: bytes, timeout: float = TIMEOUT_SECONDS) -> tuple[int, str, str]:
    """(status, content type, body) of `POST url`; status 0 when it cannot be reached."""
    request = urllib.request.Request(  # noqa: S310 - the operator's configured witness URL
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as error:
        body_text = error.read().decode(errors="replace")
        return error.code, error.headers.get("Content-Type", ""), body_text
    except (urllib.error.URLError, OSError) as error:
        return 0, "", str(error)


class Submission:
    """Submits one checkpoint to the witnesses; `warnings` says what went wrong."""

    def __init__(self, ledger: Ledger, cosignatures: Cosignatures, checkpoint: Checkpoint) -> None:
        self.ledger = ledger
        self.cosignatures = cosignatures
        self.checkpoint = checkpoint
        self._tree: Tree | None = None
        self.warnings: list[str] = []

    def proof(self, old: int) -> list[bytes]:
        size = self.checkpoint.tree_size
        if old in (0, size):
            return []
        if self._tree is None:
            self._tree = Tree(self.ledger.leaf_hashes(size))
        return self._tree.consistency_proof(old, size)

    def to(self, endpoint: WitnessEndpoint) -> bool:
        """Ask `endpoint` to cosign; True when a valid cosignature is kept."""
        checkpoint, name = self.checkpoint, endpoint.verifier.name
        what = f"witness {name} ({endpoint.url})"
        old = self.cosignatures.last_size(endpoint.ident)
        for _ in range(_ATTEMPTS):
            if old > checkpoint.tree_size:
                self.warn(
                    f"{what} has cosigned {old} events of this log, more than "
                    f"{checkpoint.describe()}: the log was rolled back, or shows it another history"
                )
                return False
            body = request_body(old, self.proof(old), checkpoint.note())
            status, kind, answer = post(endpoint.url + "/add-checkpoint", body)
            if status == 200:
                line = valid_cosignature(endpoint, checkpoint, answer)
                if not line:
                    self.warn(
                        f"{what} answered with no valid cosignature of {checkpoint.describe()}"
                    )
                    return False
                self.cosignatures.add(checkpoint, endpoint.ident, line)
                return True
            if status == 409 and kind.split(";")[0].strip() == SIZE_CONTENT_TYPE:
                reported = answer.strip()
                if not reported.isdigit():
                    break
                if int(reported) == old:
                    self.warn(
                        f"{what} refused {checkpoint.describe()} (409): it cosigned another "
                        f"root for {old} events of this log: two histories"
                    )
                    return False
                old = int(reported)
                continue  # it last cosigned another size: prove consistency from there
            self.warn(f"{what} refused {checkpoint.describe()}: {describe(status, answer)}")
            return False
        self.warn(f"{what} kept answering 409 to {checkpoint.describe()}")
        return False

    def warn(self, message: str) -> None:
        logger.warning("%s", message)
        self.warnings.append(message)


def describe(status: int, answer: str) -> str:
    meaning = {
        0: "unreachable",
        400: "400: a malformed request",
        403: "403: it does not trust the key that signed it",
        404: "404: it does not know this log's origin",
        422: "422: the consistency proof does not verify against the history it cosigned "
        "(two histories, or a rewritten log)",
    }.get(status, f"HTTP {status}")
    detail = answer.strip().splitlines()[0][:200] if answer.strip() else ""
    return f"{meaning} ({detail})" if detail else meaning


def witness_checkpoint(
    ledger: Ledger, cosignatures: Cosignatures, endpoints: list[WitnessEndpoint]
) -> list[str]:
    """Submit the latest checkpoint to every witness that has not cosigned it yet;
    the warnings (a witness unreachable or refusing)."""
    latest = ledger.latest()
    if latest is None or not endpoints:
        return []
    checkpoint = latest.checkpoint
    if not checkpoint.origin:
        return [f"{checkpoint.describe()} has casework's earlier form: no witness can cosign it"]
    have = cosignatures.lines(checkpoint.seq)
    submission = Submission(ledger, cosignatures, checkpoint)
    for endpoint in endpoints:
        if endpoint.ident not in have:
            submission.to(endpoint)
    return submission.warnings
