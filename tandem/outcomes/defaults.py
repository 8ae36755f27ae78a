"""The questionnaires a new scheme starts with, installed by migration 0002.

- ONS personal wellbeing (ons4): the Office for National Statistics' four questions,
  0 to 10. Each is reported on its own, as the ONS does; anxiety is not reverse-scored
  (a lower score is better), so it is its own subscale marked "lower is better".
- Relationship and trust (trust): five statements written for Tandem that the person
  answers about their mentor, 1 to 5, one of them reverse-scored.
- The referrer's view of progress (referrer_view): three questions and a comment.
- The mentor's end-of-match reflection (mentor_reflection): four statements and a
  lesson for next time.

English only: the configured languages' wording is added on the revise page, so that
every translation is one that the scheme has checked.
"""

from __future__ import annotations

AGREE = {"min": {"en": "Strongly disagree"}, "max": {"en": "Strongly agree"}}

INSTRUMENTS = [
    {
        "key": "ons4",
        "name": "Personal wellbeing (ONS)",
        "description": "The Office for National Statistics' four personal wellbeing questions, answered by the person.",
        "respondent": "person",
        "schedule": {"at_start": True, "at_review": True, "at_closure": True, "at_follow_up": True},
        "definition": {
            "scale": {
                "min": 0,
                "max": 10,
                "labels": {"min": {"en": "Not at all"}, "max": {"en": "Completely"}},
            },
            "items": [
                {
                    "code": "satisfied",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "life_satisfaction",
                    "text": {"en": "Overall, how satisfied are you with your life nowadays?"},
                },
                {
                    "code": "worthwhile",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "worthwhile",
                    "text": {
                        "en": "Overall, to what extent do you feel that the things you do in your life are worthwhile?"
                    },
                },
                {
                    "code": "happy",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "happiness",
                    "text": {"en": "Overall, how happy did you feel yesterday?"},
                },
                {
                    "code": "anxious",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "anxiety",
                    "text": {"en": "Overall, how anxious did you feel yesterday?"},
                },
            ],
            "subscales": [
                {
                    "code": "life_satisfaction",
                    "name": "Life satisfaction",
                    "method": "mean",
                    "min_answered": 1,
                    "higher_is_better": True,
                },
                {
                    "code": "worthwhile",
                    "name": "Worthwhile",
                    "method": "mean",
                    "min_answered": 1,
                    "higher_is_better": True,
                },
                {
                    "code": "happiness",
                    "name": "Happiness",
                    "method": "mean",
                    "min_answered": 1,
                    "higher_is_better": True,
                },
                {
                    "code": "anxiety",
                    "name": "Anxiety",
                    "method": "mean",
                    "min_answered": 1,
                    "higher_is_better": False,
                },
            ],
            "total": None,
        },
    },
    {
        "key": "trust",
        "name": "Relationship and trust",
        "description": "Five statements the person answers about their mentor.",
        "respondent": "person",
        "schedule": {
            "at_start": False,
            "at_review": True,
            "at_closure": True,
            "at_follow_up": False,
        },
        "definition": {
            "scale": {"min": 1, "max": 5, "labels": AGREE},
            "items": [
                {
                    "code": "listens",
                    "kind": "scale",
                    "reverse": False,
                    "text": {"en": "My mentor listens to me."},
                },
                {
                    "code": "respect",
                    "kind": "scale",
                    "reverse": False,
                    "text": {"en": "My mentor treats me with respect."},
                },
                {
                    "code": "holds_back",
                    "kind": "scale",
                    "reverse": True,
                    "text": {"en": "I hold back what I really think when I meet my mentor."},
                },
                {
                    "code": "keeps_word",
                    "kind": "scale",
                    "reverse": False,
                    "text": {"en": "I trust my mentor to do what we agreed."},
                },
                {
                    "code": "worth_it",
                    "kind": "scale",
                    "reverse": False,
                    "text": {"en": "Meeting my mentor is worth my time."},
                },
            ],
            "subscales": [],
            "total": {
                "name": "Trust",
                "method": "mean",
                "min_answered": 4,
                "higher_is_better": True,
            },
        },
    },
    {
        "key": "referrer_view",
        "name": "Referrer's view of progress",
        "description": "How the referrer sees the person's progress since the referral.",
        "respondent": "referrer",
        "schedule": {
            "at_start": False,
            "at_review": True,
            "at_closure": True,
            "at_follow_up": False,
        },
        "definition": {
            "scale": {
                "min": 1,
                "max": 5,
                "labels": {"min": {"en": "Much worse"}, "max": {"en": "Much better"}},
            },
            "items": [
                {
                    "code": "situation",
                    "kind": "scale",
                    "reverse": False,
                    "text": {
                        "en": "Since the referral, how has the situation that led to it changed?"
                    },
                },
                {
                    "code": "engagement",
                    "kind": "scale",
                    "reverse": False,
                    "text": {
                        "en": "How has the person's engagement with the services around them changed?"
                    },
                },
                {
                    "code": "wellbeing",
                    "kind": "scale",
                    "reverse": False,
                    "text": {"en": "How has the person's wellbeing changed?"},
                },
                {
                    "code": "comment",
                    "kind": "text",
                    "text": {
                        "en": "Is there anything else you want to tell us about the person's progress?"
                    },
                },
            ],
            "subscales": [],
            "total": {
                "name": "Progress",
                "method": "mean",
                "min_answered": 2,
                "higher_is_better": True,
            },
        },
    },
    {
        "key": "mentor_reflection",
        "name": "Mentor's end-of-match reflection",
        "description": "The mentor looks back on the match when it ends.",
        "respondent": "mentor",
        "schedule": {
            "at_start": False,
            "at_review": False,
            "at_closure": True,
            "at_follow_up": False,
        },
        "definition": {
            "scale": {"min": 1, "max": 5, "labels": AGREE},
            "items": [
                {
                    "code": "goals",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "progress",
                    "text": {"en": "The person made progress on the goals we agreed."},
                },
                {
                    "code": "relationship",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "progress",
                    "text": {"en": "We built a relationship of trust."},
                },
                {
                    "code": "approach",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "progress",
                    "text": {"en": "The approach I used suited the person."},
                },
                {
                    "code": "supported",
                    "kind": "scale",
                    "reverse": False,
                    "subscale": "support",
                    "text": {"en": "I felt well supported by supervision during this match."},
                },
                {
                    "code": "next_time",
                    "kind": "text",
                    "text": {"en": "What would you do differently next time?"},
                },
            ],
            "subscales": [
                {
                    "code": "progress",
                    "name": "Progress and relationship",
                    "method": "mean",
                    "min_answered": 2,
                    "higher_is_better": True,
                },
                {
                    "code": "support",
                    "name": "Support for the mentor",
                    "method": "mean",
                    "min_answered": 1,
                    "higher_is_better": True,
                },
            ],
            "total": None,
        },
    },
]


def install(apps=None) -> None:
    """Install the default instruments that are missing (by key); ``apps`` is the
    migration's app registry, or the project's when called outside a migration."""
    if apps is None:
        from django.apps import apps
    Instrument = apps.get_model("outcomes", "Instrument")
    InstrumentVersion = apps.get_model("outcomes", "InstrumentVersion")
    for spec in INSTRUMENTS:
        if Instrument.objects.filter(key=spec["key"]).exists():
            continue
        instrument = Instrument.objects.create(
            key=spec["key"],
            name=spec["name"],
            description=spec["description"],
            respondent=spec["respondent"],
            current_version=1,
            **spec["schedule"],
        )
        InstrumentVersion.objects.create(
            instrument=instrument,
            number=1,
            definition=spec["definition"],
            change_note="Installed with Tandem",
        )
