"""The first administrator of an empty store, and what an account stream holds on
disk: sealed, with hashes where secrets would be."""

import pyotp
import pytest

from casework.aggregates.base import InvalidValue, Role
from casework.application import Casework
from casework.application.accounts import INSTALLER, FirstAdministratorExists
from casework.application.commands.organisation import AddStaff
from tests.identity.steps import PASSWORD, actions, raw_rows, with_test_clock


def test_the_first_administrator_founds_the_store_and_opens_the_next_account(
    store: Casework,
) -> None:
    clock = with_test_clock(store)
    with pytest.raises(InvalidValue, match=r"^organisation_name: "):
        store.create_first_administrator("it.admin", staff_name="IT Admin")
    code = store.create_first_administrator(
        "it.admin",
        staff_name="IT Admin",
        organisation_name="阳光社工服务中心 Sunshine Social Work",
        centre_name="海珠家综 Haizhu Family Centre",
        district="海珠区",
    )
    administrator = store.get_staff(code.staff_id)
    assert administrator.roles == [Role.ADMINISTRATOR] and administrator.active
    organisation = store.get_organisation()
    assert [c.name for c in organisation.centres] == ["海珠家综 Haizhu Family Centre"]
    assert organisation.staff_ids == [code.staff_id]
    account = store.get_account("it.admin")
    assert account.first_administrator and account.staff_id == code.staff_id
    assert next(iter(store.events.get(account.id))).actor_id == INSTALLER.staff_id
    with pytest.raises(FirstAdministratorExists, match="already has accounts"):
        store.create_first_administrator("second.admin", staff_name="Someone Else")

    store.set_password("it.admin", code.code, PASSWORD)
    totp = pyotp.TOTP(store.enrol_second_factor("it.admin", PASSWORD).secret)
    signed_in = store.sign_in(
        "it.admin", PASSWORD, totp.at(clock.at), Role.ADMINISTRATOR, "", "cli"
    )
    admin = store.authenticate(signed_in.token, "cli")  # type: ignore[arg-type]
    worker = store.add_staff(
        admin,
        AddStaff(
            name="陈静 Chen Jing",
            centre_id=organisation.centres[0].centre_id,
            roles=[Role.CASEWORKER],
            disciplines=[],
        ),
    )
    opened = store.open_account(admin, worker, "chen.jing")
    assert store.get_account("chen.jing").staff_id == worker == opened.staff_id
    assert actions(store) == [("sign_in", "allowed")]


def test_an_account_stream_is_sealed_and_holds_only_hashes(store: Casework) -> None:
    with_test_clock(store)
    code = store.create_first_administrator(
        "it.admin", staff_name="IT Admin", organisation_name="Org", centre_name="Centre"
    )
    store.set_password("it.admin", code.code, PASSWORD)
    secret = store.enrol_second_factor("it.admin", PASSWORD).secret
    account = store.get_account("it.admin")
    assert account.totp_secret == secret
    assert account.code_hash is None  # used up
    table = store.database.events_table
    on_disk = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in raw_rows(store, table)
        for value in row
    )
    for clear in (secret, PASSWORD, code.code, "it.admin", "IT Admin"):
        assert clear.encode() not in on_disk
    names = raw_rows(store, "casework_accounts")
    assert len(names) == 1 and b"it.admin" not in bytes(names[0][1])
