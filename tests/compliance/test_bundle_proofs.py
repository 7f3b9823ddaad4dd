"""A bundle's proofs are checked, never trusted: an aliased or out-of-range leaf index, a
hash that is not 32 bytes, a malformed checkpoint, or the wrong public key are each
refused by name, in the library and at the command line."""

from pathlib import Path

import msgspec
import pytest

from casework.application import Casework
from casework.cli import main
from casework.compliance.bundle import Bundle, verify_bundle
from casework.store.key_files import write_signing_key
from casework.store.ledger import load_public_key
from tests.builders.compliance_steps import family_case, give_ledger_key


@pytest.fixture
def bundle_and_key(app: Casework) -> tuple[Bundle, bytes]:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=5)
    bundle = app.export_case(centre.director, case_id)
    return bundle, load_public_key(app.settings.verify_key_file)


def with_event(bundle: Bundle, position: int, **changes: object) -> bytes:
    events = list(bundle.events)
    events[position] = msgspec.structs.replace(events[position], **changes)  # type: ignore[arg-type]
    return msgspec.structs.replace(bundle, events=events).encode()


def test_a_leaf_index_that_aliases_a_real_one_is_refused(
    bundle_and_key: tuple[Bundle, bytes],
) -> None:
    bundle, public_key = bundle_and_key
    assert verify_bundle(bundle.encode(), public_key).ok
    last = len(bundle.events) - 1
    size = bundle.checkpoint.tree_size
    real = bundle.events[last].leaf_index
    for alias in (real - size, -1 if real == size - 1 else real + size, size):
        report = verify_bundle(with_event(bundle, last, leaf_index=alias), public_key)
        assert any(
            f"claims leaf {alias}, outside the checkpoint's tree of {size} leaves" in p
            for p in report.problems
        ), report.problems


def test_a_proof_hash_that_is_not_32_bytes_is_refused(
    bundle_and_key: tuple[Bundle, bytes],
) -> None:
    bundle, public_key = bundle_and_key
    proof = list(bundle.events[1].inclusion_proof)
    for bad in (proof[0] + "00", proof[0][:-2], "zz" * 32, ""):
        data = with_event(bundle, 1, inclusion_proof=[bad, *proof[1:]])
        report = verify_bundle(data, public_key)
        assert any("values that are not 32-byte hashes" in p for p in report.problems)


def test_two_events_claiming_one_leaf_are_refused(bundle_and_key: tuple[Bundle, bytes]) -> None:
    bundle, public_key = bundle_and_key
    data = with_event(bundle, 2, leaf_index=bundle.events[1].leaf_index)
    report = verify_bundle(data, public_key)
    assert any("which another event holds" in p for p in report.problems)


def test_a_malformed_checkpoint_is_not_a_bundle(bundle_and_key: tuple[Bundle, bytes]) -> None:
    bundle, public_key = bundle_and_key
    for field, value in (("root_hash", "ab" * 31), ("tree_size", -1), ("public_key", "x" * 64)):
        checkpoint = msgspec.structs.replace(bundle.checkpoint, **{field: value})
        data = msgspec.structs.replace(bundle, checkpoint=checkpoint).encode()
        report = verify_bundle(data, public_key)
        assert not report.ok
        assert report.problems[0].startswith("not a bundle:"), report.problems


def test_verify_bundle_with_the_wrong_public_key_says_so(
    tmp_path: Path,
    bundle_and_key: tuple[Bundle, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle, _ = bundle_and_key
    path = tmp_path / "case.bundle.json"
    path.write_bytes(bundle.encode())
    stranger = tmp_path / "stranger" / "ledger-signing.key"
    write_signing_key(stranger)
    assert (
        main(["verify-bundle", str(path), "--public-key", str(stranger.with_suffix(".pub"))]) == 1
    )
    out = capsys.readouterr().out
    assert "FAILED wrong public key: the checkpoint was signed by key" in out
    assert "not by the key you trust" in out
    assert "OK" not in out
