"""Demo cases: about 120 fictional people referred to the scheme, in every state of the
lifecycle and every concern type, with their consents, assessments and reassessments,
plans and goals, reviews, closures and follow-ups, and a timeline line for each step.

Only for local evaluation and tests (the demo_data command refuses to run unless
settings.TANDEM_ALLOW_DEMO_DATA is true). Every person, organisation, phone number
and story here is invented; phone numbers are from Ofcom's drama range. Reasons for
referral are short and deliberately non-graphic.

Idempotent: each demo case is keyed on a fixed ``record_uuid`` (a UUID derived from its
demo number), which can be filtered on without decrypting anything. A demo case that
exists already is left exactly as it is; missing ones are created in a fixed order,
oldest referral first, so references rise with the date received. Dates are relative
to today, so a fresh demo always has people waiting, reviews overdue and follow-ups due.

Rows are written directly with the models (not the web services), one transaction per
case; each person's data key is created before their transaction so that every field
of theirs is encrypted with a cached key instead of looking it up again.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.assessments.models import (
    Assessment,
    AssessmentKind,
    Factor,
    FactorRating,
    Framework,
    RatingLevel,
)
from tandem.cases import gas
from tandem.cases.ages import age_on
from tandem.cases.cadence import follow_up_dates
from tandem.cases.consent_rule import COMPETENT_CHILD, OLDER_CHILD, current_rule
from tandem.cases.defaults import REVIEW_INTERVAL_WEEKS
from tandem.cases.models import (
    Approach,
    Case,
    CaseEvent,
    CaseStatus,
    ClientGender,
    ClosureOutcome,
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    DuplicateDecision,
    FollowUp,
    Frequency,
    Goal,
    GoalOwner,
    GoalScore,
    MentorGenderPreference,
    Review,
    ScreeningOutcome,
    SupportPlan,
    Urgency,
)
from tandem.cases.services.lifecycle import reference_allocate
from tandem.catalogues.models import Area, ConcernType, Language, ReferralSource
from tandem.core.encryption.datakeys import key_for_encryption

from .accounts import DEMO_DOMAIN, ensure_demo_users

REFERRER_EMAIL = f"referrer@{DEMO_DOMAIN}"
COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
REFERRER_ORGANISATION = "West Midlands police partnership team"

# Fixed namespace: demo case n always has the same record_uuid.
DEMO_NAMESPACE = uuid.UUID("6f1d8f0e-1b7c-5c1e-9a53-74616e64656d")
SEED = 20100415

# How many demo cases end up in each state.
STATUS_COUNTS: dict[str, int] = {
    CaseStatus.REFERRED: 10,
    CaseStatus.SCREENING: 8,
    CaseStatus.ASSESSMENT: 10,
    CaseStatus.AWAITING_MATCH: 16,
    CaseStatus.MATCHED: 8,
    CaseStatus.ACTIVE: 22,
    CaseStatus.CLOSING: 6,
    CaseStatus.CLOSED: 18,
    CaseStatus.NOT_SUITABLE: 5,
    CaseStatus.CONSENT_DECLINED: 4,
    CaseStatus.CONSENT_WITHDRAWN: 4,
    CaseStatus.ESCALATED: 4,
    CaseStatus.ON_HOLD: 5,
}

# Concern types weighted roughly as regional schemes see them; each appears at least once.
CONCERN_WEIGHTS: dict[str, int] = {
    "islamist": 5,
    "extreme-right-wing": 6,
    "left-anarchist-single-issue": 1,
    "conflicted-unclear": 4,
    "school-massacre": 1,
    "incel": 2,
    "hate-crime": 3,
    "other": 1,
    "no-ideology": 2,
}

AREAS = ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]
AREA_WEIGHTS = [6, 3, 2, 3, 1, 2, 3]

# fmt: off
FIRST_NAMES = {
    ClientGender.MALE: [
        "Adam", "Bilal", "Callum", "Connor", "Dawid", "Ethan", "Faisal", "Harvey", "Ibrahim",
        "Jack", "Jayden", "Kacper", "Kyle", "Liam", "Mason", "Mohammed", "Nathan", "Omar",
        "Reece", "Ryan", "Samir", "Tyler", "Yusuf", "Zain", "Aaron", "Leon", "Tomasz",
        "Abdi", "Hamza", "Jordan",
    ],
    ClientGender.FEMALE: [
        "Aisha", "Amber", "Chloe", "Emily", "Fatima", "Hannah", "Jade", "Leah", "Maryam",
        "Megan", "Nadia", "Olivia", "Safiya", "Sophie", "Zara", "Kasia", "Amina", "Ruby",
    ],
    ClientGender.NON_BINARY: ["Alex", "Charlie", "Jamie", "Robin", "Sam"],
}
LAST_NAMES = [
    "Ahmed", "Ali", "Baker", "Begum", "Brennan", "Clarke", "Davies", "Dhillon", "Edwards",
    "Evans", "Farah", "Green", "Hassan", "Hughes", "Hussain", "Iqbal", "Jones", "Kaur",
    "Khan", "Kowalczyk", "Lewis", "Mahmood", "Mirza", "Morgan", "Nowak", "O'Brien",
    "Patel", "Phillips", "Price", "Rahman", "Roberts", "Shah", "Singh", "Smith", "Taylor",
    "Thomas", "Turner", "Walker", "Warsame", "Williams", "Wood", "Wright", "Yilmaz",
]
# fmt: on
# Ethnic groups of the people referred (2021 census categories), weighted roughly as the
# West Midlands metropolitan county's population (2021 census): White British about three
# in five, Pakistani, Indian and Bangladeshi the largest Asian groups, then African and
# Caribbean, mixed groups and Arab. Weights in thousandths; the rest below are non-answers.
ETHNICITY_WEIGHTS = {
    "white_british": 560,
    "white_irish": 10,
    "white_gypsy_traveller": 3,
    "white_roma": 3,
    "white_other": 40,
    "asian_pakistani": 90,
    "asian_indian": 60,
    "asian_bangladeshi": 20,
    "asian_chinese": 7,
    "asian_other": 15,
    "black_african": 35,
    "black_caribbean": 25,
    "black_other": 7,
    "mixed_white_black_caribbean": 20,
    "mixed_white_asian": 10,
    "mixed_white_black_african": 5,
    "mixed_other": 8,
    "other_arab": 12,
    "other_any": 10,
}
ETHNICITY_DESCRIPTIONS = {
    "white_other": "Polish",
    "asian_other": "Sri Lankan Tamil",
    "black_other": "Black British",
    "mixed_other": "Arab and White",
    "other_any": "Kurdish",
}


def demo_ethnicity(number: int) -> tuple[str, str]:
    """The ethnic group of demo case ``number``, from its own random stream (so the rest
    of each story does not change): about 85% answered, 5% prefer not to say."""
    rng = random.Random(f"demo-ethnicity-{number}")  # noqa: S311 - repeatable demo data
    draw = rng.random()
    if draw < 0.10:
        return "", ""
    if draw < 0.15:
        return "not_said", ""
    code = rng.choices(list(ETHNICITY_WEIGHTS), weights=list(ETHNICITY_WEIGHTS.values()))[0]
    return code, ETHNICITY_DESCRIPTIONS.get(code, "")


GUARDIANS = [
    ("Mother", ConsentGiver.PARENT),
    ("Father", ConsentGiver.PARENT),
    ("Mother", ConsentGiver.PARENT),
    ("Grandmother", ConsentGiver.GUARDIAN),
    ("Foster carer", ConsentGiver.GUARDIAN),
    ("Aunt (special guardian)", ConsentGiver.GUARDIAN),
]
GUARDIAN_FIRST_NAMES = [
    *("Sarah", "Nasreen", "Karen", "Shabana", "Joanne", "Anna"),
    *("Michelle", "Rukhsana", "David", "Tariq", "Paul", "Hodan"),
]

REASONS: dict[str, list[str]] = {
    "islamist": [
        "Sharing videos from an extremist preacher in a class group chat; talks about "
        "wanting to travel abroad to help.",
        "Recently withdrawn from friends; spending long hours in online forums that "
        "promote a violent interpretation of faith.",
        "Family worried about new contacts met online who discourage him from school "
        "and from his local mosque.",
    ],
    "extreme-right-wing": [
        "Posting racist memes and stickers from an extreme right-wing group; has "
        "spoken about 'defending' the area.",
        "Found with leaflets from a banned group; angry about immigration after losing "
        "an apprenticeship.",
        "Joined online chat servers sharing extreme right-wing propaganda; drawings of "
        "symbols in school books.",
    ],
    "left-anarchist-single-issue": [
        "Talking about sabotage of a local company over animal testing; attended a "
        "protest where damage was caused.",
        "Increasingly fixated on direct action against a planned development; "
        "encouraging friends to join.",
    ],
    "conflicted-unclear": [
        "Interested in several contradictory extremist ideas at once; searching for "
        "material on past attacks.",
        "Mixes conspiracy theories with extreme views from different movements; "
        "struggling at college.",
    ],
    "school-massacre": [
        "Fixation on past school attacks, with searches and comments worrying staff; "
        "no specific threat made.",
    ],
    "incel": [
        "Repeating misogynistic language from online forums; isolated and angry about rejection.",
        "Teachers concerned by comments praising an online incel figure; low mood.",
    ],
    "hate-crime": [
        "Involved in repeated verbal abuse of a neighbour because of their religion; "
        "no clear ideology.",
        "Arrested after a racially aggravated public order offence; says he was "
        "'winding people up'.",
    ],
    "other": [
        "Expressing admiration for violence linked to a foreign conflict; unclear "
        "whether it is ideological.",
    ],
    "no-ideology": [
        "Vulnerable to exploitation by older peers who share extreme content; no "
        "ideology identified so far.",
        "Low self-esteem and isolation; attracted to violent content rather than to any cause.",
    ],
}

OTHER_AGENCIES = [
    "",
    "Children's social care (early help).",
    "School safeguarding lead; school nurse.",
    "Youth offending team.",
    "Community mental health team.",
    "Probation officer; housing support worker.",
]

COORDINATOR_SOURCES = [
    # agency, organisation pattern, minimum age, maximum age
    ("school", "Hollybank Academy, {area}", 12, 17),
    ("school", "Parkfield Sixth Form College, {area}", 16, 18),
    ("council", "{area} children's services", 12, 17),
    ("council", "{area} adult social care", 18, 40),
    ("youth_justice", "{area} youth justice service", 12, 17),
    ("probation", "Probation service, {area} office", 18, 40),
    ("health", "{area} community mental health team", 16, 40),
    ("other", "Eastside community centre, {area}", 16, 40),
]

# Languages people speak besides English, with the odd interpreter.
LANGUAGE_SETS = [
    ((), None),
    (("English",), "English"),
    (("English", "Urdu"), "English"),
    (("English", "Punjabi"), "English"),
    (("English", "Arabic"), "English"),
    (("English", "Polish"), "English"),
    (("English", "Somali"), "English"),
    (("Bengali", "English"), "Bengali"),
    (("Kurdish",), "Kurdish"),
    (("Pashto",), "Pashto"),
]

GOALS: list[tuple[str, str, tuple[str, str, str, str, str]]] = [
    (
        "Spend less time in online spaces that promote violence",
        GoalOwner.PERSON,
        (
            "Spends more time in those spaces than at referral",
            "No change since referral",
            "Visits them less than once a week",
            "Has stopped visiting them",
            "Has stopped and helps friends recognise them",
        ),
    ),
    (
        "Return to regular education, training or work",
        GoalOwner.REFERRER,
        (
            "Has left education or work altogether",
            "Attends less than half the time",
            "Attends most days",
            "Attends every day and keeps up",
            "Attends every day and has a plan for what comes next",
        ),
    ),
    (
        "Talk through grievances without justifying harm",
        GoalOwner.MENTOR,
        (
            "Justifies harm more openly than at referral",
            "Still justifies harm when grievances come up",
            "Can discuss grievances without justifying harm",
            "Offers non-violent ways to pursue the grievance",
            "Challenges others who justify harm",
        ),
    ),
    (
        "Build a positive circle of friends",
        GoalOwner.PERSON,
        (
            "More isolated than at referral",
            "No new positive contacts",
            "Meets one positive friend or group regularly",
            "Part of a club, team or group",
            "Part of a group and brings others along",
        ),
    ),
    (
        "Rebuild trust at home",
        GoalOwner.FAMILY,
        (
            "Relationships at home have broken down",
            "Frequent arguments; little contact",
            "Regular calm conversations at home",
            "Shares plans and worries with family",
            "Family describe the relationship as good",
        ),
    ),
    (
        "Explore questions of faith with a qualified mentor",
        GoalOwner.PERSON,
        (
            "Refuses to discuss faith questions",
            "Discusses them only when pressed",
            "Raises questions in sessions",
            "Compares sources and views critically",
            "Can explain a mainstream view to others",
        ),
    ),
]

SUMMARIES = [
    "Engages well in sessions and is open about what draws them to the ideas.",
    "Engagement is patchy; grievances remain strong but intent appears low.",
    "Vulnerable to influence from older peers; family supportive of mentoring.",
    "Clear need for identity and belonging; no evidence of capability.",
]
MANAGEMENT_PLANS = [
    "Weekly mentoring focused on identity and belonging; review with school in six weeks.",
    "Fortnightly mentoring; liaise with the youth justice worker; reassess after two reviews.",
    "Mentoring with a theology specialism; family session once a month.",
]
NARRATIVES = {
    "moderate": [
        "Mentioned in several conversations; not persistent.",
        "Reported by the referrer and confirmed in the first meeting.",
        "Present at times of stress.",
    ],
    "high": [
        "Dominant theme in every conversation so far.",
        "Strong and persistent; the main focus of the plan.",
    ],
}
REVIEW_SUMMARIES = [
    "Good progress this period; attending sessions regularly.",
    "Mixed period: missed two sessions but engaged well when present.",
    "Steady progress; family report fewer arguments at home.",
    "Slower progress; grievances resurfaced after a difficult week at school.",
]
CLOSING_REPORTS = {
    ClosureOutcome.COMPLETED: "Goals met; no longer engaging with extremist material. "
    "Closed by agreement with the person and the referrer.",
    ClosureOutcome.PARTIAL: "Most goals met; some grievances remain but no intent. "
    "Signposted to a local youth group.",
    ClosureOutcome.DISENGAGED: "Stopped attending after several months despite "
    "repeated contact; referrer informed.",
    ClosureOutcome.MOVED: "Moved out of the region; the new area's team was informed with consent.",
    ClosureOutcome.OTHER: "Closed by agreement after a change in circumstances.",
}
HOLD_REASONS = [
    "Family moving house; agreed to pause for a month.",
    "In hospital for a planned operation; will resume afterwards.",
    "Exams this term; sessions paused at the family's request.",
]
ESCALATION_REASONS = [
    "Risk increased; referred to the multi-agency panel and the police.",
    "New information suggests planning; handed to statutory services.",
]
WITHDRAWAL_REASONS = [
    "No longer wishes to take part; understands support is voluntary.",
    "Parent withdrew consent after a family disagreement.",
]
SCREEN_OUT_REASONS = [
    "No vulnerability to radicalisation found; referred on for mental-health support.",
    "Concern was a misunderstanding of a school project; no further action.",
]
FOLLOW_UP_NOTES = [
    "Doing well; in college and not in contact with the earlier group.",
    "Settled at home; no new concerns reported by the referrer.",
]


@dataclass(frozen=True)
class DemoCase:
    number: int
    status: str
    concern: str
    urgency: str
    area: str
    age: int
    gender: str
    first_name: str
    last_name: str
    days_ago: int  # when the referral arrived
    by_coordinator: bool
    agency: str
    organisation: str
    reason: str
    other_agencies: str
    languages: tuple[str, ...]
    preferred_language: str | None
    interpreter: bool
    mentor_gender: str
    accepts_online: bool
    # Side exits and holds: the state the case was in when it happened.
    left_from: str = ""
    review_overdue: bool = False
    broken_match: bool = False
    duplicate_of: int | None = None  # the number of the earlier case (same name and DOB)
    closure_outcome: str = ""  # how a closed case ends; drawn in its story when blank
    variant: int = 0  # seeds the details of the story

    @property
    def record_uuid(self) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, f"demo-case-{self.number}")


# How long, in days, a case spends before each kind of ending (randomised per case).
def _story_length(status: str, rng: random.Random) -> int:
    lengths = {
        CaseStatus.REFERRED: rng.randint(0, 12),
        CaseStatus.SCREENING: rng.randint(4, 25),
        CaseStatus.ASSESSMENT: rng.randint(12, 45),
        CaseStatus.AWAITING_MATCH: rng.randint(25, 120),
        CaseStatus.MATCHED: rng.randint(40, 110),
        CaseStatus.ACTIVE: rng.randint(70, 380),
        CaseStatus.CLOSING: rng.randint(200, 420),
        CaseStatus.CLOSED: rng.randint(300, 820),
        CaseStatus.NOT_SUITABLE: rng.randint(5, 300),
        CaseStatus.CONSENT_DECLINED: rng.randint(10, 300),
        CaseStatus.CONSENT_WITHDRAWN: rng.randint(90, 400),
        CaseStatus.ESCALATED: rng.randint(30, 400),
        CaseStatus.ON_HOLD: rng.randint(60, 300),
    }
    return lengths[status]


def _draft(rng: random.Random, status: str, concern: str, used_names: set) -> dict:
    """The details of one demo case in ``status``, drawn from ``rng`` (a first and last
    name not in ``used_names``, which it joins)."""
    left_from = ""
    if status == CaseStatus.NOT_SUITABLE:
        left_from = rng.choice([CaseStatus.REFERRED, CaseStatus.SCREENING, CaseStatus.SCREENING])
    elif status == CaseStatus.CONSENT_DECLINED:
        left_from = CaseStatus.SCREENING
    elif status == CaseStatus.CONSENT_WITHDRAWN:
        left_from = rng.choice(
            [
                CaseStatus.AWAITING_MATCH,
                CaseStatus.ACTIVE,
                CaseStatus.ACTIVE,
                CaseStatus.ASSESSMENT,
            ]
        )
    elif status == CaseStatus.ESCALATED:
        left_from = rng.choice([CaseStatus.SCREENING, CaseStatus.ASSESSMENT, CaseStatus.ACTIVE])
    elif status == CaseStatus.ON_HOLD:
        left_from = rng.choice(
            [
                CaseStatus.ASSESSMENT,
                CaseStatus.AWAITING_MATCH,
                CaseStatus.ACTIVE,
                CaseStatus.ACTIVE,
            ]
        )
    urgency = rng.choices(
        [Urgency.ROUTINE, Urgency.PRIORITY, Urgency.URGENT], weights=[55, 30, 15]
    )[0]
    if concern == "school-massacre":
        urgency = Urgency.URGENT
    by_coordinator = rng.random() < 0.4
    area = rng.choices(AREAS, weights=AREA_WEIGHTS)[0]
    if by_coordinator:
        agency, pattern, low, high = rng.choice(COORDINATOR_SOURCES)
        organisation = pattern.format(area=area)
    else:
        agency, organisation, low, high = (
            "police",
            REFERRER_ORGANISATION,
            12,
            40,
        )
    age = rng.randint(low, high)
    if not by_coordinator and rng.random() < 0.35:
        age = rng.randint(12, 17)  # police referrals of children are common
    gender = rng.choices(
        [ClientGender.MALE, ClientGender.FEMALE, ClientGender.NON_BINARY],
        weights=[78, 18, 4],
    )[0]
    while True:
        first = rng.choice(FIRST_NAMES[gender])
        last = rng.choice(LAST_NAMES)
        if (first, last) not in used_names:
            used_names.add((first, last))
            break
    languages, preferred = rng.choice(LANGUAGE_SETS)
    interpreter = preferred not in (None, "English") and rng.random() < 0.6
    return dict(
        status=status,
        concern=concern,
        urgency=urgency,
        area=area,
        age=age,
        gender=gender,
        first_name=first,
        last_name=last,
        days_ago=_story_length(status, rng),
        by_coordinator=by_coordinator,
        agency=agency,
        organisation=organisation,
        reason=rng.choice(REASONS[concern]),
        other_agencies=rng.choice(OTHER_AGENCIES),
        languages=tuple(languages),
        preferred_language=preferred,
        interpreter=interpreter,
        mentor_gender=rng.choices(
            [
                MentorGenderPreference.ANY,
                MentorGenderPreference.MALE,
                MentorGenderPreference.FEMALE,
            ],
            weights=[60, 25, 15],
        )[0],
        accepts_online=rng.random() < 0.55,
        left_from=left_from,
        variant=rng.randrange(1_000_000),
    )


def _specs() -> list[DemoCase]:
    """The demo cases, oldest referral first. Pure: the same list on every run."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    statuses = [status for status, n in STATUS_COUNTS.items() for _ in range(n)]
    rng.shuffle(statuses)
    concerns = list(CONCERN_WEIGHTS)  # every concern type at least once
    concerns += rng.choices(
        list(CONCERN_WEIGHTS), weights=list(CONCERN_WEIGHTS.values()), k=len(statuses)
    )
    concerns = concerns[: len(statuses)]
    rng.shuffle(concerns)

    drafts = []
    used_names = set()
    for i, status in enumerate(statuses):
        concern = concerns[i]
        drafts.append(_draft(rng, status, concern, used_names))

    # A few people in support are overdue a review; two awaiting a match lost a mentor.
    active = [d for d in drafts if d["status"] == CaseStatus.ACTIVE and d["days_ago"] > 150]
    for d in active[:5]:
        d["review_overdue"] = True
    awaiting = [d for d in drafts if d["status"] == CaseStatus.AWAITING_MATCH]
    for d in awaiting[:2]:
        d["broken_match"] = True
        d["days_ago"] += 140
    # Referrals waiting for a match for a long time, so the waiting filters show something.
    for d, extra in zip(awaiting[2:5], (70, 50, 35), strict=True):
        d["days_ago"] += extra

    drafts.sort(key=lambda d: (-d["days_ago"], d["variant"]))
    specs = [DemoCase(number=n, **d) for n, d in enumerate(drafts, start=1)]

    # Two people referred again: the new referral carries the same name and date of birth
    # as an earlier, ended case, and is flagged as a possible duplicate.
    earlier = [
        c
        for c in specs
        if c.status in (CaseStatus.CLOSED, CaseStatus.NOT_SUITABLE) and c.days_ago > 200
    ]
    later = [c for c in specs if c.status in (CaseStatus.REFERRED, CaseStatus.SCREENING)]
    for original, again in zip(earlier[:2], later[-2:], strict=True):
        i = specs.index(again)
        specs[i] = DemoCase(
            **{
                **again.__dict__,
                "first_name": original.first_name,
                "last_name": original.last_name,
                "gender": original.gender,
                "age": original.age,
                "agency": original.agency,
                "organisation": original.organisation,
                "by_coordinator": original.by_coordinator,
                "duplicate_of": original.number,
            }
        )
    return specs


