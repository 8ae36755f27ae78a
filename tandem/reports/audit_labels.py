"""The reports' audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "evaluation_export.request": "Asked for a pseudonymised evaluation export",
        "evaluation_export.create": "Made a pseudonymised evaluation export",
        "evaluation_export.fail": "A pseudonymised evaluation export failed",
        "evaluation_export.download": "Downloaded a pseudonymised evaluation export",
        "board_dashboard.view": "Viewed the board's dashboard",
        "board_dashboard.download": "Downloaded the quarterly board report (PDF)",
    },
)
