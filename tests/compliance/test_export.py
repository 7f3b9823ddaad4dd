"""A reviewer exports a case; someone outside, with only the ledger's public key, checks
the bundle offline, and any change to it is caught."""

from uuid import UUID

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.aggregates.base import Role
from casework.application import Casework
from casework.application.compliance import ExportNotAllowed
from casework.compliance.bundle import Bundle, verify_bundle
from casework.store.ledger import load_public_key
from tests.builders.compliance_steps import family_case, give_ledger_key


def exported(app: Casework) -> tuple[bytes, bytes]:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=4)
    bundle = app.export_case(centre.reviewer, case_id)
    return bundle.encode(), load_public_key(app.settings.verify_key_file)


def reviewers(app: Casework) -> set[UUID]:
    return {s.id for s in app.list_staff() if Role.COMPLIANCE_REVIEWER in s.roles}


def edit(data: bytes, change: object) -> bytes:
    bundle = msgspec.json.decode(data, type=Bundle)
    change(bundle)  # type: ignore[operator]
    return bundle.encode()


def test_an_exported_case_verifies_offline_with_the_public_key_alone(store: Casework) -> None:
    data, public_key = exported(store)
    report = verify_bundle(data, public_key)
    assert report.ok, report.lines()
    bundle = msgspec.json.decode(data, type=Bundle)
    assert report.events == len(bundle.events) > 4
    assert b"home visit 3" in bytes(bundle.events[-1].content)
    assert {bundle.exported_by} == reviewers(store)


def test_a_changed_content_breaks_the_attestation(app: Casework) -> None:
    data, public_key = exported(app)

    def rewrite_note(bundle: Bundle) -> None:
        last = bundle.events[-1]
        text = bytes(last.content).replace(b"home visit 3", b"home visit X")
        bundle.events[-1] = msgspec.structs.replace(last, content=msgspec.Raw(text))

    report = verify_bundle(edit(data, rewrite_note), public_key)
    assert [p.split(":")[0] for p in report.problems] == ["the attestation does not match"]


def test_a_changed_sealed_row_is_not_in_the_ledger(app: Casework) -> None:
    data, public_key = exported(app)

    def flip(bundle: Bundle) -> None:
        first = bundle.events[0]
        state = bytearray(first.sealed_state)
        state[-1] ^= 1
        bundle.events[0] = msgspec.structs.replace(first, sealed_state=bytes(state))

    report = verify_bundle(edit(data, flip), public_key)
    assert any("is not in the ledger as exported" in p for p in report.problems)


def test_a_left_out_event_is_noticed(app: Casework) -> None:
    data, public_key = exported(app)
    report = verify_bundle(edit(data, lambda b: b.events.pop(2)), public_key)
    assert any("is missing versions" in p for p in report.problems)


def test_a_bundle_checked_with_another_key_fails(app: Casework) -> None:
    data, _ = exported(app)
    stranger = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    report = verify_bundle(data, stranger)
    assert any("not by the key you trust" in p for p in report.problems)


def test_only_reviewers_and_the_director_export_a_whole_case(app: Casework) -> None:
    give_ledger_key(app)
    centre, case_id = family_case(app, notes=1)
    with pytest.raises(ExportNotAllowed):
        app.export_case(centre.worker, case_id)
    assert app.export_case(centre.director, case_id).case_id == case_id
