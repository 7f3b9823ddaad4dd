"""The demo centre's cases: ~200 clients across the departments, each case taken to
its stage (intake, assessed, active, closing, closed, reopened) with assessments,
plans, notes, specialists, reviews and the odd emergency access.

Demo history is back-filled: events happen months ago but are recorded now, so notes
are flagged as late entries only where the story says the worker wrote them late.
"""

import random
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from casework.aggregates.base import Actor
from casework.aggregates.case import (
    AssessmentDomain,
    CaseStatus,
    ClosureReason,
    DomainRating,
    Goal,
    GoalOutcome,
    NoteKind,
    RecordKind,
    ReferralSource,
    RiskLevel,
    Sex,
    TeamScope,
)
from casework.aggregates.discipline import Discipline
from casework.application import Casework
from casework.application.commands.cases import (
    AddTeamMember,
    BreakTheGlass,
    ClientDetails,
    CloseCase,
    HouseholdMemberDetails,
    OpenCase,
    OutcomeEntry,
    RecordConsent,
    ReopenCase,
)
from casework.application.commands.reviews import ApproveRecord
from casework.demo.cast import EDU, LAW, MED, PSY, SW, People
from casework.demo.story import CaseStory

CASES = 200

CASE_SHARE = {
    "youth": 40,
    "family": 50,
    "elderly": 40,
    "disability": 25,
    "women_children": 35,
    "volunteers": 10,
}

SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
            ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
            ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
            ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("罗", "Luo"), ("梁", "Liang")]  # fmt: skip
GIVEN = [("芳", "Fang"), ("伟", "Wei"), ("秀英", "Xiuying"), ("敏", "Min"), ("静", "Jing"),
         ("强", "Qiang"), ("磊", "Lei"), ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"),
         ("军", "Jun"), ("杰", "Jie"), ("娟", "Juan"), ("涛", "Tao"), ("明", "Ming"),
         ("超", "Chao"), ("霞", "Xia"), ("平", "Ping"), ("刚", "Gang"),
         ("桂英", "Guiying")]  # fmt: skip
COMMUNITIES = ["江南中", "宝岗", "南华西", "龙凤", "沙园", "海幢", "素社", "昌岗", "凤阳",
               "瑞宝", "赤岗", "新港", "琶洲", "南石头", "滨江", "江海", "南洲", "华洲",
               "官洲"]  # fmt: skip
STREETS = ["江南大道中", "宝业路", "南华西路", "昌岗中路", "工业大道北", "新港西路"]

PROBLEMS = {
    "youth": [
        "厌学、逃课，与父母冲突 truancy and conflict with parents",
        "网络成瘾，昼夜颠倒 internet addiction, sleeping by day",
        "校园欺凌受害者 victim of bullying at school",
        "留守儿童，祖辈照顾力不从心 left-behind child; grandparents struggling to cope",
    ],
    "family": [
        "婚姻冲突，担心孩子 marital conflict; worried about the children",
        "家庭暴力 domestic violence reported by a neighbour",
        "亲子关系紧张 strained parent-child relationship",
        "离婚后抚养权纠纷 custody dispute after divorce",
    ],
    "elderly": [
        "独居长者，行动不便 elderly person living alone, limited mobility",
        "失智症照顾压力 carer strain: dementia at home",
        "长者抑郁情绪 low mood and isolation after bereavement",
        "子女疏于照顾 adult children neglecting care",
    ],
    "disability": [
        "智障青年就业困难 young adult with intellectual disability seeking work",
        "肢体残疾，无障碍设施缺失 physical disability; home not accessible",
        "精神康复者回归社区 returning to the community after psychiatric care",
    ],
    "women_children": [
        "单亲母亲经济困难 single mother in financial hardship",
        "产后抑郁 postnatal depression",
        "儿童疑似受虐 suspected child abuse reported by school",
    ],
    "volunteers": [
        "志愿者服务中受伤 volunteer injured during service",
        "长者探访志愿者倦怠 befriending volunteer burning out",
    ],
}
GOALS = [
    ("建立安全计划 a safety plan is in place and known to the family", SW),
    ("恢复规律上学 regular school attendance", EDU),
    ("链接社区资源 linked to community resources (meals, benefits)", SW),
    ("改善亲子沟通 better communication between parent and child", PSY),
    ("明确法律权益 the client understands their legal rights", LAW),
    ("稳定情绪 mood stabilised; fewer crises", PSY),
    ("规律复诊 attends medical follow-up regularly", MED),
]
NOTES = [
    (NoteKind.HOME_VISIT, "家访：案主情绪较平稳，家中整洁。 Home visit: client calmer, home tidy."),
    (
        NoteKind.OFFICE_INTERVIEW,
        "面谈：讨论近期压力来源。 Interview: talked through recent stress.",
    ),
    (
        NoteKind.PHONE,
        "电话跟进：确认下周复诊。 Phone follow-up: next week's appointment confirmed.",
    ),
    (
        NoteKind.GROUP_SESSION,
        "小组活动：参加家长互助小组。 Group: joined the parents' mutual-aid group.",
    ),
    (
        NoteKind.RESOURCE_LINKING,
        "链接资源：申请临时救助。 Resource linking: applied for emergency relief.",
    ),
    (NoteKind.ACCOMPANIMENT, "陪同就医。 Accompanied the client to hospital."),
    (NoteKind.ADVOCACY, "与学校沟通，争取复学安排。 Advocacy with the school for a return plan."),
]
SPECIALIST_NOTES = {
    LAW: "法律咨询：解释抚养权与保护令。 Legal advice: custody and protection orders explained.",
    PSY: "心理辅导：情绪疏导与放松训练。 Counselling: emotional support and relaxation.",
    MED: "医疗评估：血压偏高，建议复诊。 Medical check: blood pressure high; follow-up advised.",
    EDU: "学业辅导：制定学习计划。 Study support: a learning plan agreed.",
}
# Stages the 200 cases are spread across, with their share.
STAGES = {"intake": 10, "assessed": 12, "active": 48, "closing": 5, "closed": 20, "reopened": 5}
RISKS = {RiskLevel.LOW: 40, RiskLevel.MEDIUM: 35, RiskLevel.HIGH: 20, RiskLevel.CRITICAL: 5}


