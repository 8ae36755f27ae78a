"""Supervision's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "supervision.record": "Recorded a supervision",
        "supervision.action_complete": "Completed a supervision action",
        "supervision.debrief_require": "Required a debrief",
        "supervision.debrief_meet": "Recorded a debrief",
        "supervision.policy_change": "Changed the supervision policy",
        "supervision.reminder_send": "Sent a supervision reminder",
        "supervision.supervisor_assign": "Assigned a supervisor",
        "supervision.wellbeing_check_in": "Recorded a wellbeing check-in",
    },
    record_types={"supervision.supervisionrecord": "a supervision record"},
)
