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


def install(apps=None) -> None:
    """Create the default concern types where missing (idempotent); ``apps`` as in
    tandem.mentors.defaults.install."""
    if apps is None:
        from django.apps import apps

    ConcernType = apps.get_model("cases", "ConcernType")
    for position, (code, name) in enumerate(CONCERN_TYPES):
        ConcernType.objects.get_or_create(code=code, defaults={"name": name, "position": position})
