"""`/api/v1/supervision-sessions`: record a session held, what it covered (notes, cases
discussed, decisions, action items), its sign-off and addenda, and the session as the
reader may see it. Each handler is one service-layer call: the service decides who may
(the supervisor records, participants sign) and records every reading."""

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.cases import NO_STORE, OPENS, READS, WRITES
from api.commands import etag
from api.dependencies import COMMAND_DEPENDENCIES, Asking, ExpectedVersion, Runner, Service
from api.schemas.common import Recorded
from api.schemas.supervision import DiscussionView, SessionView, discussion_view, session_view
from casework.aggregates.supervision import SessionNote, discussion_id
from casework.application.commands.supervision import (
    AddActionItem,
    AddSupervisionAddendum,
    DiscussCase,
    MarkActionItemDone,
    RecordSupervisionDecision,
    RecordSupervisionSession,
    SignSupervisionSession,
    WriteSupervisionNote,
)


class SupervisionController(Controller):
    path = "/api/v1/supervision-sessions"
    tags = ("supervision",)
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/",
        operation_id="recordSupervisionSession",
        summary="Record a supervision session held (by its supervisor)",
        sync_to_thread=True,
        responses=OPENS,
    )
    def record(
        self,
        casework: Service,
        by: Asking,
        data: JSONBody[RecordSupervisionSession],
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.record_supervision_session(by, data),
            location="/api/v1/supervision-sessions/{record_id}",
        )

    @get(
        "/{session_id:uuid}",
        operation_id="readSupervisionSession",
        summary="A session as you may see it (private notes left out; recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def read(
        self, casework: Service, by: Asking, session_id: FromPath[UUID]
    ) -> Response[SessionView]:
        view = session_view(casework.get_supervision_session(by, session_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @get(
        "/{session_id:uuid}/notes",
        operation_id="supervisionNotes",
        summary="The session's notes you may see (recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def notes(
        self, casework: Service, by: Asking, session_id: FromPath[UUID]
    ) -> Response[list[SessionNote]]:
        return Response(casework.supervision_notes_for(by, session_id), headers=NO_STORE)

    @post(
        "/{session_id:uuid}/notes",
        operation_id="writeSupervisionNote",
        summary="Write a note of the session (its supervisor)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def write_note(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        data: JSONBody[WriteSupervisionNote],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.write_supervision_note(
                by, session_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{session_id:uuid}/case-discussions",
        operation_id="discussCase",
        summary="Write (or before sign-off rewrite) what the session said about a case",
        sync_to_thread=True,
        responses=WRITES,
    )
    def discuss_case(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        data: JSONBody[DiscussCase],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.discuss_case_in_supervision(
                by, session_id, data, expected_version=expected_version
            ),
        )

    @get(
        "/{session_id:uuid}/case-discussions/{case_id:uuid}",
        operation_id="readCaseDiscussion",
        summary="What the session said about a case (case content; the read is recorded)",
        sync_to_thread=True,
        responses=READS,
    )
    def read_discussion(
        self, casework: Service, by: Asking, session_id: FromPath[UUID], case_id: FromPath[UUID]
    ) -> Response[DiscussionView]:
        view = discussion_view(casework.get_case_discussion(by, session_id, case_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

    @post(
        "/{session_id:uuid}/case-discussions/{case_id:uuid}/addenda",
        operation_id="addCaseDiscussionAddendum",
        summary="Correct a signed session's discussion of a case (If-Match: the discussion's)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_discussion_addendum(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        case_id: FromPath[UUID],
        data: JSONBody[AddSupervisionAddendum],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            discussion_id(session_id, case_id),
            lambda: casework.add_case_discussion_addendum(
                by, session_id, case_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{session_id:uuid}/decisions",
        operation_id="recordSupervisionDecision",
        summary="Record a decision of the session",
        sync_to_thread=True,
        responses=WRITES,
    )
    def decide(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        data: JSONBody[RecordSupervisionDecision],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.record_supervision_decision(
                by, session_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{session_id:uuid}/action-items",
        operation_id="addActionItem",
        summary="Add an action item (the new item is `created_id`)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_action_item(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        data: JSONBody[AddActionItem],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.add_action_item(
                by, session_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{session_id:uuid}/action-items/{item_id:uuid}/done",
        operation_id="markActionItemDone",
        summary="Mark an action item done (its owner or the supervisor)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def mark_done(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        item_id: FromPath[UUID],
        data: JSONBody[MarkActionItemDone],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.mark_action_item_done(
                by, session_id, item_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{session_id:uuid}/signatures",
        operation_id="signSupervisionSession",
        summary="Sign the session off (each participant)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def sign(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        data: JSONBody[SignSupervisionSession],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.sign_supervision_session(
                by, session_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{session_id:uuid}/addenda",
        operation_id="addSupervisionAddendum",
        summary="Add an addendum to a signed session (a participant)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def add_addendum(
        self,
        casework: Service,
        by: Asking,
        session_id: FromPath[UUID],
        data: JSONBody[AddSupervisionAddendum],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            session_id,
            lambda: casework.add_supervision_addendum(
                by, session_id, data, expected_version=expected_version
            ),
        )