def _pick(rng: random.Random, shares: dict) -> object:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _person_name(rng: random.Random) -> str:
    (surname, surname_en), (given, given_en) = rng.choice(SURNAMES), rng.choice(GIVEN)
    return f"{surname}{given} {surname_en} {given_en}"


def _client(rng: random.Random, department: str) -> ClientDetails:
    born = {
        "youth": (2008, 2014),
        "elderly": (1935, 1958),
        "women_children": (1985, 1998),
    }.get(department, (1965, 2000))
    birthday = date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice([Sex.FEMALE, Sex.MALE]) if department != "women_children" else Sex.FEMALE
    household = [
        HouseholdMemberDetails(
            name=_person_name(rng), relationship=relation, sex=rng.choice([Sex.FEMALE, Sex.MALE])
        )
        for relation in rng.sample(
            ["spouse", "son", "daughter", "mother", "father"], rng.randint(0, 2)
        )
    ]
    flags = {"youth": ["minor"], "elderly": ["lives_alone"], "disability": ["disability"]}
    return ClientDetails(
        name=_person_name(rng),
        sex=sex,
        date_of_birth=birthday,
        # Not real identity numbers: region 440105, birth date, a serial, check digit X.
        id_number=f"440105{birthday:%Y%m%d}{rng.randint(100, 999)}X",
        phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        address=f"海珠区{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        community=rng.choice(COMMUNITIES),
        languages=rng.sample(
            ["粤语 Cantonese", "普通话 Mandarin", "客家话 Hakka"], rng.randint(1, 2)
        ),
        vulnerability_flags=flags.get(department, [])
        + rng.sample(["low_income", "migrant"], rng.randint(0, 1)),
        household=household,
    )


def one_case(app: Casework, people: People, rng: random.Random, today: datetime, n: int) -> None:
    """The `n`th case: a client in a department, taken to a stage drawn from `STAGES`."""
    # The first cases take one stage each, so that even a small demo shows every stage.
    stage = list(STAGES)[n] if n < len(STAGES) else str(_pick(rng, STAGES))
    story, lead, specialist, clock = _intake(app, people, rng, today, stage)
    case = story.case
    if stage == "intake":
        _note(story, lead, rng, clock, SW)
        story.save()
        return
    goals = _assess_and_plan(story, people, rng, lead, specialist, clock, stage == "assessed")
    if stage == "assessed":
        story.save()
        return
    case = story.case
    for _ in range(rng.randint(1, 5)):
        _note(story, lead, rng, clock, SW, goals)
    if specialist is not None:
        _note(story, people.specialists[specialist], rng, clock, specialist)
    if rng.random() < 0.15 and case.notes:
        _correct_a_note(story, lead, rng, clock)
    if rng.random() < 0.7 and case.active_plan is not None:
        # Reviews set the next date around now, so some are due and a few overdue.
        next_review = today.date() + timedelta(days=rng.randint(-10, 60))
        story.by(lead, RecordKind.PLAN).review_plan(
            lead, "计划按进度执行 plan on track", next_review, clock.next()
        )
    story.save()
    if n % 97 == 5:
        other = rng.choice([a for workers in people.leads.values() for a in workers])
        if other.staff_id != lead.staff_id:
            reason = "夜间危机来电，主责社工联系不上 night crisis call; lead unreachable"
            app.break_the_glass(
                other, case.id, BreakTheGlass(reason=reason, occurred_at=clock.next())
            )
    if stage == "active":
        return
    plan = story.reload().active_plan
    outcomes = [
        OutcomeEntry(goal_id=g.goal_id, outcome=rng.choice(list(GoalOutcome)))
        for g in (plan.goals if plan else [])
    ]
    reason = rng.choice([ClosureReason.GOALS_MET] * 3 + list(ClosureReason))
    summary = "结案小结 closing summary: " + reason.value
    closure_id = app.close_case(
        lead,
        case.id,
        CloseCase(reason=reason, outcomes=outcomes, summary=summary, occurred_at=clock.next()),
    )
    if story.reload().status == CaseStatus.CLOSING and stage != "closing":
        app.approve_record(
            people.supervisor_of[lead.staff_id], case.id, "closure", closure_id, ApproveRecord()
        )
    if stage == "reopened":
        reason = "案主再次求助 the client asked for help again"
        app.reopen_case(lead, case.id, ReopenCase(reason=reason, occurred_at=clock.next()))


