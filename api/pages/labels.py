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


def label(value: StrEnum | str | None) -> str:
    """The msgid for a value the service layer returned (translate it when shown)."""
    if value is None:
        return "—"
    return LABELS.get(str(value), UNKNOWN)
