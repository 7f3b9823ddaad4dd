"""The views read for one person through the service layer (`view_reads`): each shows
only what the access rule lets the reader see, records it, and a page resumes where
the last one ended. Told with the centre's busy week (`busy_centre`)."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import update

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessOutcome
from casework.aggregates.base import InvalidValue
from casework.application import Casework, view_reads
from casework.application.commands.cases import BreakTheGlass
from casework.application.view_reads import CaseFilter, CaseOrder
from casework.projections import Projections
from casework.projections.machinery.generations import view_generations
from casework.store.access_index import AccessQuery
from tests.builders.centre import open_family_case
from tests.projections.test_projections import Story, busy_centre


@pytest.fixture
def week(app: Casework) -> Iterator[tuple[Story, Projections]]:
    """The busy week, the views caught up with it."""
    story = busy_centre(app)
    projections = Projections(app)
    projections.catch_up()
    yield story, projections
    projections.close()


def test_the_case_index_pages_by_risk_over_the_cases_the_reader_may_see(
    app: Casework, week: tuple[Story, Projections]
) -> None:
    story, projections = week
    centre = story.centre
    everyone = CaseFilter()
    head_sees = view_reads.case_index(app, projections, centre.head, everyone, CaseOrder.RISK)
    ids = [c.listing.case_id for c in head_sees.items]
    assert ids == [story.high_risk_case, story.quiet_case]  # high before low
    assert head_sees.next_after is None

    # A page at a time, newest first.
    pages, after = [], None
    while True:
        page = view_reads.case_index(app, projections, centre.head, everyone, after=after, limit=1)
        pages.append([c.listing.case_id for c in page.items])
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == [[story.quiet_case], [story.high_risk_case]]

    # The caseworker's colleague's case is neither shown nor counted; hers is recorded.
    mine = view_reads.case_index(app, projections, centre.worker, everyone, limit=1)
    assert [c.listing.case_id for c in mine.items] == [story.high_risk_case]
    assert mine.items[0].client_names and mine.next_after is None
    read = app.who_read_case(centre.reviewer, story.high_risk_case, AccessQuery())
    assert any(e.staff_id == centre.worker.staff_id and "listed" in e.reason for e in read)

    quiet = CaseFilter(lead_worker_id=centre.second_worker.staff_id)
    assert [
        c.listing.case_id for c in view_reads.case_index(app, projections, centre.head, quiet).items
    ] == [story.quiet_case]

    with pytest.raises(InvalidValue) as error:
        view_reads.case_index(app, projections, centre.head, everyone, after=("x", 1))
    assert error.value.field == "cursor"


def test_every_order_pages_one_case_at_a_time_as_it_lists_them_all(
    app: Casework, week: tuple[Story, Projections]
) -> None:
    """The head pages through her department's cases in each order: the high-risk case,
    reviewed and written up, comes before the quiet one with neither."""
    story, projections = week
    head, everyone = story.centre.head, CaseFilter()
    first = {
        CaseOrder.NEWEST: story.quiet_case,
        CaseOrder.OLDEST: story.high_risk_case,
        CaseOrder.RISK: story.high_risk_case,
        CaseOrder.NEXT_REVIEW: story.high_risk_case,
        CaseOrder.LAST_NOTE: story.high_risk_case,
    }
    for order in CaseOrder:
        whole = view_reads.case_index(app, projections, head, everyone, order)
        paged, after = [], None
        while True:
            page = view_reads.case_index(app, projections, head, everyone, order, after, 1)
            paged += [c.listing.case_id for c in page.items]
            if page.next_after is None:
                break
            after = page.next_after
        assert paged == [c.listing.case_id for c in whole.items], order
        assert paged[0] == first[order] and len(paged) == 2, order


def test_a_list_asks_only_of_the_cases_in_reach_and_finds_all_the_rule_allows(
    app: Casework, week: tuple[Story, Projections]
) -> None:
    """The elderly department's head breaks the glass on the family department's quiet
    case: it is in her list now, as everyone's list holds what asking the access rule
    of every case in the store gives."""
    story, projections = week
    centre = story.centre
    app.break_the_glass(
        centre.elderly_head, story.quiet_case, BreakTheGlass(reason="client at the day centre")
    )
    projections.catch_up()
    readers = [
        centre.worker,
        centre.second_worker,
        centre.head,
        centre.elderly_head,
        centre.supervisor,
        centre.director,
        centre.lawyer,
        centre.psychologist,
        centre.reviewer,
        centre.administrator,
    ]
    for reader in readers:
        listed = view_reads.visible_case_ids(app, projections, reader)
        assert sorted(listed) == sorted(app.cases_visible_to(reader, app.case_ids())), reader
    assert story.quiet_case in view_reads.visible_case_ids(app, projections, centre.elderly_head)
    assert view_reads.visible_case_ids(app, projections, centre.administrator) == []


def test_lists_answer_from_a_case_index_built_before_it_kept_emergency_grants(
    app: Casework, week: tuple[Story, Projections]
) -> None:
    """Until the rebuild of an older case index switches over, lists still answer from
    it, without the grants it has no table for."""
    story, projections = week
    generation = projections.serving()["case_index"]
    with projections.engine.begin() as connection:
        connection.execute(
            update(view_generations)
            .where(view_generations.c.view == "case_index")
            .values(definition="older")
        )
        connection.exec_driver_sql(f"DROP TABLE cwv_case_index_emergency_access_g{generation}")
    older = Projections(app)
    try:
        listed = view_reads.visible_case_ids(app, older, story.centre.worker)
    finally:
        older.close()
    assert listed == [story.high_risk_case]


def test_a_case_plan_and_timeline_are_refused_and_recorded_for_a_colleague(
    app: Casework, week: tuple[Story, Projections]
) -> None:
    story, projections = week
    centre = story.centre
    plan = view_reads.case_plan(app, projections, centre.worker, story.high_risk_case)
    assert [plan.goal_titles[g.goal_id] for g in plan.plan.goals] == [g.title for g in story.goals]
    with pytest.raises(AccessDenied):
        view_reads.case_plan(app, projections, centre.second_worker, story.high_risk_case)
    with pytest.raises(AccessDenied):
        view_reads.audit_timeline(app, projections, centre.second_worker, story.high_risk_case)
    refused = app.who_read_case(
        centre.reviewer, story.high_risk_case, AccessQuery(outcome=AccessOutcome.REFUSED)
    )
    assert [e.staff_id for e in refused] == [centre.second_worker.staff_id] * 2

    pages, after = [], None
    while True:
        page = view_reads.audit_timeline(
            app, projections, centre.worker, story.high_risk_case, after, limit=5
        )
        pages.append([e.position for e in page.items])
        if page.next_after is None:
            break
        after = page.next_after
    positions = [p for page in pages for p in page]
    assert positions == sorted(set(positions)) and len(positions) > 5


def test_referral_chains_supervision_history_and_a_pinned_caseload(
    app: Casework, week: tuple[Story, Projections]
) -> None:
    story, projections = week
    centre = story.centre
    hops = view_reads.referral_chains(app, projections, centre.worker, story.high_risk_case)
    assert [h.referral_id for h in hops.items] == [story.first_referral, story.onward_referral]

    history = view_reads.supervision_history(
        app, projections, centre.supervisor, centre.worker.staff_id
    )
    assert [s.session_id for s in history.items] == [story.session_id]
    with pytest.raises(AccessDenied):
        view_reads.supervision_history(
            app, projections, centre.second_worker, centre.worker.staff_id
        )

    pinned_at = app.last_position()
    before = view_reads.caseload(app, projections, centre.director, date.today(), pinned_at)
    open_family_case(app, centre)
    projections.catch_up()
    again = view_reads.caseload(app, projections, centre.director, date.today(), pinned_at)
    assert again == before  # pinned: what was recorded since does not count
    now = view_reads.caseload(app, projections, centre.director, date.today())
    assert now.position > pinned_at
    with pytest.raises(InvalidValue) as error:
        view_reads.caseload(app, projections, centre.director, date.today(), now.position + 10)
    assert error.value.field == "position"
