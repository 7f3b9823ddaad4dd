"""Case-record review commands. The record judged is where they are sent (the case, the
record's kind and id), not a field; the judgement is on the record as it now is."""

from typing import Annotated

import msgspec

from casework.application.commands.fields import Command, OccurredAt, Reason

Comments = Annotated[str, msgspec.Meta(max_length=2_000, description="what the reviewer says")]


class ApproveRecord(Command):
    """Approve the record as it now is (a pending high-risk plan version or closure is
    approved on the case with it)."""

    comments: Comments = ""
    occurred_at: OccurredAt = None


class RequestRevision(Command):
    """Send the record back to its author, saying what needs revising."""

    comments: Annotated[Reason, msgspec.Meta(description="what needs revising")]
    occurred_at: OccurredAt = None


class SubmitRevision(Command):
    """Link the revision (addendum, amendment or new plan version) to the request."""

    occurred_at: OccurredAt = None
