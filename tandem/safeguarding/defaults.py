"""Default configuration of safeguarding for a new scheme. A scheme changes these as
data; nothing in the code depends on the particular names, except that the code
``risk-to-mentor`` is offered to mentors raising a concern about their own safety."""

RISK_TO_MENTOR = "risk-to-mentor"

# code, name, serious (calls for a debrief), about the mentor
CATEGORIES = [
    ("harm-to-others", "Risk of serious harm to others, including attack planning", True, False),
    ("risk-to-self", "Risk to self", True, False),
    ("child-protection", "Child protection", True, False),
    ("exploitation", "Exploitation or grooming", True, False),
    ("radicalising-others", "Radicalising others", True, False),
    (RISK_TO_MENTOR, "Risk to the mentor", True, True),
    ("information-incident", "Information incident", False, False),
    ("other", "Other", False, False),
]

# code, name
AGENCIES = [
    ("police-prevent", "Police or the statutory prevention route"),
    ("childrens-social-care", "Children's social care"),
    ("adult-social-care", "Adult social care"),
    ("health", "Health"),
    ("probation", "Probation"),
    ("emergency-services", "Emergency services"),
]


def install(apps=None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    ConcernCategory = apps.get_model("safeguarding", "ConcernCategory")
    Agency = apps.get_model("safeguarding", "Agency")
    for position, (code, name, serious, about_mentor) in enumerate(CATEGORIES, start=1):
        ConcernCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "is_serious": serious,
                "about_mentor": about_mentor,
            },
        )
    for position, (code, name) in enumerate(AGENCIES, start=1):
        Agency.objects.get_or_create(code=code, defaults={"name": name, "position": position})
