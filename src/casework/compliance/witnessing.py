"""`verify`'s witness policy (ADR 0046): the latest checkpoint must carry valid
cosignatures from at least k of the configured witnesses (CASEWORK_WITNESS_POLICY=k).

A witness cosigns only a checkpoint that extends the last one it cosigned for the
store's origin, so a store that shows one history to some witnesses and another (a
fork, or a log rewritten and re-signed with a stolen signing key) to the rest cannot
gather k cosignatures for both: the checkpoint short of them is `not_witnessed`.
"""

from casework.compliance.verification import Finding
from casework.store.ledger import Checkpoint
from casework.store.witness_client import WitnessEndpoint, valid_cosignature


def cosigned_by(
    checkpoint: Checkpoint, lines: dict[str, str], endpoints: list[WitnessEndpoint]
) -> list[str]:
    """The names of the configured witnesses whose kept cosignature of `checkpoint`
    verifies (a line edited, or from another key, counts for nothing)."""
    return [
        endpoint.verifier.name
        for endpoint in endpoints
        if endpoint.ident in lines
        and valid_cosignature(endpoint, checkpoint, lines[endpoint.ident])
    ]


def check_witnessed(
    latest: Checkpoint | None,
    lines: dict[str, str],
    endpoints: list[WitnessEndpoint],
    required: int,
) -> tuple[list[Finding], list[str]]:
    """Findings and notes for the latest checkpoint under a k-of-n policy."""
    if latest is None or (required <= 0 and not endpoints):
        return [], []
    if not latest.origin:
        if required <= 0:
            return [], []
        return [
            Finding(
                "not_witnessed",
                f"the latest {latest.describe()} has casework's earlier form, which no "
                f"witness cosigns; the policy asks for {required}: take a checkpoint now",
            )
        ], []
    names = cosigned_by(latest, lines, endpoints)
    missing = [e.verifier.name for e in endpoints if e.verifier.name not in names]
    note = (
        f"the latest {latest.describe()} is cosigned by {len(names)} of {len(endpoints)} "
        f"witnesses ({', '.join(names) or 'none'}); the policy asks for {max(required, 0)}"
    )
    if len(names) >= required:
        return [], [note]
    return [
        Finding(
            "not_witnessed",
            f"the latest {latest.describe()} (origin {latest.origin}) carries valid "
            f"cosignatures from {len(names)} witnesses ({', '.join(names) or 'none'}), fewer "
            f"than the {required} the policy asks for; not cosigned by "
            f"{', '.join(missing) or 'any other configured witness'}: a witness that refused "
            "it has seen another history of this log (a fork, or a log re-signed with the "
            "signing key), or was never reached",
        )
    ], [note]
