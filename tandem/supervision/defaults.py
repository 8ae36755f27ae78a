"""The supervision policy a new scheme starts with (loaded by migration 0002)."""

# Accreditation level code -> (every so many weeks, individual or group, caseload cap).
LEVEL_RULES = {
    "trainee": (4, "individual", 2),
    "accredited": (6, "individual", 4),
    "senior": (8, "group", 6),
}


def install(apps=None) -> None:
    """Create the rule of each default level that exists and has none yet (idempotent).
    ``apps`` is a migration's app registry, or the live one when None (tests that flush
    the database put the defaults back with it)."""
    if apps is None:
        from django.apps import apps
    Level = apps.get_model("mentors", "AccreditationLevel")
    LevelRule = apps.get_model("supervision", "LevelRule")
    Policy = apps.get_model("supervision", "SupervisionPolicy")
    Policy.objects.get_or_create(pk=1)
    for level in Level.objects.filter(code__in=LEVEL_RULES):
        weeks, fmt, cap = LEVEL_RULES[level.code]
        LevelRule.objects.get_or_create(
            level=level, defaults={"frequency_weeks": weeks, "format": fmt, "caseload_cap": cap}
        )
