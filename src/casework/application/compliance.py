"""Compliance: signed checkpoints of the ledger, verification, as-of replay, export
bundles and erasure by key destruction.

Replay and diff show what the reader may see under the access rule, as `read_case`
does (a compliance reviewer sees all, read-only; a specialist only their discipline's
records), and are recorded before they are returned; exports are for compliance
reviewers and the directors of the case's centre, recorded; an erasure takes four
eyes: requested by one authorised person, approved by a second, then carried out."""

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import Recording

from casework.access import (
    Action,
    ActorContext,
    Decision,
    may,
    may_read_erasure_request,
    may_read_ledger,
)
from casework.aggregates.access_record import AccessAction, AccessOutcome, AccessRecord
from casework.aggregates.base import Actor, Record, Role, RuleBroken, aware, now
from casework.aggregates.case import Case, RecordKind
from casework.aggregates.erasure import CaseErasure, ExportToRecall
from casework.aggregates.erasure_request import ErasureRequest, ErasureStatus
from casework.aggregates.review import Review
from casework.aggregates.staff import Staff
from casework.application.authorisation import Authorisation, case_as_seen
from casework.application.errors import NotFound
from casework.compliance.bundle import Bundle
from casework.compliance.case_streams import case_record_ids, case_rows
from casework.compliance.diff import RecordDiff, diff
from casework.compliance.export import build_bundle
from casework.compliance.recorded_at import RecordedAtIndex
from casework.compliance.replay import (
    Basis,
    Replay,
    apply_all,
    as_occurred,
    occurred_at_of,
    settled,
)
from casework.compliance.verification import (
    ErasureEvidence,
    KeyEvidence,
    VerificationReport,
    recorded_time_reader,
    verify_ledger,
)
from casework.compliance.witnessing import check_witnessed
from casework.store.access_index import AccessQuery
from casework.store.collector import collector_pause
from casework.store.errors import RecordErased
from casework.store.ledger import (
    Checkpoint,
    HexHash,
    Ledger,
    load_public_key,
    load_signing_key,
    parse_hash,
)
from casework.store.ledger_state import STATE_FILE_NAME, LedgerStateFile, note_genesis
from casework.store.merkle import Tree, verify_inclusion
from casework.store.witness_client import Cosignatures, parse_witnesses, witness_checkpoint

# Who may take a whole case out of the building in a bundle (a director: of its centre).
EXPORTING_ROLES = frozenset({Role.COMPLIANCE_REVIEWER, Role.CENTRE_DIRECTOR})
_ERASURE = ["erasure"]
# Every access record of a case, however many (an erasure lists all its exports).
_ALL = 2**31 - 1


class Erased(RuleBroken):
    """The record's case was erased: its content is gone for good (HTTP 410)."""

    rule = "erased"
    status = 410


class ExportNotAllowed(RuleBroken):
    rule = "export_not_allowed"
    status = 403


class NotCheckpointed(RuleBroken):
    rule = "not_checkpointed"
    status = 409


class EventProof(msgspec.Struct, frozen=True, kw_only=True):
    """Proof that one event is leaf `leaf_index` of the tree the checkpoint signs. Read
    from a file, every hash must be 64 lower-case hex digits (a validation error names
    the field otherwise)."""

    record_id: UUID
    version: int
    leaf_index: int
    leaf_hash: HexHash
    proof: list[HexHash]
    checkpoint: Checkpoint

    def verifies(self) -> bool:
        """Whether the proof holds; a leaf index outside the tree is False, a hash that
        is not exactly 32 bytes of hex is `MalformedHashError` naming it."""
        proof = [parse_hash(p, f"inclusion proof hash {n}") for n, p in enumerate(self.proof)]
        return verify_inclusion(
            parse_hash(self.leaf_hash, "leaf_hash"),
            self.leaf_index,
            self.checkpoint.tree_size,
            proof,
            self.checkpoint.root,
        )