DEMO_CASES: list[DemoCase] = _specs()


# Building one case ---------------------------------------------------------------------


@dataclass
class _Catalogue:
    referrer: User
    coordinator: User
    concern_types: dict[str, ConcernType]
    sources: dict[str, ReferralSource]
    areas: dict[str, Area]
    languages: dict[str, Language]
    framework: Framework
    factors: list[Factor]
    levels: dict[str, RatingLevel]  # by code


def _catalogue() -> _Catalogue:
    ensure_demo_users()
    framework = Framework.objects.filter(is_default=True).first()
    if framework is None:
        raise RuntimeError("No default assessment framework: run the migrations first.")
    return _Catalogue(
        referrer=User.objects.get(email=REFERRER_EMAIL),
        coordinator=User.objects.get(email=COORDINATOR_EMAIL),
        concern_types={c.code: c for c in ConcernType.objects.all()},
        sources={s.code: s for s in ReferralSource.objects.all()},
        areas={a.name: a for a in Area.objects.all()},
        languages={lang.name: lang for lang in Language.objects.all()},
        framework=framework,
        factors=list(Factor.objects.filter(dimension__framework=framework).order_by("number")),
        levels={lvl.code: lvl for lvl in RatingLevel.objects.filter(framework=framework)},
    )


RANKED_LEVELS = ["not_present", "low", "moderate", "high"]


