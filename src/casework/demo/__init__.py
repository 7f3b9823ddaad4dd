"""The demo centre: a believable family integrated service centre (家庭综合服务中心) with
its six departments, ~20 staff and their supervisors, and ~200 cases at every stage,
in Chinese and English. Built once per store; building again only describes it, or
finishes a build that was interrupted (`journal`).

`build_demo` tells the story in order: the cast (`cast`), the cases (`cases`), then the
referral chains (`referrals`), supervision (`supervision`) and reviews (`reviews`) on
top of them; `describe` (`summary`) says what a store holds.
"""

import random
from datetime import UTC, datetime

from casework.aggregates.base import Role, RuleBroken
from casework.aggregates.case import OPEN_STATUSES, Case
from casework.application import Casework
from casework.demo.cases import CASES, one_case
from casework.demo.cast import (
    DEPARTMENTS,
    LEAVER,
    ORGANISATION,
    STAFF,
    a_worker_leaves,
    found_centre,
    people_in_store,
)
from casework.demo.journal import COMPLETE, DemoJournal
from casework.demo.referrals import add_referral_chains, register_agencies
from casework.demo.reviews import review_notes
from casework.demo.summary import describe
from casework.demo.supervision import supervise

# Seeded: the same centre, names and stories every time (only ids differ).
SEED = 20260301


def has_demo(app: Casework) -> bool:
    """The whole demo centre is in this store (one whose build was interrupted is not)."""
    if not demo_started(app):
        return False
    journal = DemoJournal(app)
    # A store built before the journal existed holds the finished demo.
    return not journal.exists() or COMPLETE in journal.done()


def demo_started(app: Casework) -> bool:
    return app.has_organisation() and app.get_organisation().name == ORGANISATION


def ensure_demo(app: Casework, cases: int = CASES) -> bool:
    """Build the demo into an empty store, or finish one whose build was interrupted;
    returns False (building nothing) when the store holds the whole demo already, or
    another organisation. Two builds at once must not run: callers hold the store's
    "demo" lock (`Database.exclusive`) around this."""
    if has_demo(app) or (app.has_organisation() and not demo_started(app)):
        return False
    build_demo(app, cases)
    return True


def build_demo(app: Casework, cases: int = CASES, seed: int = SEED) -> None:
    """Build the whole demo centre into `app`'s store, step by step: each step is
    journalled when done, so a rerun after an interruption builds only what is missing.
    Each step draws from its own seeded generator: a resumed build tells the same
    stories as one that ran straight through."""
    journal = DemoJournal(app)
    journal.create()
    done = journal.done()
    planned = next((int(s.split("=")[1]) for s in done if s.startswith("cases=")), None)
    if planned is None:
        if app.has_organisation():
            raise DemoInterrupted(
                "the demo's first step (the centre and its staff) was interrupted, or this "
                "store holds another organisation: build the demo into an empty store"
            )
        journal.finish(f"cases={cases}")
        planned = cases
    today = datetime.now(tz=UTC)

    def step_rng(step: str) -> random.Random:
        return random.Random(f"{seed}:{step}")

    if "centre" not in done:
        if app.has_organisation():
            raise DemoInterrupted(
                "the demo's first step (the centre and its staff) was interrupted: build "
                "the demo into an empty store"
            )
        found_centre(app)
        journal.finish("centre")
    people = people_in_store(app)
    # A case whose story was cut short by the interruption stays as it was (records are
    # never deleted) and counts as built: at most one, the first not journalled.
    started = len(app.case_ids()) - sum(s.startswith("case ") for s in done)
    for n in range(planned):
        step = f"case {n}"
        if step in done:
            continue
        if started > 0:
            started -= 1
        else:
            one_case(app, people, step_rng(step), today, n)
        journal.finish(step)
    if "hand-over" not in done:
        if app.get_staff(people.by_name[LEAVER].staff_id).active:
            a_worker_leaves(app, people)
        journal.finish("hand-over")
    staff = {s.id: s for s in app.list_staff()}
    if "referrals" not in done:
        rng = step_rng("referrals")
        agencies = register_agencies(app, rng, people.by_name[STAFF[0][0]])
        add_referral_chains(app, rng, today, agencies, people.heads, _open_cases(app))
        journal.finish("referrals")
    for supervisor in [s for s in staff.values() if Role.SUPERVISOR in s.roles]:
        step = f"supervision {supervisor.name}"
        if step not in done:
            supervise(app, step_rng(step), today, staff, supervisor)
            journal.finish(step)
    if "reviews" not in done:
        review_notes(app, step_rng("reviews"), today, staff, _open_cases(app))
        journal.finish("reviews")
    journal.finish(COMPLETE)


def _open_cases(app: Casework) -> list[Case]:
    return [c for c in map(app.repository.get, app.case_ids()) if c.status in OPEN_STATUSES]


class DemoInterrupted(RuleBroken):
    """The demo cannot be resumed here (its first step did not finish)."""

    rule = "demo_interrupted"
    status = 409


__all__ = [
    "CASES",
    "DEPARTMENTS",
    "SEED",
    "STAFF",
    "DemoInterrupted",
    "build_demo",
    "demo_started",
    "describe",
    "ensure_demo",
    "has_demo",
]
