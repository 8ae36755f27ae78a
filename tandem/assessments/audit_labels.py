"""Assessments' audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "assessment.record": "Recorded an assessment",
        "assessments.assessment.list": "Listed a case's assessments",
        "assessment.draft_start": "Started a draft assessment",
        "assessment.draft_save": "Saved a draft assessment",
    },
    record_types={
        "assessments.assessment": "an assessment",
        "assessments.assessmentdraft": "a draft assessment",
    },
)
