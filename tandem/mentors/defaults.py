"""Default configuration for a new scheme (from shared domain reference). A scheme changes
these as data; nothing in the code depends on the particular names."""

# code, name, required, validity days (None: does not expire)
CHECK_TYPES = [
    ("identity", "Identity", True, None),
    ("enhanced-dbs", "Enhanced criminal-records check with barred list", True, 3 * 365),
    ("reference-1", "First reference", True, None),
    ("reference-2", "Second reference", True, None),
    ("interview", "Interview", True, None),
    ("security-vetting", "Security vetting", False, 5 * 365),
]

# code, name, CPD hours
MODULES = [
    ("safeguarding", "Safeguarding children and adults", 6),
    ("prevention-duty", "The statutory prevention duty", 3),
    ("ideologies", "Extremist ideologies and recruitment narratives", 6),
    ("mentoring-skills", "Mentoring skills", 12),
    ("ethics-boundaries", "Ethics and boundaries", 3),
    ("data-protection", "Data protection and confidentiality", 2),
]

# code, name, rank, required module codes, supervised sessions, observed practice, months
LEVELS = [
    ("trainee", "Trainee", 1, ["safeguarding", "prevention-duty", "data-protection"], 0, False, 12),
    (
        "accredited",
        "Accredited",
        2,
        [
            "safeguarding",
            "prevention-duty",
            "ideologies",
            "mentoring-skills",
            "ethics-boundaries",
            "data-protection",
        ],
        0,
        True,
        24,
    ),
    (
        "senior",
        "Senior",
        3,
        [
            "safeguarding",
            "prevention-duty",
            "ideologies",
            "mentoring-skills",
            "ethics-boundaries",
            "data-protection",
        ],
        20,
        True,
        24,
    ),
]

CODE_OF_CONDUCT_VERSION = "2026.1"
CODE_OF_CONDUCT_TEXT = """\
As a mentor with this scheme I will:

1. Put the safety and wellbeing of the people I mentor first, and report every safeguarding concern the same day.
2. Keep what I learn confidential, sharing it only as the scheme's policies and the law require, and never discuss a case outside supervision.
3. Keep professional boundaries: no gifts, money, social-media contact or meetings outside those agreed with the scheme.
4. Declare any connection I have with a person, family, school or organisation that could affect my work, and update my declarations when things change.
5. Respect each person's faith, culture and identity, and never use mentoring to promote my own beliefs or any political cause.
6. Record every contact accurately and promptly in Tandem, and nowhere else.
7. Attend supervision and training as the scheme requires, and tell my supervisor when I need support.
8. Tell the scheme straight away about any change in my circumstances that could affect my vetting, including any police contact.
"""


def install(apps=None) -> None:
    """Create the register's default configuration (vetting check types, training
    modules, accreditation levels, the code of conduct) where it is missing
    (idempotent). ``apps`` is a migration's app registry, or the live one when None
    (tests that flush the database put the defaults back with it)."""
    if apps is None:
        from django.apps import apps

    CheckType = apps.get_model("mentors", "VettingCheckType")
    Module = apps.get_model("mentors", "TrainingModule")
    Level = apps.get_model("mentors", "AccreditationLevel")
    Code = apps.get_model("mentors", "CodeOfConduct")

    for position, (code, name, required, days) in enumerate(CHECK_TYPES):
        CheckType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "required": required,
                "validity_days": days,
                "position": position,
            },
        )
    modules = {}
    for code, name, hours in MODULES:
        modules[code], _ = Module.objects.get_or_create(
            code=code, defaults={"name": name, "cpd_hours": hours}
        )
    for code, name, rank, required, sessions, observed, months in LEVELS:
        level, created = Level.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rank": rank,
                "min_supervised_sessions": sessions,
                "requires_observed_practice": observed,
                "validity_months": months,
            },
        )
        if created:
            level.required_modules.set([modules[c] for c in required])
    Code.objects.get_or_create(
        version=CODE_OF_CONDUCT_VERSION, defaults={"text": CODE_OF_CONDUCT_TEXT}
    )
