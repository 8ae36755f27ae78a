"""Default matching policy for a new scheme: weights as in the model, and the lowest
accreditation level for urgent cases (senior) and for a person whose latest assessment
rates any factor at the highest level (accredited: not a trainee). Rating one factor
high is common, so the stricter rule is kept for urgency, which a coordinator sets."""

URGENT_MIN_LEVEL = "senior"
HIGH_RISK_MIN_LEVEL = "accredited"


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
