"""Default configuration of meetings for a new scheme. A scheme changes these as data;
nothing in the code depends on the particular names."""

# code, name, mode, needs lone-working check-in
PLACE_TYPES = [
    ("community-venue", "Community venue", "in_person", False),
    ("school-college", "School or college", "in_person", False),
    ("youth-centre", "Youth centre", "in_person", False),
    ("place-of-worship", "Place of worship", "in_person", False),
    ("probation-police", "Probation or police premises", "in_person", False),
    ("prison", "Prison", "in_person", False),
    ("home", "The person's home", "in_person", True),
    ("public-place", "A public place (café, park)", "in_person", True),
    ("online", "Online (video call)", "online", False),
    ("phone", "Phone", "phone", False),
]

# code, name
TOPICS = [
    ("identity-belonging", "Identity and belonging"),
    ("grievances", "Grievances and injustice"),
    ("ideology", "Ideology and narratives"),
    ("theology", "Theology and religious understanding"),
    ("online-activity", "Online activity"),
    ("family", "Family"),
    ("education-work", "Education and work"),
    ("mental-health", "Mental health and wellbeing"),
    ("relationships", "Friendships and relationships"),
    ("criminal-justice", "Criminal justice"),
    ("goals", "Goals and the future"),
    ("other", "Other"),
]

# accreditation level code → hourly rate, pence per mile as pounds
CLAIM_RATES = {
    "trainee": ("0.00", "0.45"),
    "accredited": ("18.00", "0.45"),
    "senior": ("24.00", "0.45"),
}


def install(apps=None) -> None:
    """Create the default place types, topics, policy and claim rates where missing
    (idempotent). ``apps`` is a migration's app registry, or the live one when None."""
    if apps is None:
        from django.apps import apps

    PlaceType = apps.get_model("meetings", "PlaceType")
    Topic = apps.get_model("meetings", "Topic")
    Policy = apps.get_model("meetings", "MeetingsPolicy")
    ClaimRate = apps.get_model("meetings", "ClaimRate")
    Level = apps.get_model("mentors", "AccreditationLevel")

    for position, (code, name, mode, lone) in enumerate(PLACE_TYPES):
        PlaceType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "mode": mode,
                "needs_lone_working": lone,
                "position": position,
            },
        )
    for position, (code, name) in enumerate(TOPICS):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    Policy.objects.get_or_create(pk=1)
    for level in Level.objects.filter(code__in=CLAIM_RATES):
        hourly, mileage = CLAIM_RATES[level.code]
        ClaimRate.objects.get_or_create(
            level=level, defaults={"hourly_rate": hourly, "mileage_rate": mileage}
        )
