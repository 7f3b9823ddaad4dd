"""`/api/v1/referrals`: send a case's referral, read it and its chain, the receiver's
answers (accept, decline, start service, complete, return; an agency's answer is
recorded by the sending centre's staff naming the agency's contact), onward referral
and withdrawal. Each handler is one service-layer call: the service decides and
records access."""

from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath

from api.cases import NO_STORE, READS
from api.commands import ServedCasework
from api.dependencies import COMMAND_DEPENDENCIES, Asking, Service
from api.routes import command_route, read_route
from api.schemas.referrals import ReferralView, referral_view


class ReferralController(Controller):
    path = "/api/v1/referrals"
    tags = ("referrals",)
    dependencies = COMMAND_DEPENDENCIES

    send = command_route(
        "/",
        operation_id="sendReferral",
        summary="Refer a case out",
        call=ServedCasework.send_referral,
        if_match=False,
        location="/api/v1/referrals/{record_id}",
    )
    read = read_route(
        "/{referral_id:uuid}",
        operation_id="readReferral",
        summary="A referral (the read is recorded); ETag is its version",
        read=ServedCasework.get_referral,
        view=referral_view,
    )

    @get(
        "/{referral_id:uuid}/chain",
        operation_id="referralChain",
        summary="Every referral in this one's chain, from the first, in the order sent",
        sync_to_thread=True,
        responses=READS,
    )
    def chain(
        self, casework: Service, by: Asking, referral_id: FromPath[UUID]
    ) -> Response[list[ReferralView]]:
        chain = casework.referral_chain(by, referral_id)
        return Response([referral_view(r) for r in chain], headers=NO_STORE)

    onward = command_route(
        "/{referral_id:uuid}/onward",
        operation_id="referOnward",
        summary="Refer onward (the new referral is `created_id`)",
        call=ServedCasework.refer_onward,
    )

    accept = command_route(
        "/{referral_id:uuid}/acceptance",
        operation_id="acceptReferral",
        summary="The receiver accepts",
        call=ServedCasework.accept_referral,
    )

    decline = command_route(
        "/{referral_id:uuid}/decline",
        operation_id="declineReferral",
        summary="The receiver declines, saying why",
        call=ServedCasework.decline_referral,
    )

    start = command_route(
        "/{referral_id:uuid}/service-start",
        operation_id="startReferralService",
        summary="The receiver starts the service",
        call=ServedCasework.start_referral_service,
    )

    complete = command_route(
        "/{referral_id:uuid}/completion",
        operation_id="completeReferral",
        summary="The receiver completes the service, with its outcome",
        call=ServedCasework.complete_referral,
    )

    return_to_sender = command_route(
        "/{referral_id:uuid}/return",
        operation_id="returnReferral",
        summary="The receiver returns the referral to its sender, saying why",
        call=ServedCasework.return_referral,
    )

    withdraw = command_route(
        "/{referral_id:uuid}/withdrawal",
        operation_id="withdrawReferral",
        summary="The sender takes the referral back",
        call=ServedCasework.withdraw_referral,
    )
