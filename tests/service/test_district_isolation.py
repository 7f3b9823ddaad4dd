"""A district on one store: every centre's staff see only their own centre's cases;
a referral to another centre's department shares the referral (what it says of the
case) with that department, never the case itself, and nobody else outside."""

from collections.abc import Iterator
from uuid import UUID

import pytest

from casework.access import AccessDenied
from casework.aggregates.base import Actor, Role
from casework.aggregates.organisation import ORGANISATION_ID
from casework.aggregates.referral import HolderKind, Referral
from casework.application import Casework
from casework.application.repository import apply_events
from casework.demo.district import DistrictBuild, Planned
from casework.settings import Settings
from casework.store.master_key import MasterKey


@pytest.fixture
def district(settings: Settings, master_key: MasterKey) -> Iterator[Casework]:
    app = Casework(settings, master_key)
    DistrictBuild(app, Planned(centres=3, cases_per_centre=8)).run()
    yield app
    app.close()


def _acting(app: Casework) -> list[tuple[Actor, UUID, UUID | None]]:
    """Everyone on the district's staff who may read cases at all, in each role they
    hold: (who, their centre, their department). Compliance reviewers audit the
    whole organisation (`access._by_role`) and administrators see no case content."""
    return [
        (Actor(s.id, role), s.centre_id, s.department_id)
        for s in app.list_staff()
        for role in s.roles
        if role not in (Role.COMPLIANCE_REVIEWER, Role.ADMINISTRATOR)
    ]


def test_every_centre_sees_only_its_own_cases(district: Casework) -> None:
    app = district
    centre_of = {c: app._case(c).centre_id for c in app.case_ids()}
    assert len(set(centre_of.values())) == 3
    seen_in = dict.fromkeys(set(centre_of.values()), 0)
    for actor, centre_id, _department in _acting(app):
        visible = app.cases_visible_to(actor, centre_of)
        assert {centre_of[c] for c in visible} <= {centre_id}, (actor, "sees another centre")
        seen_in[centre_id] += len(visible)
    assert all(seen_in.values()), "every centre's staff see their own cases"


def test_a_referral_to_another_centre_is_shared_with_that_department_only(
    district: Casework,
) -> None:
    app = district
    referrals = [app._referral(i) for i in app.record_ids(Referral.Sent)]
    department_centre = {d.department_id: d.centre_id for d in app.get_organisation().departments}
    across = [
        r
        for r in referrals
        if r.receiver.kind is HolderKind.DEPARTMENT
        and department_centre[r.receiver.id] != app._case(r.case_id).centre_id
    ]
    assert across, "the district refers cases between centres"
    staff = _acting(app)
    for referral in across:
        for actor, _centre, department in staff:
            if department == referral.receiver.id and actor.role in (
                Role.CASEWORKER,
                Role.DEPARTMENT_HEAD,
            ):
                assert app.get_referral(actor, referral.id).case_id == referral.case_id
                with pytest.raises(AccessDenied):
                    app.read_case(actor, referral.case_id)
            elif app.cases_visible_to(actor, [referral.case_id]) == []:
                with pytest.raises(AccessDenied):
                    app.get_referral(actor, referral.id)


def test_a_districts_organisation_loads_from_its_snapshot_as_from_its_events(
    store: Casework,
) -> None:
    """Every centre, department and person adds an event to the organisation, which
    intake loads: a district's is snapshotted, and the snapshot holds what the events say."""
    DistrictBuild(store, Planned(centres=4, cases_per_centre=1)).run()
    loaded = store.get_organisation()
    assert loaded.version > 100
    assert list(store.snapshots.get(ORGANISATION_ID)), "snapshotted"
    replayed = apply_events(None, store.events.get(ORGANISATION_ID))
    assert replayed.version == loaded.version
    assert (replayed.centres, replayed.departments, replayed.staff_ids) == (
        loaded.centres,
        loaded.departments,
        loaded.staff_ids,
    )
