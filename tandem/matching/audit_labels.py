"""Matching's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "case.matching_needs": "Changed a case's matching needs",
        "match.propose": "Proposed a match",
        "match.accept": "Accepted a match",
        "match.decline": "Declined a match",
        "match.withdraw": "Withdrew a match proposal",
        "match.start": "Started a match",
        "match.end": "Ended a match",
        "match.list": "Listed matches",
        "matching.batch_create": "Made a batch of proposals",
        "matching.batch_change": "Changed a pair in a batch",
        "matching.batch_remove": "Removed a pair from a batch",
        "matching.batch_confirm": "Confirmed a batch of proposals",
        "matching.batch_discard": "Discarded a batch of proposals",
        "matching.policy_change": "Changed the matching policy",
    },
    record_types={"matching.match": "a match"},
)
