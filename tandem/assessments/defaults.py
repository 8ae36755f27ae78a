"""The default framework: the shape of the public UK vulnerability assessment framework
(three dimensions, 22 factors), rated not present / low / moderate / high / not known."""

CODE = "vaf-2012"
NAME = "Vulnerability assessment framework"
VERSION = "2012"

DIMENSIONS = [
    (
        "Engagement with a group, cause or ideology",
        [
            "Feelings of grievance and injustice",
            "Feeling under threat",
            "A need for identity, meaning and belonging",
            "A desire for status",
            "A desire for excitement and adventure",
            "A need to dominate and control others",
            "Susceptibility to indoctrination",
            "A desire for political or moral change",
            "Opportunistic involvement",
            "Family or friends involved in extremism",
            "Being at a transitional time of life",
            "Being influenced or controlled by a group",
            "Relevant mental health issues",
        ],
    ),
    (
        "Intent to cause harm",
        [
            "Over-identification with a group or ideology",
            '"Them and us" thinking',
            "Dehumanisation of the enemy",
            "Attitudes that justify offending",
            "Harmful means to an end",
            "Harmful objectives",
        ],
    ),
    (
        "Capability to cause harm",
        [
            "Individual knowledge, skills and competencies",
            "Access to networks, funding or equipment",
            "Criminal capability",
        ],
    ),
]

# code, label, rank (None: not known)
LEVELS = [
    ("not_present", "Not present", 0),
    ("low", "Low", 1),
    ("moderate", "Moderate", 2),
    ("high", "High", 3),
    ("not_known", "Not known", None),
]


def install(apps=None) -> None:
    """Create the default framework if it is missing (idempotent); ``apps`` as in
    tandem.mentors.defaults.install."""
    if apps is None:
        from django.apps import apps

    Framework = apps.get_model("assessments", "Framework")
    Dimension = apps.get_model("assessments", "Dimension")
    Factor = apps.get_model("assessments", "Factor")
    RatingLevel = apps.get_model("assessments", "RatingLevel")
    framework, created = Framework.objects.get_or_create(
        code=CODE, defaults={"name": NAME, "version": VERSION, "is_default": True}
    )
    if not created:
        return
    number = 0
    for position, (name, factors) in enumerate(DIMENSIONS, start=1):
        dimension = Dimension.objects.create(framework=framework, name=name, position=position)
        for factor in factors:
            number += 1
            Factor.objects.create(dimension=dimension, number=number, name=factor)
    for position, (code, label, rank) in enumerate(LEVELS, start=1):
        RatingLevel.objects.create(
            framework=framework, code=code, label=label, rank=rank, position=position
        )
