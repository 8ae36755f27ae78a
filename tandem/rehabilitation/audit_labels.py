"""The rehabilitation pathway's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "rehabilitation.details_save": "Saved custody and licence details",
        "rehabilitation.condition_add": "Added a licence condition",
        "rehabilitation.condition_end": "Ended a licence condition",
        "rehabilitation.panel_record": "Recorded a multi-agency panel meeting",
        "rehabilitation.panel_decide": "Recorded a multi-agency panel decision",
        "rehabilitation.policy_update": "Changed the rehabilitation policy",
        "rehabilitation.visit_save": "Recorded a prison visit booking",
        "release_alert.prompt": "Prompted planning for a release",
        "release_alert.raise": "Raised an alert: no meeting after release",
        "release_alert.resolve": "Resolved an alert about a meeting after release",
    },
)