@dataclass
class _Story:
    """The life of one demo case, told forwards from its referral to today."""

    spec: DemoCase
    cat: _Catalogue
    now: dt.datetime
    rng: random.Random = field(init=False)
    case: Case = field(init=False)
    day: dt.date = field(init=False)
    events: list = field(default_factory=list)
    consents: list = field(default_factory=list)
    assessments: list = field(default_factory=list)  # (Assessment, {factor: level code})
    goals: list = field(default_factory=list)
    reviews: list = field(default_factory=list)  # (Review, {goal index: score})
    follow_ups: list = field(default_factory=list)
    plan: SupportPlan | None = None
    today: dt.date = field(init=False)
    clock: dt.datetime | None = None  # the latest moment used: the story never goes back
    guardian_giver: str = ConsentGiver.PERSON

    def __post_init__(self):
        self.rng = random.Random(self.spec.variant)  # noqa: S311 - repeatable demo data
        self.today = timezone.localdate(self.now)

    # -- time

    def at(self, day: dt.date) -> dt.datetime:
        """A working-hours moment on ``day``, after every moment used so far (so that
        the timeline reads in order) and never in the future."""
        moment = timezone.make_aware(
            dt.datetime.combine(day, dt.time(9 + self.rng.randint(0, 6), self.rng.randint(0, 59)))
        )
        if self.clock is not None and moment <= self.clock:
            moment = self.clock + dt.timedelta(minutes=self.rng.randint(1, 20))
        moment = min(moment, self.now - dt.timedelta(minutes=1))
        self.clock = max(moment, self.clock or moment)
        return moment

    def wait(self, low: int, high: int) -> dt.date:
        """Move the story on by a few days, never past today."""
        self.day = min(self.day + dt.timedelta(days=self.rng.randint(low, high)), self.today)
        return self.day

    # -- timeline

    def event(
        self, kind, summary, *, actor=None, from_status="", to_status="", reason="", when=None
    ):
        self.events.append(
            CaseEvent(
                case=self.case,
                kind=kind,
                summary=summary,
                actor=actor or self.cat.coordinator,
                occurred_at=when or self.at(self.day),
                from_status=from_status,
                to_status=to_status,
                reason=reason,
            )
        )

    def move(self, action, label, to_status, *, summary="", reason=""):
        from_status = self.case.status
        self.event(
            f"status.{action}",
            summary or label,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
        self.case.status = to_status
        self.case.status_changed_at = self.events[-1].occurred_at

    def end(self, outcome: str) -> None:
        self.case.closure_outcome = outcome
        self.case.closed_at = self.events[-1].occurred_at
        self.case.closed_by = self.cat.coordinator
        self.case.next_review_due = None

    # -- the person and the referral

    def referral(self, dob: dt.date, first: str, last: str) -> None:
        spec, cat = self.spec, self.cat
        received_on = self.today - dt.timedelta(days=spec.days_ago)
        self.day = received_on
        received_at = self.at(received_on)
        age = age_on(dob, received_on)
        child = age < 18
        guardian_relationship, self.guardian_giver = (
            self.rng.choice(GUARDIANS) if child else ("", ConsentGiver.PERSON)
        )
        self.case = Case(
            record_uuid=spec.record_uuid,
            reference=reference_allocate(year=received_on.year),
            status=CaseStatus.REFERRED,
            status_changed_at=received_at,
            referred_by=cat.coordinator if spec.by_coordinator else cat.referrer,
            referral_source=cat.sources[spec.agency],
            referrer_organisation=spec.organisation,
            received_at=received_at,
            created_at=received_at,
            reason=spec.reason,
            concern_type=cat.concern_types[spec.concern],
            urgency=spec.urgency,
            other_agencies=spec.other_agencies,
            first_name=first,
            last_name=last,
            date_of_birth=dob.isoformat(),
            age_at_referral=age,
            gender=spec.gender,
            area=cat.areas.get(spec.area),
            guardian_name=(f"{self.rng.choice(GUARDIAN_FIRST_NAMES)} {last}" if child else ""),
            guardian_relationship=guardian_relationship,
            guardian_contact=f"07700 900{self.rng.randint(0, 999):03d}" if child else "",
            interpreter_needed=spec.interpreter,
            accessibility_needs=(
                "Prefers short sessions; dyslexia." if self.rng.random() < 0.1 else ""
            ),
            mentor_gender_preference=spec.mentor_gender,
            preferred_language=cat.languages.get(spec.preferred_language or ""),
            faith_preference=(
                "Would like a mentor who shares their faith."
                if spec.concern == "islamist" and self.rng.random() < 0.5
                else ""
            ),
            accepts_online=spec.accepts_online,
            ethnicity=demo_ethnicity(spec.number)[0] or None,
            ethnicity_description=demo_ethnicity(spec.number)[1] or None,
        )
        self.event(
            "referral.received",
            "Referral received",
            actor=self.case.referred_by,
            when=received_at,
        )

    def flag_duplicate(self, original: Case) -> None:
        self.case.possible_duplicate_of = original
        self.case.duplicate_decision = DuplicateDecision.PENDING
        self.event(
            "referral.possible_duplicate",
            f"Possible duplicate of {original.reference} flagged for a decision",
            actor=self.case.referred_by,
        )

    # -- screening and consent

    def screen(self, outcome: str) -> None:
        self.wait(1, 6)
        case = self.case
        case.screening_outcome = outcome
        case.screening_notes = "Discussed with the referrer; information checked with school."
        case.screened_by = self.cat.coordinator
        case.screened_at = self.at(self.day)
        label = ScreeningOutcome(outcome).label.lower()
        self.move(
            "start_screening",
            "Start screening",
            CaseStatus.SCREENING,
            summary=f"Screening recorded: {label}",
        )

    def consent(self, decision: str) -> Consent:
        self.wait(2, 9)
        case = self.case
        giver = self.guardian_giver if case.is_child else ConsentGiver.PERSON
        method = self.rng.choice(ConsentMethod.values)
        # The consent rule by age on the day: some 16- and 17-year-olds consent for
        # themselves, and some competent younger children's own agreement is recorded.
        band = current_rule().band_for(age_on(dt.date.fromisoformat(case.date_of_birth), self.day))
        given = decision == ConsentDecision.GIVEN
        self_consent = given and band == OLDER_CHILD and self.spec.number % 2 == 0
        agreement = given and band == COMPETENT_CHILD and self.spec.number % 2 == 1
        if self_consent:
            giver = ConsentGiver.PERSON
        consent = Consent(
            case=case,
            decision=decision,
            given_by=giver,
            rule_band=band,
            capacity_confirmed=self_consent,
            child_agreement="agreed" if agreement else "",
            competence_assessed_by=(
                "Aisha Rahman, designated safeguarding lead" if agreement else None
            ),
            competence_assessed_on=self.day if agreement else None,
            giver_name=(
                case.guardian_name
                if case.is_child and not self_consent
                else f"{case.first_name} {case.last_name}"
            ),
            decided_on=self.day,
            method=method,
            capacity_note=(
                "Understood that mentoring is voluntary and can stop at any time."
                if self.rng.random() < 0.5
                else ""
            ),
            recorded_by=self.cat.coordinator,
            recorded_at=self.at(self.day),
        )
        self.consents.append(consent)
        who = {
            ConsentGiver.PERSON: "the person",
            ConsentGiver.PARENT: "a parent",
            ConsentGiver.GUARDIAN: "a guardian or carer",
        }[giver]
        if agreement:
            who += ", with the child's own agreement"
        if decision == ConsentDecision.GIVEN:
            self.event(
                "consent.given",
                f"Consent given by {who} ({ConsentMethod(method).label.lower()})",
            )
            self.move(
                "screen_in",
                "Screened in, consent given",
                CaseStatus.ASSESSMENT,
                summary="Screened in with consent: assessment can start",
            )
        else:
            self.move(
                "decline_consent",
                "Consent declined",
                CaseStatus.CONSENT_DECLINED,
                summary=f"Consent declined by {who}: not taken forward",
            )
            self.end(ClosureOutcome.OTHER)
        return consent

    # -- assessments

    def assess(self, kind: str) -> None:
        if kind == AssessmentKind.INTAKE:
            self.wait(5, 18)
            ratings = self._intake_ratings()
        else:
            ratings = self._reassessed(self.assessments[-1][1])
        assessment = Assessment(
            case=self.case,
            framework=self.cat.framework,
            kind=kind,
            assessed_on=self.day,
            assessor=self.cat.coordinator,
            summary=self.rng.choice(SUMMARIES),
            management_plan=self.rng.choice(MANAGEMENT_PLANS),
            created_at=self.at(self.day),
        )
        self.assessments.append((assessment, ratings))
        label = "Initial assessment" if kind == AssessmentKind.INTAKE else "Reassessment"
        self.event(f"assessment.{kind}", f"{label} recorded")

    def _intake_ratings(self) -> dict[int, str]:
        rng = self.rng
        concern = {Urgency.URGENT: 2, Urgency.PRIORITY: 1}.get(self.spec.urgency, 0)
        ratings = {}
        for factor in self.cat.factors:
            if rng.random() < 0.06:
                ratings[factor.number] = "not_known"
                continue
            if factor.number <= 13:  # engagement: usually present
                rank = rng.choices([0, 1, 2, 3], weights=[15, 30, 35, 20])[0]
            elif factor.number <= 19:  # intent
                rank = rng.choices([0, 1, 2, 3], weights=[35, 35, 20, 10])[0]
            else:  # capability: rarely
                rank = rng.choices([0, 1, 2, 3], weights=[60, 30, 8, 2])[0]
            rank = min(3, rank + (1 if concern and rng.random() < 0.3 * concern else 0))
            ratings[factor.number] = RANKED_LEVELS[rank]
        return ratings

    def _reassessed(self, previous: dict[int, str]) -> dict[int, str]:
        rng = self.rng
        worse = self.spec.status in (CaseStatus.ESCALATED,)
        ratings = {}
        for number, code in previous.items():
            if code == "not_known":
                ratings[number] = rng.choice(RANKED_LEVELS[:3]) if rng.random() < 0.6 else code
                continue
            rank = RANKED_LEVELS.index(code)
            roll = rng.random()
            if worse and roll < 0.3:
                rank = min(3, rank + 1)
            elif roll < 0.4:
                rank = max(0, rank - 1)
            elif roll > 0.93:
                rank = min(3, rank + 1)
            ratings[number] = RANKED_LEVELS[rank]
        return ratings

    # -- plan, goals and reviews

    def write_plan(self) -> None:
        rng = self.rng
        self.plan = SupportPlan(
            case=self.case,
            approach=rng.choice(Approach.values),
            intended_style=rng.choices([1, 2, 3, 4], weights=[25, 40, 25, 10])[0],
            frequency=rng.choices(Frequency.values, weights=[50, 40, 10])[0],
            summary="Build trust first; then work through the goals below with the family.",
            updated_by=self.cat.coordinator,
            updated_at=self.at(self.day),
        )
        self.event("plan.written", "Support plan written")
        pool = GOALS[:5] if self.spec.concern != "islamist" else GOALS
        chosen = rng.sample(pool, k=rng.choice([2, 3]))
        for position, (title, owner, levels) in enumerate(chosen, start=1):
            goal = Goal(
                case=self.case,
                title=title,
                owner=owner,
                weight=rng.choice([1, 1, 2, 3]),
                level_minus_2=levels[0],
                level_minus_1=levels[1],
                level_0=levels[2],
                level_plus_1=levels[3],
                level_plus_2=levels[4],
                position=position,
                created_at=self.at(self.day),
            )
            self.goals.append(goal)
            self.event(
                "plan.goal_added",
                f"Goal {position} added (owned by {goal.get_owner_display().lower()}, "
                f"weight {goal.weight})",
            )
        self.case.next_review_due = self.day + dt.timedelta(weeks=REVIEW_INTERVAL_WEEKS)

    def review_until(self, last_day: dt.date, *, overdue: bool = False) -> None:
        """Reviews every interval from the plan until ``last_day``, reassessing after the
        second and the fourth. An overdue case misses its latest review."""
        interval = dt.timedelta(weeks=REVIEW_INTERVAL_WEEKS)
        due = self.case.next_review_due
        dates = []
        while due is not None and due <= last_day:
            dates.append(due)
            due += interval
        if overdue and dates and dates[-1] < self.today - dt.timedelta(days=3):
            dates.pop()
        drift = -0.6 if self.spec.status == CaseStatus.CONSENT_WITHDRAWN else 0.45
        for k, on in enumerate(dates, start=1):
            self.day = on + dt.timedelta(days=self.rng.randint(-3, 2))
            self.day = min(self.day, self.today)
            scores = {}
            for i, _goal in enumerate(self.goals):
                raw = -1 + k * drift + self.rng.uniform(-1.0, 1.0)
                scores[i] = max(-2, min(2, round(raw)))
            t = gas.rounded(gas.t_score([(self.goals[i].weight, s) for i, s in scores.items()]))
            needs_reassessment = k in (2, 4)
            review = Review(
                case=self.case,
                reviewed_on=self.day,
                reviewer=self.cat.coordinator,
                summary=self.rng.choice(REVIEW_SUMMARIES),
                reassessment_needed=needs_reassessment,
                t_score=t,
                created_at=self.at(self.day),
            )
            self.reviews.append((review, scores))
            self.event("review.recorded", f"Review recorded (GAS T-score {t})")
            if needs_reassessment:
                self.event("review.reassessment", "Reassessment prompted")
                self.wait(1, 7)
                self.assess(AssessmentKind.REASSESSMENT)
            self.case.next_review_due = on + interval
        self.day = max(self.day, last_day) if last_day <= self.today else self.today

    # -- closure

    def close(self) -> None:
        rng = self.rng
        self.wait(7, 21)
        outcome = rng.choices(
            [
                ClosureOutcome.COMPLETED,
                ClosureOutcome.PARTIAL,
                ClosureOutcome.DISENGAGED,
                ClosureOutcome.MOVED,
                ClosureOutcome.OTHER,
            ],
            weights=[45, 30, 12, 8, 5],
        )[0]
        outcome = self.spec.closure_outcome or outcome
        self.case.closing_report = CLOSING_REPORTS[outcome]
        self.move(
            "close",
            "Close",
            CaseStatus.CLOSED,
            summary=f"Case closed ({ClosureOutcome(outcome).label.lower()})",
        )
        self.end(outcome)
        due = follow_up_dates(self.day)
        self.event(
            "follow_up.scheduled",
            "Follow-ups scheduled for "
            + " and ".join(f"{d:%-d %B %Y}" for d in sorted(due.values())),
        )
        closed_on = self.day
        for kind, due_on in due.items():
            follow_up = FollowUp(case=self.case, kind=kind, due_on=due_on)
            # Most follow-ups are done soon after they fall due; some are still waiting.
            done_on = due_on + dt.timedelta(days=rng.randint(0, 20))
            if done_on <= self.today - dt.timedelta(days=2) and rng.random() < 0.6:
                follow_up.completed_on = done_on
                follow_up.completed_by = self.cat.coordinator
                follow_up.notes = rng.choice(FOLLOW_UP_NOTES)
                follow_up.re_referred = rng.random() < 0.1
                self.day = done_on
                self.event(
                    "follow_up.recorded",
                    f"Follow-up recorded ({follow_up.get_kind_display()}; "
                    + ("referred again" if follow_up.re_referred else "not referred again")
                    + ")",
                )
            self.follow_ups.append(follow_up)
        self.day = max(self.day, closed_on)


def _tell(story: _Story) -> None:
    """Move the case from referral to its demo state, step by step."""
    spec, rng = story.spec, story.rng
    target, left_from = spec.status, spec.left_from
    # The furthest ordinary state the story reaches before any side exit or hold.
    path = [
        CaseStatus.REFERRED,
        CaseStatus.SCREENING,
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSING,
        CaseStatus.CLOSED,
    ]
    reach = left_from or target
    stop = path.index(reach) if reach in path else 0

    if stop == 0 and target == CaseStatus.NOT_SUITABLE:
        story.wait(1, 5)
        _screen_out(story, from_referred=True)
        return
    if stop == 0:
        return
    outcome = ScreeningOutcome.CLEAR if rng.random() < 0.7 else ScreeningOutcome.POSSIBLE
    if target == CaseStatus.NOT_SUITABLE:
        outcome = ScreeningOutcome.NOT_APPROPRIATE
    if target != CaseStatus.NOT_SUITABLE:
        story.screen(outcome)
    if target == CaseStatus.NOT_SUITABLE:
        story.wait(1, 5)
        _screen_out(story, from_referred=False)
        return
    if target == CaseStatus.CONSENT_DECLINED:
        story.consent(ConsentDecision.DECLINED)
        return
    if stop == 1:
        if target == CaseStatus.ESCALATED:
            _side_exit(story)
        return

    consent = story.consent(ConsentDecision.GIVEN)
    if stop == 2:
        if target == CaseStatus.ASSESSMENT and rng.random() < 0.5:
            story.assess(AssessmentKind.INTAKE)  # recorded, not yet ready for a match
        _maybe_side_exit(story, consent)
        return

    story.assess(AssessmentKind.INTAKE)
    story.move("complete_assessment", "Ready for a match", CaseStatus.AWAITING_MATCH)
    if spec.broken_match:
        story.wait(14, 40)
        story.move("match", "Matched with a mentor", CaseStatus.MATCHED)
        story.wait(5, 12)
        story.write_plan()
        story.move("start_support", "First meeting held", CaseStatus.ACTIVE)
        story.review_until(story.day + dt.timedelta(days=rng.randint(20, 60)))
        story.wait(20, 50)
        story.move(
            "break_match",
            "Match ended, needs a new mentor",
            CaseStatus.AWAITING_MATCH,
            reason="The mentor moved away; the person wants to carry on.",
        )
        story.case.next_review_due = None  # reviews resume with the next mentor
    if stop == 3:
        _maybe_side_exit(story, consent)
        return

    story.wait(10, 45)
    if target == CaseStatus.MATCHED:  # matched in the last three weeks, first meeting to come
        story.day = max(story.day, story.today - dt.timedelta(days=rng.randint(0, 21)))
    story.move("match", "Matched with a mentor", CaseStatus.MATCHED)
    if stop == 4:
        return
    story.wait(4, 12)
    story.write_plan()
    story.move("start_support", "First meeting held", CaseStatus.ACTIVE)
    if stop == 5:
        if target == CaseStatus.ACTIVE:
            story.review_until(story.today, overdue=spec.review_overdue)
        else:
            end = story.today - dt.timedelta(days=rng.randint(3, 30))
            story.review_until(max(end, story.day))
            _maybe_side_exit(story, consent)
        return

    # Closing and closed: about six months of support, then a final reassessment.
    if target == CaseStatus.CLOSING:  # closing started in the last few weeks
        support_end = story.today - dt.timedelta(days=rng.randint(3, 20))
    else:
        support_end = min(
            story.day + dt.timedelta(days=rng.randint(150, 240)),
            story.today - dt.timedelta(days=40),
        )
    story.review_until(max(support_end, story.day))
    story.day = max(story.day, support_end)
    story.move("start_closing", "Start closing", CaseStatus.CLOSING)
    story.assess(AssessmentKind.REASSESSMENT)
    if target == CaseStatus.CLOSED:
        story.close()


def _screen_out(story: _Story, *, from_referred: bool) -> None:
    case = story.case
    case.screening_outcome = ScreeningOutcome.NOT_APPROPRIATE
    case.screening_notes = "Checked with the referrer and the school."
    case.screened_by = story.cat.coordinator
    case.screened_at = story.at(story.day)
    if not from_referred:
        story.move(
            "start_screening", "Start screening", CaseStatus.SCREENING, summary="Screening started"
        )
        story.wait(1, 5)
    story.move(
        "screen_out",
        "Not appropriate",
        CaseStatus.NOT_SUITABLE,
        summary="Screened out: not appropriate",
        reason=story.rng.choice(SCREEN_OUT_REASONS),
    )
    story.end(ClosureOutcome.NOT_SUITABLE)


def _maybe_side_exit(story: _Story, consent: Consent) -> None:
    if story.spec.status in (
        CaseStatus.ESCALATED,
        CaseStatus.CONSENT_WITHDRAWN,
        CaseStatus.ON_HOLD,
    ):
        _side_exit(story, consent)


def _side_exit(story: _Story, consent: Consent | None = None) -> None:
    rng, target = story.rng, story.spec.status
    story.wait(3, 20)
    if target == CaseStatus.ON_HOLD:
        # Holds are recent: a pause of weeks, not of a year.
        recent = story.today - dt.timedelta(days=rng.randint(5, 60))
        story.day = max(story.day, recent)
        before = story.case.status
        story.move("hold", "Put on hold", CaseStatus.ON_HOLD, reason=rng.choice(HOLD_REASONS))
        story.case.status_before_hold = before
    elif target == CaseStatus.ESCALATED:
        story.move(
            "escalate",
            "Escalated to statutory services",
            CaseStatus.ESCALATED,
            reason=rng.choice(ESCALATION_REASONS),
        )
        story.end(ClosureOutcome.ESCALATED)
    elif target == CaseStatus.CONSENT_WITHDRAWN:
        reason = rng.choice(WITHDRAWAL_REASONS)
        consent.withdrawn_on = story.day
        consent.withdrawal_reason = reason
        consent.withdrawal_recorded_by = story.cat.coordinator
        story.move(
            "withdraw_consent",
            "Consent withdrawn",
            CaseStatus.CONSENT_WITHDRAWN,
            summary="Consent withdrawn: support stopped and the case ended",
            reason=reason,
        )
        story.end(ClosureOutcome.CONSENT_WITHDRAWN)


def _date_of_birth(spec: DemoCase, today: dt.date) -> dt.date:
    rng = random.Random(spec.variant + 1)  # noqa: S311 - repeatable demo data
    received = today - dt.timedelta(days=spec.days_ago)
    # Born between ``age`` and ``age + 1`` years before the referral.
    birthday = dt.date(received.year - spec.age, received.month, min(received.day, 28))
    return birthday - dt.timedelta(days=rng.randint(1, 360))


@transaction.atomic
def _create(spec: DemoCase, cat: _Catalogue, now: dt.datetime) -> Case:
    story = _Story(spec, cat, now)
    original = None
    if spec.duplicate_of is not None:
        original = Case.objects.filter(
            record_uuid=DEMO_CASES[spec.duplicate_of - 1].record_uuid
        ).first()
    if original is not None:
        dob = dt.date.fromisoformat(original.date_of_birth)
        story.referral(dob, original.first_name, original.last_name)
        story.flag_duplicate(original)
    else:
        story.referral(_date_of_birth(spec, story.today), spec.first_name, spec.last_name)
    _tell(story)

    case = story.case
    case.version = len(story.events)
    case.save()
    languages = [cat.languages[name] for name in spec.languages if name in cat.languages]
    if languages:
        case.languages.set(languages)
    CaseEvent.objects.bulk_create(story.events)
    Consent.objects.bulk_create(story.consents)
    assessments = Assessment.objects.bulk_create(a for a, _ in story.assessments)
    factors = {f.number: f for f in cat.factors}
    ratings = []
    for assessment, (_, levels) in zip(assessments, story.assessments, strict=True):
        for number, code in levels.items():
            narrative = ""
            if code in NARRATIVES:
                narrative = story.rng.choice(NARRATIVES[code])
            ratings.append(
                FactorRating(
                    assessment=assessment,
                    factor=factors[number],
                    level=cat.levels[code],
                    narrative=narrative,
                )
            )
    FactorRating.objects.bulk_create(ratings)
    if story.plan is not None:
        story.plan.save()
    goals = Goal.objects.bulk_create(story.goals)
    reviews = Review.objects.bulk_create(r for r, _ in story.reviews)
    GoalScore.objects.bulk_create(
        GoalScore(review=review, goal=goals[i], score=score)
        for review, (_, scores) in zip(reviews, story.reviews, strict=True)
        for i, score in scores.items()
    )
    FollowUp.objects.bulk_create(story.follow_ups)
    return case


def ensure_demo_cases(specs: list[DemoCase] | None = None) -> int:
    """Create the demo cases (``DEMO_CASES`` unless ``specs`` are given) that do not
    exist yet; return how many were created."""
    specs = DEMO_CASES if specs is None else specs
    cat = _catalogue()
    existing = set(
        Case.objects.filter(record_uuid__in=[c.record_uuid for c in specs]).values_list(
            "record_uuid", flat=True
        )
    )
    now = timezone.now()
    created = 0
    for spec in specs:
        if spec.record_uuid in existing:
            continue
        # The person's data key, made outside their transaction so that it is cached and
        # every field of theirs is encrypted without looking the key up again.
        key_for_encryption(("client", str(spec.record_uuid)))
        _create(spec, cat, now)
        created += 1
    return created
