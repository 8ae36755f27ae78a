"""Default configuration for a new scheme (see the shared domain reference)."""

REVIEW_INTERVAL_WEEKS = 6
FOLLOW_UP_MONTHS = {"6m": 6, "12m": 12}