class ComplianceCommands(Authorisation):
    """Checkpoints, verification, replay, export and erasure. Implements two of the
    core's hooks: `_after_save` (a checkpoint is owed) and `erased` (who erased what)."""

    @cached_property
    def ledger(self) -> Ledger:
        ledger = Ledger(
            self.factory.datastore,  # type: ignore[attr-defined]
            self.recorder,
            self.database.dialect,
        )
        with self.database.schema_lock():
            ledger.create()
        ledger.origin = self.settings.ledger_origin
        return ledger

    @cached_property
    def cosignatures(self) -> Cosignatures:
        """The witnesses' cosignatures of the checkpoints (ADR 0046)."""
        cosignatures = Cosignatures(
            self.factory.datastore,  # type: ignore[attr-defined]
            self.database.dialect,
        )
        with self.database.schema_lock():
            cosignatures.create()
        return cosignatures

    def witness(self) -> list[str]:
        """Submit the latest checkpoint to each configured witness that has not cosigned
        it (CASEWORK_WITNESSES); the warnings of those unreachable or refusing."""
        endpoints = parse_witnesses(self.settings.witnesses)
        return witness_checkpoint(self.ledger, self.cosignatures, endpoints) if endpoints else []

    @cached_property
    def recorded_at(self) -> RecordedAtIndex:
        index = RecordedAtIndex(
            self.factory.datastore,  # type: ignore[attr-defined]
            self.recorder,
            self.sealing,
            self.database.dialect,
        )
        with self.database.schema_lock():
            index.create()
        return index

    def _after_save(self, recordings: list[Recording[UUID]]) -> None:
        """The events just stored are owed a signed checkpoint (when someone signs them)."""
        if self.pending_checkpoints is not None:
            self.pending_checkpoints.wrote(self.settings, self._master_key, type(self))
        if not self._ledger_began:  # once per process: did the log begin with these?
            self._ledger_began = note_genesis(
                self.ledger_state, self.ledger, min(r.notification.id for r in recordings)
            )

    # -- checkpoints -----------------------------------------------------------------

    _ledger_began = False

    @cached_property
    def ledger_state(self) -> LedgerStateFile:
        """The ledger's state file in the key directory (`casework.store.ledger_state`)."""
        return LedgerStateFile(self.settings.key_dir / STATE_FILE_NAME)

    def checkpoint(self, at: datetime | None = None, bootstrap: str = "") -> Checkpoint | None:
        """Sign a checkpoint covering every event stored so far; None if the latest one
        already does. The server calls this every minute (`keep_checkpointing`); the CLI
        before a command that wrote events exits (`PendingCheckpoints`). `bootstrap`:
        the reason for covering a log that already held events when its ledger began."""
        self.recorded_at.catch_up()
        checkpoint = self.ledger.checkpoint(
            load_signing_key(self.settings.signing_key_file), at, self.ledger_state, bootstrap
        )
        if self.pending_checkpoints is not None:
            self.pending_checkpoints.signed(self.settings)
        self.witness()
        return checkpoint

    def latest_checkpoint(self) -> Checkpoint | None:
        latest = self.ledger.latest()
        return latest.checkpoint if latest else None

    def verify(
        self,
        against: Path | None = None,
        public_key_file: Path | None = None,
        now: datetime | None = None,
    ) -> VerificationReport:
        public_key = load_public_key(public_key_file or self.settings.verify_key_file)
        exported = Checkpoint.read(against) if against else None
        report = verify_ledger(
            self.ledger,
            public_key,
            exported,
            str(against) if against else None,
            state=self.ledger_state.read(),
            state_name=str(self.ledger_state.path),
            recorded_time=recorded_time_reader(self.recorder, self.sealing.unseal),
            now=now,
            keys=KeyEvidence(
                self.key_table.all_rows(),
                self.key_table.log_entries(),
                self._erasure_evidence(),
            ),
        )
        self._check_witnessed(report, public_key)
        return report

    def _erasure_evidence(self) -> Callable[[UUID], ErasureEvidence | None]:
        """A case's erasure as the register and the request it carried out record it,
        for `verify` to hold each destroyed key against (requests read once, lazily)."""
        carried_out: dict[UUID, ErasureRequest] | None = None

        def evidence(case_id: UUID) -> ErasureEvidence | None:
            nonlocal carried_out
            erasure = self.erasure_of(case_id)
            if erasure is None:
                return None
            if carried_out is None:
                carried_out = {}
                for request_id in self.record_ids(ErasureRequest.CarriedOut):
                    request = self.get_erasure_request(request_id)
                    carried_out.setdefault(request.case_id, request)
            request = carried_out.get(case_id)
            if request is None:
                return ErasureEvidence(erasure.id, None, None, None)
            approvals = [
                e for e in self.events.get(request.id) if isinstance(e, ErasureRequest.Approved)
            ]
            return ErasureEvidence(
                erasure.id,
                request.requested_by,
                request.approved_by,
                approvals[-1].actor_role if approvals else None,
            )

        return evidence

    def _check_witnessed(self, report: VerificationReport, public_key: bytes) -> None:
        """The k-of-n witness policy over the latest checkpoint (one signed by the
        ledger key: any other is named by `verify_ledger` already)."""
        endpoints = parse_witnesses(self.settings.witnesses)
        if not endpoints and self.settings.witness_policy <= 0:
            return  # no witnesses: nothing to read (verify works on a read-only store)
        latest = self.latest_checkpoint()
        if latest is None or latest.public_key_bytes != public_key or not latest.signature_valid():
            return
        findings, notes = check_witnessed(
            latest,
            self.cosignatures.lines(latest.seq) if endpoints else {},
            endpoints,
            self.settings.witness_policy,
        )
        report.findings += findings
        report.notes += notes

    def prove_event(self, record_id: UUID, version: int) -> EventProof:
        """An inclusion proof of one stored event into the latest checkpoint."""
        latest = self.ledger.latest()
        leaves = self.ledger.recorded_leaves()
        found = [
            leaf
            for leaf in leaves
            if leaf.originator_id == record_id.bytes and leaf.originator_version == version
        ]
        if latest is None or not found or found[0].index >= latest.checkpoint.tree_size:
            raise NotCheckpointed(
                f"version {version} of {record_id} is not covered by a "
                "checkpoint yet; take one with `casework ledger checkpoint`"
            )
        tree = Tree([leaf.hash for leaf in leaves[: latest.checkpoint.tree_size]])
        index = found[0].index
        return EventProof(
            record_id=record_id,
            version=version,
            leaf_index=index,
            leaf_hash=found[0].hash.hex(),
            proof=[p.hex() for p in tree.inclusion_proof(index, tree.size)],
            checkpoint=latest.checkpoint,
        )

    # -- the ledger as someone signed in reads it ---------------------------------------
    # `verify`, `latest_checkpoint` and `prove_event` above are the keyholder's: the
    # CLI's ledger and verify commands run them on the server with the store's keys (and
    # must work on a store whose staff records are what is in doubt). Signed-in readers
    # go through `may_read_ledger`.

    def read_latest_checkpoint(self, by: Actor) -> Checkpoint | None:
        self._require_ledger_reader(by)
        return self.latest_checkpoint()

    def read_verification(self, by: Actor) -> VerificationReport:
        """The ledger verified now against the configured public key."""
        self._require_ledger_reader(by)
        return self.verify()

    def read_inclusion_proof(self, by: Actor, record_id: UUID, version: int) -> EventProof:
        self._require_ledger_reader(by, [record_id])
        return self.prove_event(record_id, version)

    def _require_ledger_reader(self, by: Actor, record_ids: Sequence[UUID] = ()) -> None:
        self.require(
            by,
            AccessAction.READ,
            may_read_ledger,
            "may not read the ledger",
            record_kinds=["ledger"],
            record_ids=record_ids,
        )

    # -- as-of replay ------------------------------------------------------------------

    def replay(
        self, by: Actor, record_id: UUID, at: datetime, basis: Basis = Basis.RECORDED
    ) -> Replay:
        """Any record as it stood at `at` (as recorded by casework, or as had occurred),
        showing what `by` may see of it under the access rule; recorded (REPLAY)."""
        at = aware(at, "as_of")
        judge = self._replay_judge(by, record_id, AccessAction.REPLAY)
        replay, reason, kinds = judge.seen(self._replay(record_id, at, basis))
        self.record_access(
            by,
            AccessAction.REPLAY,
            case_id=judge.case_id,
            record_kinds=kinds,
            record_ids=[record_id],
            reason=reason,
        )
        return replay

    def _replay(self, record_id: UUID, at: datetime, basis: Basis) -> Replay:
        """The whole record as it stood (no access check: for the service layer only)."""
        if basis is Basis.OCCURRED:
            try:
                return self._replay_as_occurred(record_id, at)
            except RecordErased as error:
                raise self.erased("record", record_id, error) from None
        version = self.recorded_at.version_at(record_id, at)
        if version is None:
            if self.recorded_at.version_at(record_id, datetime.max.replace(tzinfo=UTC)) is None:
                self.load(record_id, Record, "record")  # says erased or not found
            return Replay(record_id, Basis.RECORDED, at, None, 0)
        try:
            record = self.repository.get(record_id, version=version, projector_func=apply_all)
        except RecordErased as error:
            raise self.erased("record", record_id, error) from None
        return Replay(record_id, Basis.RECORDED, at, record, version)

    def _replay_judge(self, by: Actor, record_id: UUID, access: AccessAction) -> "_ReplayJudge":
        """Decide from the record as it is now whether `by` may look back at it at all
        (refused and recorded if not), and return what filters its past states."""
        current = self.load(record_id, Record, "record")
        case_id = current.case_id_for_keys()
        context = self.context_of(by, access, case_id)
        case: Case | None = None
        if isinstance(current, Case):
            case = current
            decision = may(context, Action.SEE, RecordKind.SUMMARY, case, now())
        elif case_id is not None:
            case = self.load(case_id, Case, "case")
            kind, discipline = RecordKind.SUMMARY, None
            if isinstance(current, Review):
                kind = RecordKind(current.record_kind)
                records = {RecordKind.NOTE: case.notes, RecordKind.ASSESSMENT: case.assessments}
                reviewed = records.get(kind, {}).get(current.record_id)
                discipline = reviewed.discipline if reviewed is not None else None
            decision = may(context, Action.SEE, kind, case, now(), discipline)
        elif by.role is Role.COMPLIANCE_REVIEWER:
            decision = Decision(True, "compliance review (read-only; the read is recorded)")
        else:
            decision = Decision(
                False, "only compliance reviewers look back at organisation records"
            )
        if not decision:
            self.refuse(
                by,
                access,
                f"may not {access.value} this record",
                decision.reason,
                case_id=case_id,
                record_kinds=[type(current).__name__.lower()],
                record_ids=[record_id],
            )
        return _ReplayJudge(context, case_id, case if isinstance(current, Case) else None, decision)

    def _replay_as_occurred(self, record_id: UUID, at: datetime) -> Replay:
        stored = self.ledger.stream(record_id)
        if not stored:
            raise NotFound("record", record_id)
        with collector_pause.held():
            return self._apply_occurred(record_id, at, stored)

    def _apply_occurred(self, record_id: UUID, at: datetime, stored: list[Any]) -> Replay:
        # Every event is opened once to read its occurred_at (they are sealed), but only
        # the events after the last snapshot that precedes the first later-occurring
        # event are decoded whole.
        plaintexts = self.sealing.unseal_stream(record_id, stored)
        occurred = [occurred_at_of(p) for p in plaintexts]
        start = None
        if self.snapshots is not None and (prefix := settled(occurred, at)):
            found = list(self.snapshots.get(record_id, desc=True, limit=1, lte=prefix))
            start = found[0].mutate(None) if found else None
        begin = start.version if start is not None else 0
        events = [
            self.sealing.decode_event(s, p)
            for s, p, when in zip(stored, plaintexts, occurred, strict=True)
            if s.originator_version > begin and when <= at
        ]
        return as_occurred(record_id, at, events, start, len(stored))

    def diff_record(
        self,
        by: Actor,
        record_id: UUID,
        since: datetime,
        until: datetime,
        basis: Basis = Basis.RECORDED,
    ) -> RecordDiff:
        """What changed between two instants, in what `by` may see; recorded (DIFF)."""
        judge = self._replay_judge(by, record_id, AccessAction.DIFF)
        before, _, _ = judge.seen(self._replay(record_id, aware(since, "since"), basis))
        after, reason, kinds = judge.seen(self._replay(record_id, aware(until, "until"), basis))
        events = list(self.events.get(record_id))
        if basis is Basis.RECORDED:
            between = [e for e in events if before.applied < e.originator_version <= after.applied]
        else:
            between = [e for e in events if before.at < e.occurred_at <= after.at]
        changes = diff(before, after, between)
        self.record_access(
            by,
            AccessAction.DIFF,
            case_id=judge.case_id,
            record_kinds=kinds,
            record_ids=[record_id],
            reason=reason,
        )
        return changes

    # -- export ------------------------------------------------------------------------

    def export_case(self, by: Actor, case_id: UUID) -> Bundle:
        """The case's decrypted timeline with a proof for every event: for compliance
        reviewers and the directors of the case's centre; recorded (EXPORT)."""
        case: Case = self.load(case_id, Case, "case")
        context = self.context_of(by, AccessAction.EXPORT, case_id)
        if not (
            by.role is Role.COMPLIANCE_REVIEWER
            or (by.role is Role.CENTRE_DIRECTOR and context.centre_id == case.centre_id)
        ):
            reason = (
                f"a {by.role.value} may not export a whole case; a compliance reviewer or "
                "the director of the case's centre may"
            )
            self.record_access(
                by,
                AccessAction.EXPORT,
                case_id=case_id,
                record_kinds=["case"],
                outcome=AccessOutcome.REFUSED,
                reason=reason,
            )
            raise ExportNotAllowed(reason)
        self.checkpoint()
        latest = self.ledger.latest()
        assert latest is not None  # just taken
        rows = [
            r
            for r in case_rows(self.ledger, self.key_table, case_id)
            if r.notification_id <= latest.last_notification_id
        ]
        try:
            bundle = build_bundle(
                case_id,
                self.ledger,
                latest.checkpoint,
                rows,
                self.sealing.unseal,
                by,
                load_signing_key(self.settings.signing_key_file),
            )
        except RecordErased as error:
            raise self.erased("case", case_id, error) from None
        self.record_access(
            by,
            AccessAction.EXPORT,
            case_id=case_id,
            record_kinds=["case"],
            reason=f"{len(bundle.events)} events exported with their proofs",
        )
        return bundle

    # -- erasure -----------------------------------------------------------------------

    def request_erasure(
        self,
        by: Actor,
        case_id: UUID,
        reason: str,
        legal_authority: str,
        occurred_at: datetime | None = None,
    ) -> UUID:
        """The first of four eyes: a compliance reviewer, the director of the case's
        centre or the head of its department asks for the case to be erased."""
        case: Case = self.load(case_id, Case, "case")
        context = self.context_of(by, AccessAction.WRITE, case_id)
        if not (
            by.role is Role.COMPLIANCE_REVIEWER
            or (by.role is Role.CENTRE_DIRECTOR and context.centre_id == case.centre_id)
            or (by.role is Role.DEPARTMENT_HEAD and context.department_id == case.department_id)
        ):
            self.refuse(
                by,
                AccessAction.WRITE,
                "may not request the erasure of this case",
                "an erasure is requested by a compliance reviewer, the director of the "
                "case's centre or the head of its department",
                case_id=case_id,
                record_kinds=_ERASURE,
            )
        request = ErasureRequest.request(
            by, case_id, case.centre_id, case.department_id, reason, legal_authority, occurred_at
        )
        self.save(request)
        return request.id

    def approve_erasure(
        self, by: Actor, request_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """The second pair of eyes: a compliance reviewer or the director of the case's
        centre, never the person who requested it."""
        request = self.get_erasure_request(request_id)
        context = self.context_of(by, AccessAction.WRITE, request.case_id)
        if by.staff_id == request.requested_by:
            reason = "the person who requested an erasure cannot approve it; a second person must"
        elif by.role is Role.COMPLIANCE_REVIEWER or (
            by.role is Role.CENTRE_DIRECTOR and context.centre_id == request.centre_id
        ):
            reason = ""
        else:
            reason = (
                "an erasure is approved by a compliance reviewer or the director of the "
                "case's centre"
            )
        if reason:
            self._refuse_erasure_step(by, request, "may not approve this erasure", reason)
        request.approve(by, occurred_at)
        self.save(request)

    def carry_out_erasure(
        self, by: Actor, request_id: UUID, occurred_at: datetime | None = None
    ) -> UUID:
        """Destroy the case's data key, its search-index entries, projected rows and
        recorded times, and record in the erasure register who erased it, why, and on
        whose authority: an administrator or the director of the case's centre, once
        the request is approved. Re-running it finishes an erasure that was interrupted.
        Returns the register entry's id."""
        request = self.get_erasure_request(request_id)
        context = self.context_of(by, AccessAction.WRITE, request.case_id)
        if not (
            by.role is Role.ADMINISTRATOR
            or (by.role is Role.CENTRE_DIRECTOR and context.centre_id == request.centre_id)
        ):
            self._refuse_erasure_step(
                by,
                request,
                "may not carry out this erasure",
                "an approved erasure is carried out by an administrator or the director of "
                "the case's centre",
            )
        case_id = request.case_id
        erasure = self.erasure_of(case_id)
        if request.status is not ErasureStatus.CARRIED_OUT:
            request.carry_out(by, CaseErasure.id_for(case_id), occurred_at)
            if erasure is None:
                self.load(case_id, Case, "case")
                erasure = CaseErasure.record_erasure(
                    by, case_id, request.reason, self._authority_of(request), occurred_at
                )
                erasure.list_exports(by, self.exports_of(case_id), occurred_at)
                self.save(request, erasure)
            else:
                self.save(request)
        elif erasure is None:
            raise NotFound("erasure", CaseErasure.id_for(case_id))
        elif not self.keyring.destroy(case_id, erasure.erased_at):
            raise self.erased("case", case_id, RecordErased("", case_id, erasure.erased_at))
        self.keyring.destroy(case_id, erasure.erased_at)
        self.client_index.forget_case(case_id)  # type: ignore[attr-defined]
        self.erase_projected_rows(case_id, erasure.erased_at)
        self.recorded_at.forget(case_record_ids(self.ledger, self.key_table, case_id))
        return erasure.id

    def exports_of(self, case_id: UUID) -> list[ExportToRecall]:
        """Every bundle of the case handed out (EXPORT allowed, from the access log),
        oldest first: what an erasure lists for recall, since it cannot reach them."""
        ids = self.access_index.find(
            AccessQuery(case_id=case_id, outcome=AccessOutcome.ALLOWED.value, limit=_ALL)
        )
        records = [self.load(i, AccessRecord, "access record") for i in ids]
        return [
            ExportToRecall(
                r.id,
                r.occurred_at,
                r.actor_id,
                r.actor_role.value if r.actor_role else None,
                r.reason,
            )
            for r in reversed(records)
            if r.action is AccessAction.EXPORT
        ]

    def get_erasure_request(self, request_id: UUID) -> ErasureRequest:
        """An erasure request (it holds no case content)."""
        return self.load(request_id, ErasureRequest, "erasure request")

    def read_erasure_request(self, by: Actor, request_id: UUID) -> ErasureRequest:
        """An erasure request as `by` may read it (`may_read_erasure_request`): where
        it stands and who took each step; a refusal is recorded."""
        request = self.get_erasure_request(request_id)
        self.require(
            by,
            AccessAction.READ,
            lambda context: may_read_erasure_request(context, request),
            "may not read this erasure request",
            record_kinds=_ERASURE,
            record_ids=[request_id],
        )
        return request

    def _authority_of(self, request: ErasureRequest) -> str:
        """What the register says authorised the erasure: the legal authority and the
        two people who requested and approved it."""

        def named(staff_id: UUID | None) -> str:
            assert staff_id is not None  # approved before it is carried out
            return self.load(staff_id, Staff, "staff member").name

        return (
            f"{request.legal_authority}; requested by {named(request.requested_by)}, "
            f"approved by {named(request.approved_by)}"
        )

    def _refuse_erasure_step(
        self, by: Actor, request: ErasureRequest, message: str, reason: str
    ) -> None:
        self.refuse(
            by,
            AccessAction.WRITE,
            message,
            reason,
            case_id=request.case_id,
            record_kinds=_ERASURE,
            record_ids=[request.id],
        )

    def erase_projected_rows(self, case_id: UUID, at: datetime) -> None:
        from casework.projections import Projections

        projections = Projections(self)
        try:
            projections.erase_case(case_id, at)
        finally:
            projections.close()

    def erasure_of(self, case_id: UUID) -> CaseErasure | None:
        try:
            return self.load(CaseErasure.id_for(case_id), CaseErasure, "erasure")
        except NotFound:
            return None

    def erased(self, what: str, record_id: UUID, error: RecordErased) -> RuleBroken:
        """The core's `erased` hook: what every reader sees for content whose case was
        erased (when, by whom, on whose authority, why)."""
        case_id = error.scope_id
        subject = f"the {what} {record_id}"
        if case_id != record_id:
            subject += f" (of case {case_id})"
        erasure = self.erasure_of(case_id)
        if erasure is None:
            return Erased(
                f"{subject} was erased on {error.destroyed_at:%Y-%m-%d %H:%M} UTC",
                case_id=str(case_id),
            )
        return Erased(
            f"{subject} was erased on {erasure.erased_at:%Y-%m-%d %H:%M %Z} by staff "
            f"{erasure.erased_by}, authorised by {erasure.authorised_by}: {erasure.reason}",
            case_id=str(case_id),
            erased_at=erasure.erased_at.isoformat(),
            erased_by=str(erasure.erased_by),
            authorised_by=erasure.authorised_by,
        )


@dataclasses.dataclass(frozen=True)
class _ReplayJudge:
    """Filters past states of one record for one reader: a case by `case_as_seen`
    (judged on the case as it is now), any other record whole (its sight was decided)."""

    context: ActorContext
    case_id: UUID | None
    current_case: Case | None
    decision: Decision

    def seen(self, replay: Replay) -> tuple[Replay, str, list[str]]:
        """The replay as the reader may see it, the reason to record, the kinds shown."""
        if self.current_case is None or replay.record is None:
            kind = "case" if self.current_case is not None else "record"
            return replay, self.decision.reason, [kind]
        reading = case_as_seen(self.context, replay.record, now(), judged_on=self.current_case)
        if isinstance(reading, Decision):  # the current case allowed it: a past state cannot
            return dataclasses.replace(replay, record=None), reading.reason, []
        withheld = tuple(w.describe() for w in reading.withheld)
        return (
            dataclasses.replace(replay, record=reading.case, withheld=withheld),
            "; ".join([reading.ground, *withheld]),
            [str(k) for k in reading.shown],
        )
