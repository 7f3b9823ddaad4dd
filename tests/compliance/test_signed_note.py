"""Conformance of the C2SP note verifier (`casework.store.signed_note`): the spec's
published example verifies; every mutation of it is refused; casework's checkpoints
are tlog-checkpoint notes that verify under the published verifier key; old-form
checkpoints still verify."""

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.application import Casework
from casework.store import ledger as ledger_module
from casework.store.ledger import Checkpoint
from casework.store.merkle import EMPTY_ROOT
from casework.store.signed_note import (
    COSIGNATURE_V1,
    NoteError,
    Verifier,
    cosign,
    open_note,
    parse,
    parse_checkpoint,
    raw_public_key,
    sign_note,
    verifier_key,
)
from tests.builders.centre import write_note
from tests.builders.compliance_steps import family_case, give_ledger_key

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT.parent / "shared" / "vectors" / "signed-note" / "example.json"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    if not EXAMPLE.exists():
        pytest.fail(f"the C2SP signed-note example is missing: expected {EXAMPLE}")
    return json.loads(EXAMPLE.read_text())


def test_the_spec_example_verifies_under_its_verifier_key(example: dict[str, Any]) -> None:
    verifier = Verifier.parse(example["verifier_key"])
    note, verified = open_note(example["note"], [verifier])
    assert note.text == example["signed_text"]
    assert verified == [verifier]
    assert str(verifier) == example["verifier_key"]
    assert verifier_key(verifier.name, verifier.public_key) == example["verifier_key"]


def _flip(note: str) -> str:
    """The example with one bit of its signature flipped."""
    text, line = note.rsplit("\n\n", 1)
    name, encoded = line.rstrip("\n")[2:].split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    return f"{text}\n\n\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"


MUTATIONS = {
    "text altered": lambda n: n.replace("example message", "example massage"),
    "signature bit flipped": _flip,
    "no final newline": lambda n: n.rstrip("\n"),
    "no blank line": lambda n: n.replace("\n\n", "\n"),
    "carriage returns": lambda n: n.replace("\n", "\r\n"),
    "a control character": lambda n: n.replace("This", "Th\x07is"),
    "signature not base64": lambda n: n.replace("Uw2QOkn8", "Uw2QOkn!"),
    "another key name": lambda n: n.replace("\u2014 example.com/foo", "\u2014 example.com/bar"),
    "hyphen for em dash": lambda n: n.replace("\u2014", "-"),
    "no signatures": lambda n: n.split("\n\n")[0] + "\n\n",
    "signature too short": lambda n: n.split("\u2014")[0] + "\u2014 example.com/foo AAAA\n",
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_mutated_note_is_refused(example: dict[str, Any], mutation: str) -> None:
    verifier = Verifier.parse(example["verifier_key"])
    mutated = MUTATIONS[mutation](example["note"])
    assert mutated != example["note"]
    with pytest.raises(NoteError):
        open_note(mutated, [verifier])


def test_a_note_signed_by_an_unknown_key_only_is_refused(example: dict[str, Any]) -> None:
    other = Ed25519PrivateKey.generate()
    stranger = Verifier.parse(verifier_key("example.com/foo", raw_public_key(other)))
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(example["note"], [stranger])
    # and a known key among unknown signatures still verifies
    extra = sign_note(example["signed_text"], "example.com/other", other).split("\n\n")[1]
    note, verified = open_note(example["note"] + extra, [Verifier.parse(example["verifier_key"])])
    assert [v.name for v in verified] == ["example.com/foo"]
    assert len(note.signatures) == 2


@pytest.mark.parametrize(
    "key",
    [
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong id
        "example.com/foo+530d903a",  # no key
        "example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # a space
        "example.com/foo+530d903a+BekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # type
    ],
)
def test_a_malformed_verifier_key_is_refused(key: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(key)


def test_a_cosignature_verifies_only_over_its_time_and_text() -> None:
    key = Ed25519PrivateKey.generate()
    text = "example.com/log\n3\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n"
    signature = cosign(text, "witness.example/w1", key, 1_700_000_000)
    verifier = Verifier.parse(
        verifier_key("witness.example/w1", raw_public_key(key), COSIGNATURE_V1)
    )
    assert verifier.matches(signature) and verifier.verifies(text, signature)
    assert not verifier.verifies(text.replace("\n3\n", "\n4\n"), signature)
    later = signature._replace(signature=(1_700_000_001).to_bytes(8, "big") + signature[2][8:])
    assert not verifier.verifies(text, later)


def test_checkpoints_are_c2sp_notes_under_the_published_verifier_key(app: Casework) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=2)
    checkpoint = app.checkpoint()
    assert checkpoint is not None and checkpoint.origin.startswith("casework.example/")
    note, _ = open_note(checkpoint.note(), [Verifier.parse(checkpoint.verifier_key)])
    body = parse_checkpoint(note.text)
    assert (body.origin, body.size, body.root) == (
        checkpoint.origin,
        checkpoint.tree_size,
        checkpoint.root,
    )
    assert body.extensions[0] == f"seq {checkpoint.seq}"
    assert body.extensions[-1] == f"keys {checkpoint.keys_size} {checkpoint.keys_head}"
    # the origin stays the store's from one checkpoint to the next
    write_note(app, centre.worker, case_id, "a call")
    after = app.checkpoint()
    assert after is not None and after.origin == checkpoint.origin
    assert app.verify().ok


def test_a_configured_origin_is_the_checkpoints_origin(tmp_path: Path, master_key: Any) -> None:
    from casework.settings import Settings

    settings = Settings.from_env(
        {"CASEWORK_DATA_DIR": str(tmp_path / "d"), "CASEWORK_LEDGER_ORIGIN": "centre.example/a"}
    )
    app = Casework(settings, master_key)
    try:
        give_ledger_key(app)
        family_case(app, notes=1)
        checkpoint = app.checkpoint()
        assert checkpoint is not None and checkpoint.origin == "centre.example/a"
        assert checkpoint.verifier_key.startswith("centre.example/a+")
    finally:
        app.close()


def test_old_form_checkpoints_stay_verifiable(
    app: Casework, monkeypatch: pytest.MonkeyPatch
) -> None:
    give_ledger_key(app)
    family_case(app, notes=1)
    monkeypatch.setattr(ledger_module, "new_origin", lambda: "")  # as before ADR 0046
    old = app.checkpoint()
    assert old is not None and not old.origin
    assert old.body().startswith(b"casework ledger checkpoint\n") and old.signature_valid()
    monkeypatch.undo()
    new = app.checkpoint()  # nothing new, but the first checkpoint in the C2SP form
    assert new is not None and new.origin and new.tree_size == old.tree_size
    report = app.verify()
    assert report.ok, report.lines()
    assert app.checkpoint() is None


def test_a_hand_made_note_round_trips() -> None:
    key = Ed25519PrivateKey.generate()
    text = "a.example/log\n0\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n"
    note = sign_note(text, "a.example/log", key)
    parsed = parse(note)
    assert parsed.text == text and len(parsed.signatures) == 1
    unsigned = Checkpoint.sign(key, 1, 0, EMPTY_ROOT, datetime.now(UTC), origin="a.example/log")
    assert open_note(unsigned.note(), [Verifier.parse(unsigned.verifier_key)])
