"""The demo centre's supervision: each supervisor meets their supervisees in a group
and one by one; a few records are left unsigned and a few action items overdue."""

import random
from datetime import datetime, timedelta
from uuid import UUID

from casework.aggregates.base import Actor, Role
from casework.aggregates.staff import Staff
from casework.aggregates.supervision import SessionFormat, Topic
from casework.application import Casework
from casework.application.commands.supervision import (
    AddActionItem,
    DiscussCase,
    MarkActionItemDone,
    RecordSupervisionDecision,
    RecordSupervisionSession,
    SignSupervisionSession,
    WriteSupervisionNote,
)


def as_first_role(person: Staff) -> Actor:
    """The person acting in the first role they hold."""
    return Actor(person.id, person.roles[0])


def supervise(
    app: Casework, rng: random.Random, today: datetime, staff: dict[UUID, Staff], supervisor: Staff
) -> None:
    """A group session (when there are two or more) and one session with each supervisee."""
    by = Actor(supervisor.id, Role.SUPERVISOR)
    supervisees = [staff[i] for i in supervisor.supervisees_on(today.date()) if staff[i].active]
    if len(supervisees) >= 2:
        group = supervisees[:4]
        held = today - timedelta(days=rng.randint(10, 20))
        session = app.record_supervision_session(
            by,
            RecordSupervisionSession(
                session_format=SessionFormat.GROUP,
                supervisor_id=supervisor.id,
                supervisee_ids=[s.id for s in group],
                duration_minutes=120,
                topics=[Topic.CASE_PRACTICE, Topic.PROFESSIONAL_DEVELOPMENT],
                occurred_at=held,
            ),
        )
        led = [c for s in group for c in s.lead_case_ids][:3]
        for case_id in led:
            app.discuss_case_in_supervision(
                by,
                session,
                DiscussCase(
                    case_id=case_id,
                    summary="讨论风险评估与家庭会议 risk and a family meeting",
                    advice=["两周内家访 home visit within two weeks"],
                    occurred_at=held,
                ),
            )
        app.record_supervision_decision(
            by,
            session,
            RecordSupervisionDecision(
                decision="高风险个案每周家访 weekly visits for high-risk cases", occurred_at=held
            ),
        )
        done = app.add_action_item(
            by,
            session,
            AddActionItem(
                owner_id=group[0].id,
                description="整理个案记录 bring case notes up to date",
                due_on=(held + timedelta(days=7)).date(),
                occurred_at=held,
            ),
        )
        app.add_action_item(
            by,
            session,
            AddActionItem(
                owner_id=group[1].id,
                description="联系法律援助 contact legal aid",
                due_on=(held + timedelta(days=5)).date(),
                occurred_at=held,
            ),
        )
        signed = SignSupervisionSession(occurred_at=held + timedelta(days=1))
        for person in group:
            app.sign_supervision_session(as_first_role(person), session, signed)
        app.sign_supervision_session(by, session, signed)
        app.mark_action_item_done(
            as_first_role(group[0]),
            session,
            done,
            MarkActionItemDone(occurred_at=held + timedelta(days=6)),
        )
    for n, supervisee in enumerate(supervisees):
        held = today - timedelta(days=rng.randint(8, 45))
        session = app.record_supervision_session(
            by,
            RecordSupervisionSession(
                session_format=SessionFormat.INDIVIDUAL,
                supervisor_id=supervisor.id,
                supervisee_ids=[supervisee.id],
                duration_minutes=60,
                topics=[Topic.CASE_PRACTICE],
                occurred_at=held,
            ),
        )
        if n % 4 == 1:
            app.write_supervision_note(
                by,
                session,
                WriteSupervisionNote(
                    topic=Topic.WELLBEING,
                    text="夜间来电后疲惫 tired after night calls; plan time off",
                    about_id=supervisee.id,
                    occurred_at=held,
                ),
            )
        if n % 5 != 2:  # some records wait for signatures (flagged after a week)
            signed = SignSupervisionSession(occurred_at=held)
            app.sign_supervision_session(by, session, signed)
            app.sign_supervision_session(as_first_role(supervisee), session, signed)
