"""A district: `centres` family integrated service centres of one organisation in one
store, `cases_per_centre` cases each, for trying casework at a city's scale.

Every centre is staffed like the demo centre (its own director, six departments, heads,
caseworkers, specialists, an internal and an external supervisor, an auditor) with
names drawn for it; the district's IT administrator sits in the first centre. A centre
holds the demo's mix of short cases at every stage and, one case in `LONG_EVERY`, a long
case followed for years with hundreds of notes and a plan in several versions
(`cases.long_case`); then referral chains to the outside agencies, to its own
departments and to the neighbouring centre's; group and individual supervision;
reviews; and an account for its director.

Resumable as the demo is (`journal`): each step is journalled when done (a centre's
staffing, each case, its referrals, supervision, reviews, accounts, then "centre k
complete"), so a rerun builds only what is missing and a half-built centre is never
counted as complete. Commands go through the service layer; a case's own history goes
through `CaseStory`, which asks the service layer's access rule before every command
(ADR 0061).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from uuid import UUID, uuid4

from casework.aggregates.agency import Agency
from casework.aggregates.base import Actor, Role, RuleBroken
from casework.aggregates.case import OPEN_STATUSES, Case
from casework.aggregates.organisation import ORGANISATION_ID
from casework.aggregates.staff import Staff
from casework.application import Casework
from casework.application.commands.organisation import AddCentre
from casework.demo.accounts import DEMO_PASSWORD, demo_user_name
from casework.demo.cases import COMMUNITIES, GIVEN, SURNAMES, long_case, one_case
from casework.demo.cast import STAFF, Member, People, people_of, staff_centre
from casework.demo.journal import COMPLETE, DemoJournal
from casework.demo.referrals import add_referral_chains, register_agencies
from casework.demo.reviews import review_notes
from casework.demo.supervision import supervise

DISTRICT = "海珠区家庭综合服务中心联合体 Haizhu District Family Service Centres"
SEED = 20261201
# One case in ten is long: LONG_NOTES notes over two or three years.
LONG_EVERY = 10
LONG_NOTES = (100, 400)
# What each centre does after its cases, in order.
CENTRE_STEPS = ("referrals", "supervision", "reviews", "accounts")


class DistrictInterrupted(RuleBroken):
    """The store holds something else, or a district planned with other numbers."""

    rule = "district_interrupted"
    status = 409


@dataclass(frozen=True)
class Planned:
    centres: int
    cases_per_centre: int

    @property
    def steps(self) -> int:
        """Journalled steps of the whole build (the progress bar's total)."""
        per_centre = 1 + self.cases_per_centre + len(CENTRE_STEPS) + 1
        return 1 + self.centres * per_centre + 1

    def __str__(self) -> str:
        return f"district={self.centres},{self.cases_per_centre}"

    @classmethod
    def parse(cls, step: str) -> "Planned":
        centres, cases = step.removeprefix("district=").split(",")
        return cls(int(centres), int(cases))


def centre_name(k: int) -> str:
    community = COMMUNITIES[k % len(COMMUNITIES)]
    return f"{community}街第{k + 1}家庭综合服务中心 Family Integrated Service Centre {k + 1:03d}"


def roster(k: int, seed: int = SEED) -> list[Member]:
    """Centre `k`'s staff: the demo centre's posts, with names drawn for this centre
    (each post keeps its description, "(lawyer)"); the district's one administrator
    is in the first centre."""
    rng = random.Random(f"{seed}:roster {k}")
    names: set[str] = set()
    members: list[Member] = []
    for post, roles, disciplines, department, external in STAFF:
        if Role.ADMINISTRATOR in roles and k > 0:
            continue
        name = ""
        while not name or name in names:
            (surname, surname_en), (given, given_en) = rng.choice(SURNAMES), rng.choice(GIVEN)
            suffix = post[post.index("(") :] if "(" in post else ""
            name = f"{surname}{given} {surname_en} {given_en} {suffix}".strip()
        names.add(name)
        members.append((name, roles, disciplines, department, external))
    return members


def user_name(k: int, name: str) -> str:
    """Centre `k`'s user names carry the centre's number: "c007.chen.jing"."""
    return f"c{k + 1:03d}.{demo_user_name(name)}"


def planned_district(app: Casework) -> Planned | None:
    """The district this store was planned to hold, or None (none planned here)."""
    if not app.has_organisation() or app.get_organisation().name != DISTRICT:
        return None
    return next(
        (Planned.parse(s) for s in DemoJournal(app).done() if s.startswith("district=")), None
    )


def has_district(app: Casework) -> bool:
    """The whole district is in this store (one whose build was interrupted is not)."""
    return planned_district(app) is not None and COMPLETE in DemoJournal(app).done()


def centres_complete(app: Casework) -> int:
    return sum(s.endswith(" complete") for s in DemoJournal(app).done())


class DistrictBuild:
    """One run of the district build; `step` is called after every journalled step."""

    def __init__(
        self,
        app: Casework,
        planned: Planned,
        step: Callable[[str], None] = lambda _: None,
        seed: int = SEED,
    ) -> None:
        self.app = app
        self.planned = planned
        self.on_step = step
        self.seed = seed
        self.journal = DemoJournal(app)
        self.today = datetime.now(tz=UTC)
        self.people: dict[int, People] = {}

    def run(self) -> None:
        self.journal.create()
        self.done = self.journal.done()
        self._check_plan()
        centre_ids: dict[str, UUID] = {}
        if self.app.has_organisation():
            centre_ids = {c.name: c.centre_id for c in self.app.get_organisation().centres}
        # A case cut short by an interruption stays as it was (records are never
        # deleted) and counts as built: at most one, the first not journalled.
        self.started = 0
        if any(s.startswith("centre ") for s in self.done):
            journalled = sum(" case " in s for s in self.done)
            self.started = len(self.app.case_ids()) - journalled
        for k in range(self.planned.centres):
            if f"centre {k} complete" not in self.done:
                self._centre(k, centre_ids.get(centre_name(k)))
        self._finish(COMPLETE)

    def _check_plan(self) -> None:
        found = next((s for s in self.done if s.startswith("district=")), None)
        if found is None:
            if self.app.has_organisation():
                raise DistrictInterrupted(
                    "this store holds another organisation (or the demo centre): build the "
                    "district into an empty store"
                )
            self._finish(str(self.planned))
        elif Planned.parse(found) != self.planned:
            raise DistrictInterrupted(
                f"this store's district was planned as {Planned.parse(found).centres} "
                f"centres of {Planned.parse(found).cases_per_centre} cases: run again with "
                "those numbers to finish it"
            )

    def _finish(self, step: str) -> None:
        self.journal.finish(step)
        self.done.add(step)
        self.on_step(step)

    def _rng(self, step: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}")

    @cached_property
    def _stored_staff(self) -> list[Staff]:
        """Everyone on the district's staff, read once (for a resumed build only)."""
        return self.app.list_staff()

    def _people(self, k: int) -> People:
        """Centre `k`'s cast: as staffed in this run, or read back from the store."""
        if k not in self.people:
            centre_id = next(
                c.centre_id for c in self.app.get_organisation().centres if c.name == centre_name(k)
            )
            self.people[k] = people_of(
                self.app, centre_id, roster(k, self.seed), self._stored_staff
            )
        return self.people[k]

    def _founder(self) -> Actor:
        """Whoever founded the organisation (a resumed build goes on as them), or a
        new founder for an empty store."""
        if not self.app.has_organisation():
            return Actor(uuid4(), Role.ADMINISTRATOR)
        founded = next(iter(self.app.events.get(ORGANISATION_ID, lte=1)))
        return Actor(founded.actor_id, Role.ADMINISTRATOR)  # type: ignore[attr-defined]

    def _administrator(self) -> Actor:
        members = roster(0, self.seed)
        name = next(m[0] for m in members if Role.ADMINISTRATOR in m[1])
        return self._people(0).by_name[name]

    def _centre(self, k: int, centre_id: UUID | None) -> None:
        app, step = self.app, f"centre {k}"
        if step not in self.done:
            staffed = [] if centre_id is None else self._staff_in(centre_id)
            # The founder sets up the first centre until its administrator is on staff;
            # the administrator, the rest.
            founding = k == 0 and not any(Role.ADMINISTRATOR in s.roles for s in staffed)
            by = self._founder() if founding else self._administrator()
            if k == 0 and not app.has_organisation():
                app.found_organisation(by, DISTRICT)
            if centre_id is None:
                centre_id = app.add_centre(
                    by, AddCentre(name=centre_name(k), district="海珠区 Haizhu District")
                )
            self.people[k] = staff_centre(app, by, centre_id, roster(k, self.seed), staffed)
            self._finish(step)
        people = self._people(k)
        for n in range(self.planned.cases_per_centre):
            case_step = f"centre {k} case {n}"
            if case_step in self.done:
                continue
            if self.started > 0:
                self.started -= 1
            else:
                rng = self._rng(case_step)
                if n % LONG_EVERY == LONG_EVERY - 1:
                    long_case(app, people, rng, self.today, rng.randint(*LONG_NOTES))
                else:
                    one_case(app, people, rng, self.today, n)
            self._finish(case_step)
        for what in CENTRE_STEPS:
            if f"centre {k} {what}" not in self.done:
                getattr(self, f"_{what}")(k, people, self._rng(f"centre {k} {what}"))
                self._finish(f"centre {k} {what}")
        self._finish(f"centre {k} complete")

    def _staff_in(self, centre_id: UUID) -> list[Staff]:
        """Whom a centre whose staffing was interrupted has already (kept, not doubled)."""
        return [s for s in self.app.list_staff() if s.centre_id == centre_id]

    def _centre_staff(self, people: People) -> dict[UUID, Staff]:
        return {a.staff_id: self.app.get_staff(a.staff_id) for a in people.by_name.values()}

    def _open_cases(self, people: People) -> list[Case]:
        case_ids = {c for s in self._centre_staff(people).values() for c in s.lead_case_ids}
        cases = [self.app._case(c) for c in sorted(case_ids)]
        return [c for c in cases if c.status in OPEN_STATUSES]

    def _director(self, k: int) -> Actor:
        return self._people(k).by_name[roster(k, self.seed)[0][0]]

    def _referrals(self, k: int, people: People, rng: random.Random) -> None:
        """To the agencies, the centre's own departments and the previous centre's."""
        agencies = self.app.record_ids(Agency.Registered)
        if not agencies:
            agencies = register_agencies(self.app, rng, self._director(0))
        heads = dict(people.heads)
        if k > 0:
            heads.update(self._people(k - 1).heads)
        add_referral_chains(self.app, rng, self.today, agencies, heads, self._open_cases(people))

    def _supervision(self, k: int, people: People, rng: random.Random) -> None:
        staff = self._centre_staff(people)
        for supervisor in [s for s in staff.values() if Role.SUPERVISOR in s.roles]:
            supervise(self.app, rng, self.today, staff, supervisor)

    def _reviews(self, k: int, people: People, rng: random.Random) -> None:
        review_notes(
            self.app, rng, self.today, self._centre_staff(people), self._open_cases(people)
        )

    def _accounts(self, k: int, people: People, rng: random.Random) -> None:
        """The director's account, opened by the district administrator with a one-time
        code to hand over (as for real staff; each code costs an Argon2 hash, so the
        other staff have none); the first centre's director and the administrator have
        the demo password, to sign in with."""
        app = self.app
        members = roster(k, self.seed)
        director = user_name(k, members[0][0])
        if k == 0 and not app.account_names.any():
            admin = next(m[0] for m in members if Role.ADMINISTRATOR in m[1])
            first = app.create_first_administrator(
                user_name(0, admin), staff_id=people.by_name[admin].staff_id
            )
            app.set_password(user_name(0, admin), first.code, DEMO_PASSWORD)
        if app.account_names.by_user_name(director) is None:
            staff_id = people.by_name[members[0][0]].staff_id
            code = app.open_account(self._administrator(), staff_id, director)
            if k == 0:
                app.set_password(director, code.code, DEMO_PASSWORD)
