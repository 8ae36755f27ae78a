"""Default catalogues for a new scheme (from the shared domain reference). A scheme
changes these as data; nothing in the code depends on the particular names."""

# name, latitude, longitude of the borough's main centre
AREAS = [
    ("Birmingham", "52.48142", "-1.89983"),
    ("Coventry", "52.40656", "-1.51217"),
    ("Dudley", "52.51240", "-2.08130"),
    ("Sandwell", "52.51868", "-1.99450"),
    ("Solihull", "52.41425", "-1.78094"),
    ("Walsall", "52.58653", "-1.98227"),
    ("Wolverhampton", "52.58470", "-2.12880"),
]

FAITHS = ["Buddhist", "Christian", "Hindu", "Jewish", "Muslim", "Sikh", "No religion", "Other"]

LANGUAGES = [
    "Arabic",
    "Bengali",
    "British Sign Language",
    "English",
    "Farsi",
    "Gujarati",
    "Hindi",
    "Kurdish",
    "Pashto",
    "Polish",
    "Punjabi",
    "Romanian",
    "Somali",
    "Tigrinya",
    "Turkish",
    "Urdu",
]

# code, name, requires qualification, is theology
SPECIALISMS = [
    ("islamic-theology", "Islamic theology", True, True),
    ("other-faith", "Other faith traditions", False, True),
    ("extreme-right-wing", "Extreme right-wing ideology", False, False),
    ("online-radicalisation", "Online radicalisation", False, False),
    ("hate-crime", "Hate crime and prejudice", False, False),
    ("youth-work", "Youth work", False, False),
    ("family-support", "Family support", False, False),
    ("mental-health", "Mental health awareness", False, False),
    ("gangs-exploitation", "Gangs and criminal exploitation", False, False),
    ("ete", "Education, training and employment", False, False),
    ("lived-experience", "Lived experience as a former extremist or offender", False, False),
]

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

# Mentor specialisms that fit each concern type (codes from SPECIALISMS above).
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

# code, name
REFERRAL_SOURCES = [
    ("police", "Police"),
    ("council", "Local authority"),
    ("school", "School or college"),
    ("prison", "Prison"),
    ("probation", "Probation (offender manager)"),
    ("health", "Health"),
    ("youth_justice", "Youth justice"),
    ("panel", "Multi-agency panel"),
    ("community", "Community or faith organisation"),
    ("self_family", "Self or family"),
    ("other", "Other"),
]
# Sources added after the first release (the data migration adds them to an existing
# scheme), and the renamed one.
REHABILITATION_SOURCES = ["prison", "panel", "community", "self_family"]
RENAMED_SOURCES = {"probation": ("Probation", "Probation (offender manager)")}


def install(apps=None) -> None:
    """Create the default catalogues where they are missing (idempotent). ``apps`` is a
    migration's app registry, or the live one when None (tests that flush the database
    put the defaults back with it)."""
    if apps is None:
        from django.apps import apps

    Area = apps.get_model("catalogues", "Area")
    Language = apps.get_model("catalogues", "Language")
    Faith = apps.get_model("catalogues", "Faith")
    Specialism = apps.get_model("catalogues", "Specialism")
    ConcernType = apps.get_model("catalogues", "ConcernType")
    ReferralSource = apps.get_model("catalogues", "ReferralSource")

    for name, latitude, longitude in AREAS:
        Area.objects.get_or_create(
            name=name, defaults={"latitude": latitude, "longitude": longitude}
        )
    for name in LANGUAGES:
        Language.objects.get_or_create(name=name)
    for position, name in enumerate(FAITHS):
        Faith.objects.get_or_create(name=name, defaults={"position": position})
    for code, name, qualification, theology in SPECIALISMS:
        Specialism.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "requires_qualification": qualification,
                "is_theology": theology,
            },
        )
    for position, (code, name) in enumerate(CONCERN_TYPES):
        concern, created = ConcernType.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        if created:
            concern.specialisms.set(
                Specialism.objects.filter(code__in=CONCERN_SPECIALISMS.get(code, []))
            )
    for position, (code, name) in enumerate(REFERRAL_SOURCES):
        ReferralSource.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