def long_case(
    app: Casework, people: People, rng: random.Random, today: datetime, notes: int
) -> None:
    """A case followed for two or three years: `notes` notes (most by the lead, some by
    the specialist on the team), the plan revised every few months (a new version,
    approved by the supervisor when the risk needs it) and reviewed in between, the odd
    note corrected by an addendum, the risk re-rated as things change."""
    story, lead, specialist, clock = _intake(
        app, people, rng, today, "active", days_ago=(700, 1000), step_days=(1, 3)
    )
    goals = _assess_and_plan(story, people, rng, lead, specialist, clock, False)
    supervisor = people.supervisor_of[lead.staff_id]
    for written in range(notes):
        by, discipline = lead, SW
        if specialist is not None and rng.random() < 0.2:
            by, discipline = people.specialists[specialist], specialist
        _note(story, by, rng, clock, discipline, goals)
        if rng.random() < 0.03:
            _correct_a_note(story, lead, rng, clock)
        if written % 60 == 59:
            # A new version; approved by the supervisor when the risk (as now) needs it.
            approve = story.case.risk_level.needs_supervisor_approval
            goals = _plan(story, rng, lead, supervisor, people, clock, approve)
        elif written % 20 == 19 and story.case.active_plan is not None:
            story.by(lead, RecordKind.PLAN).review_plan(
                lead,
                "阶段回顾：部分目标达成 progress review: some goals met",
                min(clock.now.date() + timedelta(days=30), today.date() + timedelta(days=45)),
                clock.next(),
            )
        if written % 90 == 45:
            level = RiskLevel(rng.choice([RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]))
            if level != story.case.risk_level:
                story.by(lead, RecordKind.SUMMARY).rerate_risk(
                    lead, level, "家庭情况变化 the family's situation changed", clock.next()
                )
    story.save()


def _intake(
    app: Casework,
    people: People,
    rng: random.Random,
    today: datetime,
    stage: str,
    days_ago: tuple[int, int] = (40, 330),
    step_days: tuple[int, int] = (1, 12),
) -> tuple[CaseStory, Actor, Discipline | None, "_Clock"]:
    """A client's case opened by the service layer (duplicate check, client index, the
    lead's staff record): the story to go on with, its lead, specialist and clock."""
    department = str(_pick(rng, CASE_SHARE))
    lead = rng.choice(people.leads[department])
    # A case waits in "closing" only when its risk needs the supervisor's approval.
    risk = RiskLevel.HIGH if stage == "closing" else RiskLevel(_pick(rng, RISKS))  # type: ignore[arg-type]
    opened = today - timedelta(days=rng.randint(*days_ago), hours=rng.randint(0, 8))
    specialist = rng.choice(list(people.specialists)) if rng.random() < 0.35 else None
    consent = RecordConsent(
        given=True, on=opened.date(), disciplines=[SW] + ([specialist] if specialist else [])
    )
    case_id = app.open_case(
        lead,
        OpenCase(
            clients=[_client(rng, department)],
            presenting_problem=rng.choice(PROBLEMS[department]),
            referral_source=ReferralSource(rng.choice(list(ReferralSource))),
            department_id=people.department_ids[department],
            lead_worker_id=lead.staff_id,
            risk_level=risk,
            risk_rationale="曾有暴力威胁 threats of violence; child at home"
            if risk.needs_supervisor_approval
            else "",
            consent=consent,
            occurred_at=opened,
        ),
    )
    return CaseStory(app, case_id), lead, specialist, _Clock(opened, rng, step_days)


