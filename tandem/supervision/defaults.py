"""The supervision policy a new scheme starts with (loaded by migration 0002)."""

# Accreditation level code -> (every so many weeks, individual or group, caseload cap).
LEVEL_RULES = {
    "trainee": (4, "individual", 2),
    "accredited": (6, "individual", 4),
    "senior": (8, "group", 6),
}


def install(apps) -> None:
    """Create the rule of each default level that exists and has none yet."""
    Level = apps.get_model("mentors", "AccreditationLevel")
    LevelRule = apps.get_model("supervision", "LevelRule")
    Policy = apps.get_model("supervision", "SupervisionPolicy")
    Policy.objects.get_or_create(pk=1)
    for level in Level.objects.filter(code__in=LEVEL_RULES):
        weeks, fmt, cap = LEVEL_RULES[level.code]
        LevelRule.objects.get_or_create(
            level=level, defaults={"frequency_weeks": weeks, "format": fmt, "caseload_cap": cap}
        )
