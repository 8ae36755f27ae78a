"""Cases' audit actions in words (tandem.audit.actions). Each lifecycle move is recorded as
``case.<action>`` and reads as the move's own label."""

from tandem.audit.actions import register_action_labels

from .lifecycle import ACTIONS

register_action_labels(
    {
        **{
            f"case.{name}": f"Moved a case: {action.label.lower()}"
            for name, action in ACTIONS.items()
        },
        "case.referral_submit": "Made a referral",
        "case.list": "Listed cases",
        "case.search": "Searched for a person by name",
        "case.pathway_change": "Changed a case's pathway",
        "case.ethnicity_change": "Recorded a person's ethnic group",
        "case.screening_record": "Recorded screening",
        "case.consent_record": "Recorded consent",
        "case.consent_withdraw": "Recorded consent withdrawn",
        "case.duplicate_decide": "Decided on a possible duplicate",
        "case.plan_write": "Wrote a support plan",
        "case.plan_change": "Changed a support plan",
        "case.goal_add": "Added a goal",
        "case.goal_change": "Changed a goal",
        "case.goal_deactivate": "Removed a goal",
        "case.review_record": "Recorded a review",
        "case.follow_ups_schedule": "Scheduled follow-ups",
        "case.follow_up_record": "Recorded a follow-up",
    },
    record_types={"cases.case": "a case"},
)
