"""The demo centre's referrals, supervision sessions, reviews and an audit sample.

Called by `casework.demo.build_demo` once its cases exist. Chains go to other
departments and to outside agencies (some completed, some declined, one stalled, one
looping back); each supervisor meets their supervisees in a group and one by one (a
few records left unsigned, a few action items overdue, a few people overdue for
supervision); some notes go back for revision before approval, and one approval has
lapsed since.
"""

import random
from datetime import datetime, timedelta
from uuid import UUID

from casework.aggregates.agency import AgencyKind
from casework.aggregates.base import Actor, Role
from casework.aggregates.case import OPEN_STATUSES, Case
from casework.aggregates.referral import Holder, SharedPart, Urgency
from casework.aggregates.review import RecordKind
from casework.aggregates.staff import Staff
from casework.aggregates.supervision import SessionFormat, Topic
from casework.application import Casework

AGENCIES = [
    ("海珠区法律援助处 Haizhu Legal Aid Office", AgencyKind.LEGAL_AID, ["法律咨询 legal advice"]),
    ("海珠区妇幼保健院 Haizhu Maternal and Child Hospital", AgencyKind.HEALTH, ["体检 check-ups"]),
    (
        "广州市心理危机干预中心 Guangzhou Crisis Intervention Centre",
        AgencyKind.MENTAL_HEALTH,
        ["心理危机干预 crisis counselling"],
    ),
    ("海珠区反家暴庇护所 Haizhu Domestic Violence Shelter", AgencyKind.SHELTER, ["庇护 shelter"]),
]
REASONS = [
    "需要法律意见 needs legal advice on maintenance and custody",
    "需要日间照料 needs day care while the family is in crisis",
    "需要心理辅导 needs counselling after a bereavement",
    "需要安全住所 needs a safe place to stay tonight",
]
CHAIN_STORIES = ["completed", "declined", "in_service", "stalled", "onward", "loop"]


def add_referrals_supervision_and_reviews(
    app: Casework, rng: random.Random, today: datetime
) -> None:
    staff = {s.id: s for s in app.list_staff()}
    founder = next(
        Actor(s.id, Role.CENTRE_DIRECTOR) for s in staff.values() if Role.CENTRE_DIRECTOR in s.roles
    )
    agencies = [
        app.register_agency(founder, name, kind, "020-8" + str(rng.randint(1000000, 9999999)), s)
        for name, kind, s in AGENCIES
    ]
    cases = [app.get_case(case_id) for case_id in app.case_ids()]
    open_cases = [c for c in cases if c.status in OPEN_STATUSES]
    for n, case in enumerate(rng.sample(open_cases, min(18, len(open_cases)))):
        _referral_chain(app, rng, today, staff, agencies, case, CHAIN_STORIES[n % 6])
    for supervisor in [s for s in staff.values() if Role.SUPERVISOR in s.roles]:
        _supervision(app, rng, today, staff, supervisor)
    _reviews(app, rng, today, staff, open_cases)


def _as(person: Staff) -> Actor:
    return Actor(person.id, person.roles[0])


def _head_of(staff: dict[UUID, Staff], department_id: UUID) -> Actor:
    head = next(
        s
        for s in staff.values()
        if s.department_id == department_id and Role.DEPARTMENT_HEAD in s.roles
    )
    return Actor(head.id, Role.DEPARTMENT_HEAD)


def _referral_chain(
    app: Casework,
    rng: random.Random,
    today: datetime,
    staff: dict[UUID, Staff],
    agencies: list[UUID],
    case: Case,
    story: str,
) -> None:
    lead = Actor(case.lead_worker_id, Role.CASEWORKER)
    organisation = app.get_organisation()
    others = [
        d.department_id for d in organisation.departments if d.department_id != case.department_id
    ]
    other_department, agency = rng.choice(others), rng.choice(agencies)
    sent = today - timedelta(days=rng.randint(3, 6) if story == "stalled" else rng.randint(20, 35))
    consent = case.consent
    case.record_consent(
        lead,
        True,
        (sent - timedelta(days=1)).date(),
        disciplines=consent.disciplines if consent else [],
        agency_ids=[agency],
        department_ids=[other_department],
        occurred_at=sent - timedelta(days=1),
    )
    app.save(case)
    first_to = Holder.department(other_department)
    receiver = _head_of(staff, other_department)
    if story in ("completed", "declined", "stalled"):
        first_to, receiver = Holder.agency(agency), lead  # the centre records the agency's answer
    urgency = Urgency.URGENT if story == "stalled" else rng.choice(list(Urgency))
    shared = [SharedPart.CASE_SUMMARY, SharedPart.ASSESSMENT]
    first = app.send_referral(
        lead, case.id, first_to, rng.choice(REASONS), urgency, shared, occurred_at=sent
    )
    if story == "stalled":
        return
    if story == "declined":
        app.decline_referral(
            first, receiver, "不在服务范围 outside our service area", sent + timedelta(hours=20)
        )
        return
    app.accept_referral(first, receiver, sent + timedelta(hours=rng.randint(2, 30)))
    app.start_referral_service(first, receiver, sent + timedelta(days=2))
    if story == "completed":
        app.complete_referral(
            first, receiver, "服务完成 service completed", sent + timedelta(days=14)
        )
    elif story == "onward":
        onward = app.refer_onward(
            first,
            receiver,
            Holder.agency(agency),
            rng.choice(REASONS),
            Urgency.ROUTINE,
            [SharedPart.CASE_SUMMARY],
            occurred_at=sent + timedelta(days=5),
        )
        app.accept_referral(onward, receiver, sent + timedelta(days=6))
    elif story == "loop":
        app.refer_onward(
            first,
            receiver,
            Holder.department(case.department_id),
            "家庭问题仍需原部门跟进 the family conflict is back with the family team",
            Urgency.ROUTINE,
            [SharedPart.CASE_SUMMARY],
            occurred_at=sent + timedelta(days=7),
        )


