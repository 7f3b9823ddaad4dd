"""The case's rules, by name: what a case refuses and why (the message says the rest)."""

from casework.aggregates.base import RuleBroken


class CaseClosed(RuleBroken):
    rule = "case_closed"


class ConsentMissing(RuleBroken):
    rule = "consent_missing"


class AssessmentRequired(RuleBroken):
    rule = "assessment_required"


class LeadWorkerOnly(RuleBroken):
    rule = "lead_worker_only"
    status = 403


class RecordNotFound(RuleBroken):
    rule = "record_not_found"
    status = 404


class UnknownGoal(RuleBroken):
    rule = "unknown_goal"


class GoalOutcomeMissing(RuleBroken):
    rule = "goal_outcome_missing"


class PlanVersionNotPending(RuleBroken):
    rule = "plan_version_not_pending"


class ClosureNotPending(RuleBroken):
    rule = "closure_not_pending"


class CaseNotClosed(RuleBroken):
    rule = "case_not_closed"


class AlreadyOnTeam(RuleBroken):
    rule = "already_on_team"


class NotOnTeam(RuleBroken):
    rule = "not_on_team"


class EmergencyAccessNotOpen(RuleBroken):
    rule = "emergency_access_not_open"
