"""Default matching policy for a new scheme: weights as in the model, and the lowest
accreditation level for urgent cases and for cases assessed at the highest concern."""

URGENT_MIN_LEVEL = "accredited"
HIGH_RISK_MIN_LEVEL = "senior"


def install(apps=None) -> None:
    """Create the policy row where missing (idempotent); ``apps`` as in
    tandem.mentors.defaults.install."""
    if apps is None:
        from django.apps import apps

    Policy = apps.get_model("matching", "MatchingPolicy")
    Level = apps.get_model("mentors", "AccreditationLevel")
    if Policy.objects.filter(pk=1).exists():
        return
    Policy.objects.create(
        pk=1,
        urgent_min_level=Level.objects.filter(code=URGENT_MIN_LEVEL).first(),
        high_risk_min_level=Level.objects.filter(code=HIGH_RISK_MIN_LEVEL).first(),
    )
