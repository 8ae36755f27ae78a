"""Default configuration for a new scheme (see the shared domain reference)."""

CONCERN_TYPES = [
    ("islamist", "Islamist"),
    ("extreme-right-wing", "Extreme right-wing"),
    ("left-anarchist-single-issue", "Left-wing, anarchist or single-issue"),
    ("conflicted-unclear", "Conflicted or unclear ideology"),
    ("school-massacre", "School-massacre fixation"),
    ("incel", "Incel"),
    ("hate-crime", "Hate crime without a clear ideology"),
    ("other", "Other"),
    ("no-ideology", "No ideology found (vulnerability only)"),
]

REVIEW_INTERVAL_WEEKS = 6
FOLLOW_UP_MONTHS = {"6m": 6, "12m": 12}