def _supervision(
    app: Casework, rng: random.Random, today: datetime, staff: dict[UUID, Staff], supervisor: Staff
) -> None:
    by = Actor(supervisor.id, Role.SUPERVISOR)
    supervisees = [staff[i] for i in supervisor.supervisees_on(today.date()) if staff[i].active]
    if len(supervisees) >= 2:
        group = supervisees[:4]
        held = today - timedelta(days=rng.randint(10, 20))
        session = app.record_supervision_session(
            by,
            SessionFormat.GROUP,
            supervisor.id,
            [s.id for s in group],
            120,
            [Topic.CASE_PRACTICE, Topic.PROFESSIONAL_DEVELOPMENT],
            occurred_at=held,
        )
        led = [c for s in group for c in s.lead_case_ids][:3]
        for case_id in led:
            app.discuss_case_in_supervision(
                session,
                by,
                case_id,
                "讨论风险评估与家庭会议 risk and a family meeting",
                ["两周内家访 home visit within two weeks"],
                occurred_at=held,
            )
        app.record_supervision_decision(
            session, by, "高风险个案每周家访 weekly visits for high-risk cases", held
        )
        done = app.add_action_item(
            session,
            by,
            group[0].id,
            "整理个案记录 bring case notes up to date",
            (held + timedelta(days=7)).date(),
            held,
        )
        app.add_action_item(
            session,
            by,
            group[1].id,
            "联系法律援助 contact legal aid",
            (held + timedelta(days=5)).date(),
            held,
        )
        for person in group:
            app.sign_supervision_session(session, _as(person), held + timedelta(days=1))
        app.sign_supervision_session(session, by, held + timedelta(days=1))
        app.mark_action_item_done(session, _as(group[0]), done, held + timedelta(days=6))
    for n, supervisee in enumerate(supervisees):
        held = today - timedelta(days=rng.randint(8, 45))
        session = app.record_supervision_session(
            by,
            SessionFormat.INDIVIDUAL,
            supervisor.id,
            [supervisee.id],
            60,
            [Topic.CASE_PRACTICE],
            occurred_at=held,
        )
        if n % 4 == 1:
            app.write_supervision_note(
                session,
                by,
                Topic.WELLBEING,
                "夜间来电后疲惫 tired after night calls; plan time off",
                about_id=supervisee.id,
                occurred_at=held,
            )
        if n % 5 != 2:  # some records wait for signatures (flagged after a week)
            app.sign_supervision_session(session, by, held)
            app.sign_supervision_session(session, _as(supervisee), held)


def _reviews(
    app: Casework, rng: random.Random, today: datetime, staff: dict[UUID, Staff], cases: list[Case]
) -> None:
    notes = [(c, n) for c in cases for n in c.notes.values() if staff[n.by].active]
    for n, (case, note) in enumerate(rng.sample(notes, min(12, len(notes)))):
        supervisors = staff[note.by].supervisors_on(today.date())
        if not supervisors:
            continue
        reviewer = Actor(supervisors[0], Role.SUPERVISOR)
        author = _as(staff[note.by])
        if n % 3 == 0:
            app.request_revision(
                reviewer,
                case.id,
                RecordKind.NOTE,
                note.note_id,
                "请补充观察到的情况 please add what you observed",
            )
            _addendum(
                app,
                case.id,
                note.note_id,
                author,
                "补充：案主情绪稳定 addendum: the client was calm",
            )
            app.submit_revision(author, case.id, RecordKind.NOTE, note.note_id)
        app.approve_record(reviewer, case.id, RecordKind.NOTE, note.note_id)
        if n == 1:  # an amendment after approval: "approved v1; amended since"
            _addendum(app, case.id, note.note_id, author, "更正：时长90分钟 correction: 90 minutes")
    workers = [
        s for s in staff.values() if s.active and s.lead_case_ids and s.supervisors_on(today.date())
    ]
    if workers:
        worker = rng.choice(workers)
        auditor = Actor(worker.supervisors_on(today.date())[0], Role.SUPERVISOR)
        start = today.date() - timedelta(days=90)
        app.draw_audit_sample(auditor, worker.id, start, today.date(), 5, rng.randrange(2**32))


def _addendum(app: Casework, case_id: UUID, note_id: UUID, by: Actor, text: str) -> None:
    case = app.get_case(case_id)
    case.add_addendum(by, "note", note_id, text, "督导要求 asked for in review")
    app.save(case)
