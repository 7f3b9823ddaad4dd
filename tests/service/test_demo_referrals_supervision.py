"""The demo centre shows referral chains, supervision and reviews in every state the
views need: stalled, looping, unsigned, overdue, lapsed."""

from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from casework import demo
from casework.aggregates.base import Actor, Role
from casework.aggregates.referral import Referral, ReferralStatus
from casework.aggregates.review import Review
from casework.aggregates.supervision import SupervisionSession
from casework.application import Casework


def started(app: Casework, created: type) -> list[UUID]:
    """Ids of the records whose first event is `created` (read from the clear topics)."""
    found = app.recorder.select_notifications(start=1, limit=100_000, topics=[get_topic(created)])
    return [n.originator_id for n in found]


def test_the_demo_centre_refers_supervises_and_reviews(app: Casework) -> None:
    demo.build_demo(app, cases=40)
    now = datetime.now(tz=UTC)
    # The demo's evaluator reads everything (read-only, every reading recorded).
    reviewer = next(
        Actor(s.id, Role.COMPLIANCE_REVIEWER)
        for s in app.list_staff()
        if Role.COMPLIANCE_REVIEWER in s.roles
    )

    referrals = [app.get_referral(reviewer, i) for i in started(app, Referral.Sent)]
    assert any(r.is_stalled(now) for r in referrals)
    assert any(r.loop for r in referrals)
    assert any(r.parent_id for r in referrals)
    assert {ReferralStatus.COMPLETED, ReferralStatus.DECLINED} <= {r.status for r in referrals}

    sessions = [
        app.get_supervision_session(reviewer, i) for i in started(app, SupervisionSession.Recorded)
    ]
    assert any(s.signed_off and len(s.case_ids) >= 1 for s in sessions)
    assert any(s.awaits_sign_off(now) for s in sessions)
    assert any(s.overdue_action_items(now.date()) for s in sessions)
    assert any(d.is_overdue(now.date()) for d in app.supervision_due(reviewer))

    reviews = [app.repository.get(i) for i in started(app, Review.Begun)]
    standings = {
        app.review_standing(reviewer, r.case_id, r.record_kind, r.record_id) for r in reviews
    }
    assert "approved v1; amended since" in standings and "approved v2" in standings
