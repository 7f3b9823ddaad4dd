"""Accounts for the demo centre's staff, so the demo can be signed in to: one per person
still on staff, with a user name from the Latin part of their name (`liu.yang`) and
the demo password. Opened through the accounts service like any other: the IT
administrator's account first, then everyone else's by that administrator. The demo
has no second factors; a demo server turns the requirement off (`casework serve
--demo`) and says so at every sign-in."""

import re
from dataclasses import dataclass

from casework.aggregates.base import Actor, Role
from casework.application import Casework

# Known to everyone who reads this: for a demo on your own machine, never for real data.
DEMO_PASSWORD = "casework-demo-2026"  # noqa: S105 - published on purpose


@dataclass(frozen=True)
class DemoAccount:
    user_name: str
    name: str
    roles: list[Role]


def demo_user_name(name: str) -> str:
    """ "陈伟文 Prof. Chan Wai-man (university)" → "prof.chan.wai-man"."""
    words = re.findall(r"[A-Za-z][A-Za-z-]*", name.split("(")[0])
    return ".".join(words).lower()


def demo_accounts(app: Casework) -> list[DemoAccount]:
    """Everyone on staff today, as the demo names their accounts."""
    return [
        DemoAccount(demo_user_name(s.name), s.name, list(s.roles))
        for s in app.list_staff()
        if s.active
    ]


def ensure_demo_accounts(app: Casework) -> bool:
    """Open the demo accounts in a store that has none; False (opening nothing) if it
    has accounts already."""
    if app.account_names.any():
        return False
    staff = [s for s in app.list_staff() if s.active]
    administrator = next(s for s in staff if Role.ADMINISTRATOR in s.roles)
    admin_name = demo_user_name(administrator.name)
    first = app.create_first_administrator(admin_name, staff_id=administrator.id)
    app.set_password(admin_name, first.code, DEMO_PASSWORD)
    by = Actor(administrator.id, Role.ADMINISTRATOR)
    for person in staff:
        if person.id == administrator.id:
            continue
        user_name = demo_user_name(person.name)
        code = app.open_account(by, person.id, user_name)
        app.set_password(user_name, code.code, DEMO_PASSWORD)
    return True