def _assess_and_plan(
    story: CaseStory,
    people: People,
    rng: random.Random,
    lead: Actor,
    specialist: Discipline | None,
    clock: "_Clock",
    assessed_only: bool,
) -> list[Goal]:
    """The lead's assessment (and the specialist's, once on the team), then a first
    plan, approved by the supervisor when the risk needs it (four times in five)."""
    story.by(lead, RecordKind.ASSESSMENT, SW).record_assessment(
        lead, SW, _ratings(rng), "初步评估 initial assessment", clock.next()
    )
    if specialist is not None:
        expert = people.specialists[specialist]
        story.save()  # the team is the service layer's: it checks the member's record
        scope = rng.choice(list(TeamScope))
        joins = AddTeamMember(
            staff_id=expert.staff_id, discipline=specialist, scope=scope, occurred_at=clock.next()
        )
        story.app.add_team_member(lead, story.case_id, joins)
        story.reload()
        story.by(expert, RecordKind.ASSESSMENT, specialist).record_assessment(
            expert, specialist, _ratings(rng), f"{specialist.value} assessment", clock.next()
        )
    if assessed_only:
        return []
    supervisor = people.supervisor_of[lead.staff_id]
    approve = story.case.risk_level.needs_supervisor_approval and rng.random() < 0.8
    return _plan(story, rng, lead, supervisor, people, clock, approve)


def _plan(
    story: CaseStory,
    rng: random.Random,
    lead: Actor,
    supervisor: Actor,
    people: People,
    clock: "_Clock",
    approve: bool,
) -> list[Goal]:
    goals = _goals(rng, lead, people, clock)
    story.by(lead, RecordKind.PLAN).propose_plan(lead, goals, clock.next())
    story.save()
    if approve and story.case.pending_plan is not None:
        story.app.approve_record(
            supervisor, story.case_id, RecordKind.PLAN, story.case_id, ApproveRecord()
        )
        story.reload()
    return goals


def _correct_a_note(story: CaseStory, lead: Actor, rng: random.Random, clock: "_Clock") -> None:
    note_id = rng.choice(list(story.case.notes))
    correction = "更正：日期应为前一天 correction: it was the day before"
    # Written as the note it corrects: in that note's discipline (as `add_addendum`).
    discipline = story.case.notes[note_id].discipline
    story.by(lead, RecordKind.NOTE, discipline).add_addendum(
        lead, "note", note_id, correction, "wrong date", clock.next()
    )


class _Clock:
    """Moves a case's story forward a few days at a time, never past now."""

    def __init__(
        self, start: datetime, rng: random.Random, step_days: tuple[int, int] = (1, 12)
    ) -> None:
        self.now = start
        self.rng = rng
        self.step_days = step_days

    def next(self) -> datetime:
        step = timedelta(days=self.rng.randint(*self.step_days), hours=self.rng.randint(0, 8))
        self.now = min(self.now + step, datetime.now(tz=UTC))
        return self.now


def _ratings(rng: random.Random) -> list[DomainRating]:
    domains = rng.sample(list(AssessmentDomain), rng.randint(2, 4))
    return [
        DomainRating(d, rng.randint(1, 5), f"{d.value}: 详见面谈记录 see interview notes")
        for d in domains
    ]


def _goals(rng: random.Random, lead: Actor, people: People, clock: _Clock) -> list[Goal]:
    chosen = rng.sample(GOALS, rng.randint(1, 3))
    start = clock.now.date()
    return [
        Goal(
            goal_id=uuid4(),
            title=title,
            interventions=["个案辅导 casework sessions", "资源链接 resource linking"],
            discipline=discipline,
            responsible_id=(people.specialists.get(discipline) or lead).staff_id,
            target_date=start + timedelta(days=rng.randint(90, 240)),
            review_date=start + timedelta(days=rng.randint(30, 80)),
        )
        for title, discipline in chosen
    ]


def _note(
    story: CaseStory,
    by: Actor,
    rng: random.Random,
    clock: _Clock,
    discipline: Discipline,
    goals: list[Goal] = (),  # type: ignore[assignment]
) -> None:
    happened = clock.next()
    kind, text = (
        rng.choice(NOTES)
        if discipline == SW
        else (NoteKind.OFFICE_INTERVIEW, SPECIALIST_NOTES[discipline])
    )
    late = rng.random() < 0.1
    story.by(by, RecordKind.NOTE, discipline).record_note(
        by,
        kind,
        text,
        rng.choice([15, 30, 45, 60, 90]),
        happened,
        discipline,
        rng.choice(goals).goal_id if goals and rng.random() < 0.6 else None,
        # Back-filled history counts as written on time, except the stories of late notes.
        late_after=timedelta(hours=48)
        if late
        else datetime.now(tz=UTC) - happened + timedelta(days=1),
    )
