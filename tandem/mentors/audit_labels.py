"""The mentor register's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "mentor.apply": "Applied to be a mentor",
        "mentor.create": "Added a mentor",
        "mentor.update": "Changed a mentor's record",
        "mentor.status_change": "Changed a mentor's status",
        "mentor.grant_access": "Gave a mentor access to Tandem",
        "mentor.check_record": "Recorded a vetting check",
        "mentor.completion_record": "Recorded a completed training module",
        "mentor.accreditation_renew": "Awarded or renewed accreditation",
        "mentor.accreditation_revoke": "Revoked accreditation",
        "mentor.observation_record": "Recorded an observation of practice",
        "mentor.feedback_record": "Recorded feedback about a mentor",
        "mentor.profile_update": "Updated their mentor profile",
        "mentor.change_request_create": "Asked for a change to their record",
        "mentor.change_request_approve": "Approved a change to a mentor's record",
        "mentor.change_request_reject": "Turned down a change to a mentor's record",
        "mentor.conflict_declare": "Declared a conflict of interest",
        "mentor.conflict_withdraw": "Withdrew a conflict of interest",
        "mentor.code_accept": "Accepted the code of conduct",
    },
    record_types={
        "mentors.mentor": "a mentor's record",
        "mentors.conflictdeclaration": "a conflict of interest",
        "mentors.profilechangerequest": "a change request",
    },
)
