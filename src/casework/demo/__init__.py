"""The demo centre: a believable family integrated service centre (家庭综合服务中心) with
its six departments, ~20 staff and their supervisors, and ~200 cases at every stage,
in Chinese and English. Built once per store; building again only describes it.

`build_demo` tells the story in order: the cast (`cast`), the cases (`cases`), then the
referral chains (`referrals`), supervision (`supervision`) and reviews (`reviews`) on
top of them; `describe` (`summary`) says what a store holds.
"""

import random
from datetime import UTC, datetime

from casework.aggregates.base import Role
from casework.aggregates.case import OPEN_STATUSES
from casework.application import Casework
from casework.demo.cases import CASES, one_case
from casework.demo.cast import DEPARTMENTS, ORGANISATION, STAFF, a_worker_leaves, found_centre
from casework.demo.referrals import add_referral_chains
from casework.demo.reviews import review_notes
from casework.demo.summary import describe
from casework.demo.supervision import supervise

# Seeded: the same centre, names and stories every time (only ids differ).
SEED = 20260301


def has_demo(app: Casework) -> bool:
    return app.has_organisation() and app.get_organisation().name == ORGANISATION


def ensure_demo(app: Casework, cases: int = CASES) -> bool:
    """Build the demo into an empty store; returns False (building nothing) when the
    store already holds an organisation, demo or not."""
    if app.has_organisation():
        return False
    build_demo(app, cases)
    return True


def build_demo(app: Casework, cases: int = CASES, seed: int = SEED) -> None:
    """Build the whole demo centre into `app`'s store (which holds no organisation yet)."""
    rng = random.Random(seed)
    people = found_centre(app)
    today = datetime.now(tz=UTC)
    for n in range(cases):
        one_case(app, people, rng, today, n)
    a_worker_leaves(app, people)
    staff = {s.id: s for s in app.list_staff()}
    open_cases = [c for c in map(app.repository.get, app.case_ids()) if c.status in OPEN_STATUSES]
    add_referral_chains(app, rng, today, staff, open_cases)
    for supervisor in [s for s in staff.values() if Role.SUPERVISOR in s.roles]:
        supervise(app, rng, today, staff, supervisor)
    review_notes(app, rng, today, staff, open_cases)


__all__ = [
    "CASES",
    "DEPARTMENTS",
    "SEED",
    "STAFF",
    "build_demo",
    "describe",
    "ensure_demo",
    "has_demo",
]
