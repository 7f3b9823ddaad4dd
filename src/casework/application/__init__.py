"""The service layer: `Casework` is the application every adapter (CLI, API) uses."""

from typing import ClassVar

from casework.aggregates.case import Case
from casework.application.cases import CaseCommands


class Casework(CaseCommands):
    """casework's application: one event store, one notification log, sealed."""

    snapshotting_intervals: ClassVar = {Case: 100}


__all__ = ["Casework"]
