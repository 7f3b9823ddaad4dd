"""`/api/v1/supervision-sessions`: record a session held, what it covered (notes, cases
discussed, decisions, action items), its sign-off and addenda, and the session as the
reader may see it. Each handler is one service-layer call: the service decides who may
(the supervisor records, participants sign) and records every reading."""

from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath

from api.cases import NO_STORE, READS
from api.commands import ServedCasework
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Service
from api.routes import command_route, read_route
from api.schemas.supervision import discussion_view, session_view
from casework.aggregates.supervision import SessionNote, discussion_id


class SupervisionController(Controller):
    path = "/api/v1/supervision-sessions"
    tags = ("supervision",)
    dependencies = COMMAND_DEPENDENCIES

    record = command_route(
        "/",
        operation_id="recordSupervisionSession",
        summary="Record a supervision session held (by its supervisor)",
        call=ServedCasework.record_supervision_session,
        if_match=False,
        location="/api/v1/supervision-sessions/{record_id}",
    )
    read = read_route(
        "/{session_id:uuid}",
        operation_id="readSupervisionSession",
        summary="A session as you may see it (private notes left out; recorded)",
        read=ServedCasework.get_supervision_session,
        view=session_view,
    )

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

    write_note = command_route(
        "/{session_id:uuid}/notes",
        operation_id="writeSupervisionNote",
        summary="Write a note of the session (its supervisor)",
        call=ServedCasework.write_supervision_note,
    )

    discuss_case = command_route(
        "/{session_id:uuid}/case-discussions",
        operation_id="discussCase",
        summary="Write (or before sign-off rewrite) what the session said about a case",
        call=ServedCasework.discuss_case_in_supervision,
    )

    read_discussion = read_route(
        "/{session_id:uuid}/case-discussions/{case_id:uuid}",
        operation_id="readCaseDiscussion",
        summary="What the session said about a case (case content; the read is recorded)",
        read=ServedCasework.get_case_discussion,
        view=discussion_view,
    )

    add_discussion_addendum = command_route(
        "/{session_id:uuid}/case-discussions/{case_id:uuid}/addenda",
        operation_id="addCaseDiscussionAddendum",
        summary="Correct a signed session's discussion of a case (If-Match: the discussion's)",
        call=ServedCasework.add_case_discussion_addendum,
        record=discussion_id,
    )
    decide = command_route(
        "/{session_id:uuid}/decisions",
        operation_id="recordSupervisionDecision",
        summary="Record a decision of the session",
        call=ServedCasework.record_supervision_decision,
    )

    add_action_item = command_route(
        "/{session_id:uuid}/action-items",
        operation_id="addActionItem",
        summary="Add an action item (the new item is `created_id`)",
        call=ServedCasework.add_action_item,
    )

    mark_done = command_route(
        "/{session_id:uuid}/action-items/{item_id:uuid}/done",
        operation_id="markActionItemDone",
        summary="Mark an action item done (its owner or the supervisor)",
        call=ServedCasework.mark_action_item_done,
    )

    sign = command_route(
        "/{session_id:uuid}/signatures",
        operation_id="signSupervisionSession",
        summary="Sign the session off (each participant)",
        call=ServedCasework.sign_supervision_session,
    )

    add_addendum = command_route(
        "/{session_id:uuid}/addenda",
        operation_id="addSupervisionAddendum",
        summary="Add an addendum to a signed session (a participant)",
        call=ServedCasework.add_supervision_addendum,
    )
