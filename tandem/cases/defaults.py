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

# Mentor specialisms that fit each concern type (codes from tandem.mentors.defaults).
CONCERN_SPECIALISMS = {
    "islamist": ["islamic-theology", "online-radicalisation"],
    "extreme-right-wing": ["extreme-right-wing", "online-radicalisation"],
    "left-anarchist-single-issue": ["online-radicalisation", "youth-work"],
    "conflicted-unclear": ["online-radicalisation", "mental-health"],
    "school-massacre": ["mental-health", "youth-work", "online-radicalisation"],
    "incel": ["online-radicalisation", "mental-health"],
    "hate-crime": ["hate-crime", "youth-work"],
    "other": ["mental-health"],
    "no-ideology": ["youth-work", "family-support", "gangs-exploitation"],
}

REVIEW_INTERVAL_WEEKS = 6
FOLLOW_UP_MONTHS = {"6m": 6, "12m": 12}


def install(apps=None) -> None:
    """Create the default configuration where missing (idempotent); ``apps`` as in
    tandem.mentors.defaults.install."""
    if apps is None:
        from django.apps import apps

    install_concern_types(apps)
    install_concern_specialisms(apps)


def install_concern_types(apps) -> None:
    ConcernType = apps.get_model("cases", "ConcernType")
    for position, (code, name) in enumerate(CONCERN_TYPES):
        ConcernType.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def install_concern_specialisms(apps) -> None:
    """Give each default concern type its fitting specialisms, unless a scheme already
    chose some."""
    ConcernType = apps.get_model("cases", "ConcernType")
    Specialism = apps.get_model("mentors", "Specialism")
    for concern in ConcernType.objects.filter(code__in=CONCERN_SPECIALISMS):
        if not concern.specialisms.exists():
            concern.specialisms.set(
                Specialism.objects.filter(code__in=CONCERN_SPECIALISMS[concern.code])
            )
