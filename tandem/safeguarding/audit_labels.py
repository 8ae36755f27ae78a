"""Safeguarding's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "concern.raise": "Raised a safeguarding concern",
        "concern.acknowledge": "Acknowledged a safeguarding concern",
        "concern.action": "Recorded action on a safeguarding concern",
        "concern.escalate": "Escalated a safeguarding concern",
        "concern.resolve": "Resolved a safeguarding concern",
        "concern.close": "Closed a safeguarding concern",
        "concern.reopen": "Reopened a safeguarding concern",
        "concern.urgency": "Changed a concern's urgency",
        "concern.list": "Listed safeguarding concerns",
        "escalation.create": "Referred a concern to another agency",
        "escalation.decision": "Recorded another agency's decision",
        "safeguarding_policy.change": "Changed the safeguarding policy",
        "concern_alert.nearing": "Alerted that a concern's deadline is near",
        "concern_alert.missed": "Alerted that a concern's deadline was missed",
    },
    record_types={"safeguarding.concern": "a safeguarding concern"},
)
