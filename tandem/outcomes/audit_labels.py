"""The outcomes app's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "outcomes.instrument_create": "Added a questionnaire",
        "outcomes.instrument_revise": "Revised a questionnaire",
        "outcomes.link_create": "Made a link to answer a questionnaire",
        "outcomes.link_withdraw": "Withdrew a link to answer a questionnaire",
        "outcomes.answer_by_link": "Questionnaire answered through a link",
        "outcomes.answer_signed_in": "Recorded answers to a questionnaire",
        "outcomes.export": "Downloaded a list",
    },
)
