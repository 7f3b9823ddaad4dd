"""`/api/v1/referrals`: send a case's referral, read it and its chain, the receiver's
answers (accept, decline, start service, complete, return; an agency's answer is
recorded by the sending centre's staff naming the agency's contact), onward referral
and withdrawal. Each handler is one service-layer call: the service decides and
records access."""

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.cases import NO_STORE, OPENS, READS, WRITES
from api.commands import etag
from api.dependencies import COMMAND_DEPENDENCIES, Asking, ExpectedVersion, Runner, Service
from api.schemas.common import Recorded
from api.schemas.referrals import ReferralView, referral_view
from casework.application.commands.referrals import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    ReferOnward,
    ReturnReferral,
    SendReferral,
    StartReferralService,
    WithdrawReferral,
)

LOCATION = "/api/v1/referrals/{record_id}"


class ReferralController(Controller):
    path = "/api/v1/referrals"
    tags = ("referrals",)
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/",
        operation_id="sendReferral",
        summary="Refer a case out",
        sync_to_thread=True,
        responses=OPENS,
    )
    def send(
        self, casework: Service, by: Asking, data: JSONBody[SendReferral], command: Runner
    ) -> Response[Recorded]:
        return command.run(
            None,
            lambda: casework.send_referral(by, data),
            location=LOCATION,
        )

    @get(
        "/{referral_id:uuid}",
        operation_id="readReferral",
        summary="A referral (the read is recorded); ETag is its version",
        sync_to_thread=True,
        responses=READS,
    )
    def read(
        self, casework: Service, by: Asking, referral_id: FromPath[UUID]
    ) -> Response[ReferralView]:
        view = referral_view(casework.get_referral(by, referral_id))
        return Response(view, headers={**NO_STORE, "ETag": etag(view.version)})

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

    @post(
        "/{referral_id:uuid}/onward",
        operation_id="referOnward",
        summary="Refer onward (the new referral is `created_id`)",
        sync_to_thread=True,
        responses=WRITES,
    )
    def onward(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[ReferOnward],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.refer_onward(by, referral_id, data, expected_version=expected_version),
        )

    @post(
        "/{referral_id:uuid}/acceptance",
        operation_id="acceptReferral",
        summary="The receiver accepts",
        sync_to_thread=True,
        responses=WRITES,
    )
    def accept(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[AcceptReferral],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.accept_referral(
                by, referral_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{referral_id:uuid}/decline",
        operation_id="declineReferral",
        summary="The receiver declines, saying why",
        sync_to_thread=True,
        responses=WRITES,
    )
    def decline(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[DeclineReferral],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.decline_referral(
                by, referral_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{referral_id:uuid}/service-start",
        operation_id="startReferralService",
        summary="The receiver starts the service",
        sync_to_thread=True,
        responses=WRITES,
    )
    def start(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[StartReferralService],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.start_referral_service(
                by, referral_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{referral_id:uuid}/completion",
        operation_id="completeReferral",
        summary="The receiver completes the service, with its outcome",
        sync_to_thread=True,
        responses=WRITES,
    )
    def complete(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[CompleteReferral],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.complete_referral(
                by, referral_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{referral_id:uuid}/return",
        operation_id="returnReferral",
        summary="The receiver returns the referral to its sender, saying why",
        sync_to_thread=True,
        responses=WRITES,
    )
    def return_to_sender(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[ReturnReferral],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.return_referral(
                by, referral_id, data, expected_version=expected_version
            ),
        )

    @post(
        "/{referral_id:uuid}/withdrawal",
        operation_id="withdrawReferral",
        summary="The sender takes the referral back",
        sync_to_thread=True,
        responses=WRITES,
    )
    def withdraw(
        self,
        casework: Service,
        by: Asking,
        referral_id: FromPath[UUID],
        data: JSONBody[WithdrawReferral],
        expected_version: ExpectedVersion,
        command: Runner,
    ) -> Response[Recorded]:
        return command.run(
            referral_id,
            lambda: casework.withdraw_referral(
                by, referral_id, data, expected_version=expected_version
            ),
        )
