"""Case-record reviews: judge a record's exact revision, approve what the case needs
approved (high-risk plan versions and closures), show when an approval lapsed, and
draw reproducible random audit samples of a worker's records.

Reading a review or its standing needs sight of the reviewed record (the access rule,
for its kind and discipline) and is recorded; judging keeps the domain's approval
authority (`casework.access.approval_ground`), by someone holding the role today."""

import secrets
from datetime import date, datetime
from uuid import UUID

from casework.access import Action, approval_ground, may_audit
from casework.aggregates.access_record import AccessAction
from casework.aggregates.audit_sample import AuditSample
from casework.aggregates.base import Actor, now
from casework.aggregates.case import Case, CaseStatus
from casework.aggregates.discipline import Discipline
from casework.aggregates.review import RecordKind, Review, content_hash, review_id
from casework.aggregates.staff import Staff
from casework.application.authorisation import Authorisation
from casework.application.commands.reviews import ApproveRecord, RequestRevision, SubmitRevision
from casework.application.errors import NotFound

_SAMPLE = ["audit_sample"]


class ReviewCommands(Authorisation):
    def approve_record(
        self,
        by: Actor,
        case_id: UUID,
        record_kind: RecordKind,
        record_id: UUID,
        command: ApproveRecord,
    ) -> UUID:
        """Approve the record as it now is; a pending high-risk plan version or closure
        becomes approved on the case in the same transaction."""
        occurred_at = command.occurred_at
        case, review, revision, digest = self._judging(by, case_id, record_kind, record_id)
        ground = self._ground(by, case, review, occurred_at)
        review.approve(by, revision, digest, ground, command.comments, occurred_at)
        was_closed = case.status is CaseStatus.CLOSED
        self._approve_on_case(by, case, review, revision, occurred_at)
        lead = self._lead_noting_closure(case, was_closed, by, occurred_at)  # type: ignore[attr-defined]
        self.save(review, case, *lead)
        return review.id

    def request_revision(
        self,
        by: Actor,
        case_id: UUID,
        record_kind: RecordKind,
        record_id: UUID,
        command: RequestRevision,
    ) -> UUID:
        occurred_at = command.occurred_at
        case, review, revision, digest = self._judging(by, case_id, record_kind, record_id)
        ground = self._ground(by, case, review, occurred_at)
        review.request_revision(by, revision, digest, command.comments, ground, occurred_at)
        self.save(review)
        return review.id

    def submit_revision(
        self,
        by: Actor,
        case_id: UUID,
        record_kind: RecordKind,
        record_id: UUID,
        command: SubmitRevision,
        expected_version: int | None = None,
    ) -> None:
        """Link the revision (addendum, amendment or new plan version) to the request:
        by the record's author or the case's lead."""

        self.context_of(by, AccessAction.WRITE, case_id)  # holds the role today

        def submit(review: Review) -> None:
            case: Case = self.load(case_id, Case, "case")
            revision, digest = self._current(case, review)
            review.submit_revision(by, revision, digest, case.lead_worker_id, command.occurred_at)

        self.update(
            review_id(case_id, record_kind, record_id), Review, "review", expected_version, submit
        )

    def get_review(
        self, by: Actor, case_id: UUID, record_kind: RecordKind, record_id: UUID
    ) -> Review:
        """The review of one record, for those who may see that record; recorded."""
        case: Case = self.load(case_id, Case, "case")
        review = self._review(case_id, record_kind, record_id)
        self._record_review_read(by, case, RecordKind(record_kind), record_id)
        return review

    def review_standing(
        self, by: Actor, case_id: UUID, record_kind: RecordKind, record_id: UUID
    ) -> str:
        """E.g. "approved v3" or "approved v3; amended since": for those who may see the
        record; recorded."""
        case: Case = self.load(case_id, Case, "case")
        try:
            review = self._review(case_id, record_kind, record_id)
        except NotFound:
            case.record_content(RecordKind(record_kind).value, record_id)
            review = None
        self._record_review_read(by, case, RecordKind(record_kind), record_id)
        return "not reviewed" if review is None else review.standing(*self._current(case, review))

    def _review(self, case_id: UUID, record_kind: RecordKind, record_id: UUID) -> Review:
        return self.load(review_id(case_id, record_kind, record_id), Review, "review")

    def _record_review_read(self, by: Actor, case: Case, kind: RecordKind, record_id: UUID) -> None:
        """SEE on the reviewed record (its discipline, for notes and assessments), or
        the refusal, recorded."""
        decision = self.authorise(
            by,
            Action.SEE,
            kind,
            case,
            self._discipline_of(case, kind, record_id),
            record_ids=[record_id],
        )
        self.record_access(
            by,
            AccessAction.READ,
            case_id=case.id,
            record_kinds=["review", kind],
            record_ids=[record_id],
            reason=decision.reason,
        )

    @staticmethod
    def _discipline_of(case: Case, kind: RecordKind, record_id: UUID) -> Discipline | None:
        records = {RecordKind.NOTE: case.notes, RecordKind.ASSESSMENT: case.assessments}
        record = records.get(kind, {}).get(record_id)
        return record.discipline if record is not None else None

    def draw_audit_sample(
        self,
        by: Actor,
        worker_id: UUID,
        period_start: date,
        period_end: date,
        size: int,
        seed: int | None = None,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """Draw `size` records from the cases the worker leads; the seed (random unless
        given) is recorded so the draw can be repeated. By a compliance reviewer or
        someone who oversees the worker (`may_audit`)."""
        worker: Staff = self.load(worker_id, Staff, "staff member")
        self._require_auditor(by, worker, AccessAction.WRITE, "may not draw an audit sample")
        led = self.cases_led(worker.id)  # type: ignore[attr-defined]  # closed ones too
        cases = [self.load(c, Case, "case") for c in led]
        sample = AuditSample.take(
            by,
            worker_id,
            cases,
            period_start,
            period_end,
            size,
            secrets.randbits(63) if seed is None else seed,
            occurred_at,
        )
        self.save(sample)
        return sample.id

    def get_audit_sample(self, by: Actor, sample_id: UUID) -> AuditSample:
        """An audit sample (which records were drawn, not what they say), for those who
        may audit its worker; the read is recorded."""
        sample: AuditSample = self.load(sample_id, AuditSample, "audit sample")
        worker: Staff = self.load(sample.worker_id, Staff, "staff member")
        self._require_auditor(by, worker, AccessAction.READ, "may not read this audit sample")
        self.record_access(
            by,
            AccessAction.READ,
            record_kinds=_SAMPLE,
            record_ids=[sample_id],
            reason="audit sample",
        )
        return sample

    def audit_sample_reproduces(self, by: Actor, sample_id: UUID) -> bool:
        """Redraw from the case versions the sample recorded: same candidates, same draw."""
        sample = self.get_audit_sample(by, sample_id)
        cases = [self.load(v.case_id, Case, "case", v.version) for v in sample.case_versions]
        return sample.reproduces(cases)

    def _require_auditor(
        self, by: Actor, worker: Staff, access: AccessAction, message: str
    ) -> None:
        self.require(
            by,
            access,
            lambda context: may_audit(context, worker),
            message,
            record_kinds=_SAMPLE,
            record_ids=[worker.id],
        )

    def _judging(
        self, by: Actor, case_id: UUID, record_kind: RecordKind, record_id: UUID
    ) -> tuple[Case, Review, int, str]:
        case: Case = self.load(case_id, Case, "case")
        self.context_of(by, AccessAction.WRITE, case_id)  # holds the role today
        try:
            review = self._review(case_id, record_kind, record_id)
        except NotFound:
            review = Review.begin(by, case, record_kind, record_id)
        return (case, review, *self._current(case, review))

    def _ground(
        self, by: Actor, case: Case, review: Review, occurred_at: datetime | None
    ) -> str | None:
        """On what ground `by` may judge the record (None: no ground)."""
        reviewer: Staff = self.load(by.staff_id, Staff, "staff member")
        author: Staff = self.load(review.author_id, Staff, "staff member")
        return approval_ground(reviewer, author, case, (occurred_at or now()).date())

    @staticmethod
    def _current(case: Case, review: Review) -> tuple[int, str]:
        revision, content = case.record_content(review.record_kind.value, review.record_id)
        return revision, content_hash(content)

    @staticmethod
    def _approve_on_case(
        by: Actor, case: Case, review: Review, revision: int, occurred_at: datetime | None
    ) -> None:
        if review.record_kind is RecordKind.PLAN:
            pending = case.pending_plan
            if pending is not None and pending.version == revision:
                case.approve_plan_version(by, revision, review.id, occurred_at)
        elif review.record_kind is RecordKind.CLOSURE:
            closure = next(c for c in case.closures if c.closure_id == review.record_id)
            if closure.needs_approval and closure.approved_by_review is None:
                case.approve_closure(by, review.id, occurred_at)
