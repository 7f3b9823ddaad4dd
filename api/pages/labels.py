"""What the pages call the values the service layer returns (roles, risk levels,
disciplines, note kinds, case statuses, access outcomes, event kinds), as gettext
messages: `label(value)` gives the msgid, which the templates translate."""

from enum import StrEnum

from api.pages.language import N_

LABELS: dict[str, str] = {
    # roles
    "caseworker": N_("Caseworker"),
    "specialist": N_("Specialist"),
    "department_head": N_("Department head"),
    "supervisor": N_("Supervisor"),
    "centre_director": N_("Centre director"),
    "compliance_reviewer": N_("Compliance reviewer"),
    "administrator": N_("Administrator"),
    # risk levels
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "critical": N_("Critical"),
    # disciplines
    "social_work": N_("Social work"),
    "law": N_("Law"),
    "psychology": N_("Psychology"),
    "medicine": N_("Medicine"),
    "education": N_("Education"),
    "other": N_("Other"),
    # note kinds
    "home_visit": N_("Home visit"),
    "office_interview": N_("Office interview"),
    "phone": N_("Phone call"),
    "group_session": N_("Group session"),
    "resource_linking": N_("Resource linking"),
    "accompaniment": N_("Accompaniment"),
    "advocacy": N_("Advocacy"),
    # sexes ("other" is named above)
    "female": N_("Female"),
    "male": N_("Male"),
    "not_recorded": N_("Not recorded"),
    # case statuses
    "intake": N_("Intake"),
    "assessed": N_("Assessed"),
    "active": N_("Active"),
    "closing": N_("Closing"),
    "closed": N_("Closed"),
    # team scopes
    "summary": N_("Summary and plan"),
    "full": N_("Full case"),
    # referral sources
    "self": N_("Self-referred"),
    "family": N_("Family"),
    "community_committee": N_("Community committee"),
    "school": N_("School"),
    "hospital": N_("Hospital"),
    "police": N_("Police"),
    "court": N_("Court"),
    "other_agency": N_("Another agency"),
    # record kinds (what a reading withholds)
    "note": N_("notes"),
    "assessment": N_("assessments"),
    "consent": N_("consent"),
    "team": N_("team"),
    "plan": N_("plan"),
    "closure": N_("closure"),
    # access-log actions and outcomes
    "read": N_("Read"),
    "write": N_("Write"),
    "access_log": N_("Looked at the access log"),
    "allowed": N_("Allowed"),
    "refused": N_("Refused"),
    # plan states
    "pending_approval": N_("Awaiting approval"),
    "superseded": N_("Superseded"),
    # what waits for a reviewer, and verdicts
    "resubmitted": N_("Revised: judge it again"),
    "approval": N_("Needs approval"),
    "not_reviewed": N_("Not reviewed yet"),
    "approved": N_("Approved"),
    "revision_requested": N_("Revision requested"),
    # assessment domains (family, education and other are named above)
    "mental_health": N_("Mental health"),
    "physical_health": N_("Physical health"),
    "legal": N_("Legal"),
    "economic": N_("Economic"),
    "housing": N_("Housing"),
    "safety": N_("Safety"),
    # closure reasons and goal outcomes
    "goals_met": N_("Goals met"),
    "client_withdrew": N_("Client withdrew"),
    "transferred": N_("Transferred"),
    "moved_away": N_("Moved away"),
    "died": N_("Died"),
    "achieved": N_("Achieved"),
    "partly_achieved": N_("Partly achieved"),
    "not_achieved": N_("Not achieved"),
    # referral statuses, urgencies and what a referral shares
    "sent": N_("Sent, awaiting an answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "in_service": N_("In service"),
    "completed": N_("Completed"),
    "returned": N_("Returned"),
    "withdrawn": N_("Withdrawn"),
    "routine": N_("Routine"),
    "urgent": N_("Urgent"),
    "emergency": N_("Emergency"),
    "case_summary": N_("Case summary"),
    "contact_details": N_("Contact details"),
    "notes": N_("Notes"),
    # replay bases
    "as recorded": N_("As recorded"),
    "as occurred": N_("As occurred"),
    # supervision
    "individual": N_("Individual"),
    "group": N_("Group"),
    "peer": N_("Peer"),
    "case_practice": N_("Case practice"),
    "professional_development": N_("Professional growth"),
    "wellbeing": N_("Wellbeing and burnout"),
    # case events, as a conflict lists them
    "Opened": N_("Case opened"),
    "ClientDetailsCorrected": N_("Client details corrected"),
    "ConsentRecorded": N_("Consent recorded"),
    "RiskRerated": N_("Risk re-rated"),
    "AssessmentRecorded": N_("Assessment recorded"),
    "AddendumAdded": N_("Addendum added"),
    "PlanVersionProposed": N_("Plan version proposed"),
    "PlanVersionApproved": N_("Plan version approved"),
    "PlanReviewed": N_("Plan reviewed"),
    "NoteRecorded": N_("Note recorded"),
    "TeamMemberAdded": N_("Team member added"),
    "TeamMemberRemoved": N_("Team member removed"),
    "LeadWorkerChanged": N_("Case handed over"),
    "ClosureRequested": N_("Closure requested"),
    "ClosureAmended": N_("Closure amended"),
    "ClosureApproved": N_("Closure approved"),
    "Reopened": N_("Case reopened"),
    "EmergencyAccessStarted": N_("Emergency access started"),
    "EmergencyAccessEnded": N_("Emergency access ended"),
}

UNKNOWN = N_("Other change")

# One record of a kind, as a review names it.
RECORD_NAMES = {
    "note": N_("note"),
    "assessment": N_("assessment"),
    "plan": N_("plan"),
    "closure": N_("closure"),
}


def label(value: StrEnum | str | None) -> str:
    """The msgid for a value the service layer returned (translate it when shown)."""
    if value is None:
        return "—"
    return LABELS.get(str(value), UNKNOWN)


def record_name(kind: StrEnum | str) -> str:
    """The msgid naming one record of `kind` (translate it when shown)."""
    return RECORD_NAMES.get(str(kind), UNKNOWN)
