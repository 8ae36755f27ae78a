"""Demo mentors: about forty fictional people spread over every stage of the pipeline.

Only for local evaluation and tests (the demo_data command refuses to run unless
settings.TANDEM_ALLOW_DEMO_DATA is true). Every person, phone number and
qualification here is invented; phone numbers are from Ofcom's drama range.

Idempotent: each demo mentor is keyed on their email address (at
``mentors.tandem.example``, or the demo mentor user's own address for Imran Qureshi),
and one who exists already is left exactly as they are. Dates are relative to today,
so a fresh demo always has checks and accreditations about to expire.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.catalogues.models import Area, Language, Specialism
from tandem.mentors.models import (
    Accreditation,
    AccreditationLevel,
    AgeBand,
    ApplicationSource,
    AvailabilitySlot,
    CheckOutcome,
    CodeAcceptance,
    CodeOfConduct,
    DayPart,
    FeedbackRecord,
    FeedbackSource,
    Gender,
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    MentorStatus,
    ObservationRating,
    ObservedPractice,
    Proficiency,
    StatusChange,
    TrainingCompletion,
    TrainingModule,
    VettingCheck,
    VettingCheckType,
)

from .accounts import DEMO_DOMAIN, ensure_demo_users

MENTOR_DOMAIN = f"mentors.{DEMO_DOMAIN}"
COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
SUPERVISOR_EMAIL = f"supervisor@{DEMO_DOMAIN}"
MENTOR_USER_EMAIL = f"mentor@{DEMO_DOMAIN}"

F, M, NB, SD = Gender.FEMALE, Gender.MALE, Gender.NON_BINARY, Gender.SELF_DESCRIBED

# What happens to a demo mentor's record beyond the usual for their status.
DBS_EXPIRES_IN_18 = "dbs_expires_in_18_days"
DBS_EXPIRES_IN_35 = "dbs_expires_in_35_days"
DBS_EXPIRES_IN_52 = "dbs_expires_in_52_days"
DBS_EXPIRED = "dbs_expired_9_days_ago"
ACCREDITATION_EXPIRES_IN_44 = "accreditation_expires_in_44_days"
ACCREDITATION_EXPIRED = "accreditation_expired_6_days_ago"
CODE_NOT_ACCEPTED = "code_not_accepted"
REFERENCE_FAILED = "second_reference_failed"


@dataclass(frozen=True)
class DemoMentor:
    full_name: str
    status: str
    gender: str
    age_band: str
    languages: tuple[tuple[str, str], ...]
    areas: tuple[str, ...]
    specialisms: tuple[str, ...]
    level: str = ""  # accreditation level code, for mentors who were accredited
    checks_done: int = 0  # for mentors in vetting: how many checks are recorded
    modules_done: int = 0  # for mentors in training
    faith: str = ""
    culture: str = ""
    lived_experience: str = ""
    qualification: str = ""  # for a specialism that asks for one (theology)
    online: bool = False
    radius: int = 10
    cap: int = 2
    years: float = 0.0  # how long ago they applied, for those past training
    days: int = 0  # how long ago they applied, for those still in the pipeline
    status_reason: str = ""
    scenario: str = ""
    supervised: bool = False
    user_email: str = ""
    gender_self_description: str = ""
    source: str = ApplicationSource.PUBLIC

    @property
    def email(self) -> str:
        if self.user_email:
            return self.user_email
        local = self.full_name.lower().replace("'", "").replace("-", "").replace(" ", ".")
        return f"{local}@{MENTOR_DOMAIN}"


THEOLOGY = "islamic-theology"

DEMO_MENTORS: list[DemoMentor] = [
    # Active ------------------------------------------------------------------------------
    DemoMentor(
        "Imran Qureshi",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A35_44,
        (
            ("Urdu", Proficiency.FIRST),
            ("Punjabi", Proficiency.FLUENT),
            ("English", Proficiency.FLUENT),
            ("Arabic", Proficiency.CONVERSATIONAL),
        ),
        ("Birmingham", "Sandwell", "Walsall"),
        (THEOLOGY, "youth-work", "online-radicalisation"),
        level="accredited",
        faith="Muslim (Sunni)",
        culture="British Pakistani, grew up in Alum Rock",
        qualification="Alimiyyah (traditional Islamic scholarship), 2009; MA Islamic Studies, 2014",
        online=True,
        radius=15,
        cap=3,
        years=2.5,
        supervised=True,
        user_email=MENTOR_USER_EMAIL,
    ),
    DemoMentor(
        "Farhana Begum",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A25_34,
        (("Bengali", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Birmingham",),
        ("family-support", "youth-work"),
        level="accredited",
        culture="British Bangladeshi",
        online=True,
        cap=2,
        years=1.8,
        supervised=True,
    ),
    DemoMentor(
        "Gurpreet Kaur Sandhu",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A45_54,
        (("Punjabi", Proficiency.FIRST), ("English", Proficiency.FIRST)),
        ("Wolverhampton", "Sandwell"),
        ("other-faith", "hate-crime"),
        level="senior",
        faith="Sikh",
        cap=3,
        years=4.2,
        supervised=True,
    ),
    DemoMentor(
        "Mark Whitehouse",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A45_54,
        (("English", Proficiency.FIRST),),
        ("Dudley", "Walsall"),
        ("extreme-right-wing", "lived-experience"),
        level="senior",
        lived_experience="Active in a far-right street movement in his twenties; left after a "
        "community mentoring programme and has spoken in schools since.",
        radius=20,
        cap=2,
        years=3.6,
    ),
    DemoMentor(
        "Abdi Hassan",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A25_34,
        (
            ("Somali", Proficiency.FIRST),
            ("English", Proficiency.FLUENT),
            ("Arabic", Proficiency.CONVERSATIONAL),
        ),
        ("Birmingham", "Coventry"),
        ("youth-work", "gangs-exploitation"),
        level="accredited",
        culture="British Somali",
        cap=2,
        years=2.9,
        scenario=DBS_EXPIRES_IN_18,
    ),
    DemoMentor(
        "Katarzyna Nowicka",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A35_44,
        (("Polish", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Coventry",),
        ("online-radicalisation", "ete"),
        level="accredited",
        online=True,
        cap=2,
        years=2.0,
        scenario=ACCREDITATION_EXPIRES_IN_44,
    ),
    DemoMentor(
        "Yusuf Patel",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A55_64,
        (
            ("Gujarati", Proficiency.FIRST),
            ("Urdu", Proficiency.FLUENT),
            ("Arabic", Proficiency.FLUENT),
            ("English", Proficiency.FLUENT),
        ),
        ("Birmingham", "Solihull"),
        (THEOLOGY, "family-support"),
        level="senior",
        faith="Muslim",
        qualification="BA (Hons) Islamic Theology and Arabic, 1994; imam since 1998",
        cap=2,
        years=5.0,
    ),
    DemoMentor(
        "Sarah Jennings",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A35_44,
        (("English", Proficiency.FIRST),),
        ("Solihull", "Coventry"),
        ("mental-health", "family-support"),
        level="accredited",
        online=True,
        cap=3,
        years=1.6,
    ),
    DemoMentor(
        "Daniel Okonkwo",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A25_34,
        (("English", Proficiency.FIRST),),
        ("Wolverhampton", "Walsall"),
        ("youth-work", "gangs-exploitation", "ete"),
        level="trainee",
        culture="British Nigerian",
        cap=1,
        years=0.7,
    ),
    DemoMentor(
        "Rukhsana Akhtar",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A45_54,
        (
            ("Urdu", Proficiency.FIRST),
            ("Punjabi", Proficiency.FLUENT),
            ("English", Proficiency.FLUENT),
        ),
        ("Birmingham", "Walsall"),
        (THEOLOGY, "family-support"),
        level="accredited",
        faith="Muslim",
        qualification="Alimah course, 2006; Certificate in Islamic Chaplaincy, 2018",
        cap=2,
        years=3.1,
    ),
    DemoMentor(
        "Hawre Karim",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A35_44,
        (
            ("Kurdish", Proficiency.FIRST),
            ("Arabic", Proficiency.FLUENT),
            ("Farsi", Proficiency.CONVERSATIONAL),
            ("English", Proficiency.FLUENT),
        ),
        ("Coventry", "Birmingham"),
        ("online-radicalisation", "hate-crime"),
        level="accredited",
        culture="Kurdish, came to the UK in 2004",
        online=True,
        cap=2,
        years=3.4,
        scenario=DBS_EXPIRED,
    ),
    DemoMentor(
        "Tom Bradley",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A25_34,
        (("English", Proficiency.FIRST),),
        ("Sandwell", "Dudley"),
        ("lived-experience", "gangs-exploitation", "youth-work"),
        level="trainee",
        lived_experience="Served a custodial sentence for violence at 19; now a youth worker.",
        cap=1,
        years=0.9,
    ),
    DemoMentor(
        "Nadia El-Sayed",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A25_34,
        (("Arabic", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Birmingham",),
        ("online-radicalisation", "hate-crime"),
        level="accredited",
        culture="British Egyptian",
        online=True,
        cap=2,
        years=2.3,
        scenario=ACCREDITATION_EXPIRED,
    ),
    DemoMentor(
        "Paul Mensah",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A45_54,
        (("English", Proficiency.FIRST),),
        ("Wolverhampton",),
        ("other-faith", "mental-health"),
        level="accredited",
        faith="Christian (Pentecostal); a church pastor",
        culture="British Ghanaian",
        cap=2,
        years=2.7,
    ),
    DemoMentor(
        "Alex Morgan",
        MentorStatus.ACTIVE,
        NB,
        AgeBand.A25_34,
        (("English", Proficiency.FIRST), ("British Sign Language", Proficiency.CONVERSATIONAL)),
        ("Coventry", "Solihull"),
        ("online-radicalisation", "hate-crime"),
        level="trainee",
        online=True,
        radius=25,
        cap=1,
        years=0.8,
    ),
    DemoMentor(
        "Bilal Hussain",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A18_24,
        (
            ("English", Proficiency.FIRST),
            ("Urdu", Proficiency.CONVERSATIONAL),
            ("Punjabi", Proficiency.CONVERSATIONAL),
        ),
        ("Walsall",),
        ("youth-work", "ete"),
        level="trainee",
        cap=1,
        years=0.6,
        scenario=CODE_NOT_ACCEPTED,
    ),
    DemoMentor(
        "Joanne Hartley",
        MentorStatus.ACTIVE,
        F,
        AgeBand.A55_64,
        (("English", Proficiency.FIRST),),
        ("Dudley", "Wolverhampton"),
        ("family-support", "mental-health"),
        level="senior",
        cap=3,
        years=6.0,
        source=ApplicationSource.COORDINATOR,
    ),
    DemoMentor(
        "Samir Benali",
        MentorStatus.ACTIVE,
        M,
        AgeBand.A35_44,
        (("Arabic", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Birmingham", "Coventry"),
        (THEOLOGY, "online-radicalisation"),
        level="senior",
        faith="Muslim",
        qualification="Licence in Islamic law and theology, 2008",
        online=True,
        cap=2,
        years=4.5,
        scenario=DBS_EXPIRES_IN_52,
    ),
    DemoMentor(
        "Mariam Yusuf",
        MentorStatus.ACTIVE,
        SD,
        AgeBand.A35_44,
        (
            ("Somali", Proficiency.FIRST),
            ("Arabic", Proficiency.CONVERSATIONAL),
            ("English", Proficiency.FLUENT),
        ),
        ("Birmingham", "Sandwell"),
        ("family-support", "youth-work"),
        level="accredited",
        gender_self_description="Woman",
        culture="British Somali",
        cap=2,
        years=1.4,
    ),
    # Paused ------------------------------------------------------------------------------
    DemoMentor(
        "Shabana Iqbal",
        MentorStatus.PAUSED,
        F,
        AgeBand.A45_54,
        (
            ("Urdu", Proficiency.FIRST),
            ("Punjabi", Proficiency.FIRST),
            ("English", Proficiency.FLUENT),
        ),
        ("Sandwell",),
        ("family-support",),
        level="accredited",
        cap=2,
        years=3.0,
        status_reason="Caring for a relative until the spring.",
        scenario=DBS_EXPIRES_IN_35,
    ),
    DemoMentor(
        "Chris Walker",
        MentorStatus.PAUSED,
        M,
        AgeBand.A55_64,
        (("English", Proficiency.FIRST),),
        ("Walsall", "Dudley"),
        ("extreme-right-wing", "hate-crime"),
        level="senior",
        cap=2,
        years=4.8,
        status_reason="A break for health reasons; back in about three months.",
    ),
    DemoMentor(
        "Leyla Demir",
        MentorStatus.PAUSED,
        F,
        AgeBand.A25_34,
        (
            ("Turkish", Proficiency.FIRST),
            ("Kurdish", Proficiency.CONVERSATIONAL),
            ("English", Proficiency.FLUENT),
        ),
        ("Coventry",),
        ("online-radicalisation",),
        level="accredited",
        online=True,
        cap=1,
        years=1.9,
        status_reason="Studying full time this term.",
    ),
    # Suspended ---------------------------------------------------------------------------
    DemoMentor(
        "Wayne Hollis",
        MentorStatus.SUSPENDED,
        M,
        AgeBand.A35_44,
        (("English", Proficiency.FIRST),),
        ("Wolverhampton",),
        ("lived-experience", "gangs-exploitation"),
        level="accredited",
        lived_experience="Former gang member; left at 25 through a church-run programme.",
        cap=2,
        years=2.2,
        status_reason="A boundary concern is being reviewed by the safeguarding lead.",
    ),
    DemoMentor(
        "Adnan Mirza",
        MentorStatus.SUSPENDED,
        M,
        AgeBand.A25_34,
        (("Urdu", Proficiency.FLUENT), ("English", Proficiency.FIRST)),
        ("Birmingham",),
        ("youth-work",),
        level="trainee",
        cap=1,
        years=1.1,
        status_reason="Declared police contact; vetting is being reviewed.",
    ),
    # Left --------------------------------------------------------------------------------
    DemoMentor(
        "Emma Thornton",
        MentorStatus.LEFT,
        F,
        AgeBand.A35_44,
        (("English", Proficiency.FIRST),),
        ("Solihull",),
        ("ete",),
        level="accredited",
        years=3.8,
        status_reason="Moved away from the region.",
    ),
    DemoMentor(
        "Kwame Asante",
        MentorStatus.LEFT,
        M,
        AgeBand.A45_54,
        (("English", Proficiency.FIRST),),
        ("Sandwell",),
        ("youth-work",),
        level="accredited",
        years=4.4,
        status_reason="Took a full-time role with a youth offending service.",
    ),
    DemoMentor(
        "Zainab Ali",
        MentorStatus.LEFT,
        F,
        AgeBand.A18_24,
        (("Arabic", Proficiency.FLUENT), ("English", Proficiency.FIRST)),
        ("Birmingham",),
        ("online-radicalisation",),
        days=75,
        status_reason="Withdrew the application to concentrate on university.",
    ),
    # Training ----------------------------------------------------------------------------
    DemoMentor(
        "Ravinder Singh Gill",
        MentorStatus.TRAINING,
        M,
        AgeBand.A35_44,
        (
            ("Punjabi", Proficiency.FIRST),
            ("Hindi", Proficiency.CONVERSATIONAL),
            ("English", Proficiency.FIRST),
        ),
        ("Wolverhampton",),
        ("other-faith", "youth-work"),
        faith="Sikh",
        modules_done=3,
        days=110,
    ),
    DemoMentor(
        "Hodan Warsame",
        MentorStatus.TRAINING,
        F,
        AgeBand.A25_34,
        (("Somali", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Birmingham",),
        ("family-support",),
        modules_done=2,
        days=95,
    ),
    DemoMentor(
        "Piotr Zielinski",
        MentorStatus.TRAINING,
        M,
        AgeBand.A25_34,
        (("Polish", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Walsall",),
        ("ete", "gangs-exploitation"),
        modules_done=1,
        days=88,
    ),
    DemoMentor(
        "Fatima Zahra Bakri",
        MentorStatus.TRAINING,
        F,
        AgeBand.A45_54,
        (("Arabic", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Coventry",),
        (THEOLOGY, "family-support"),
        faith="Muslim",
        qualification="Ijazah in Quranic recitation; MA Islamic Studies, 2012",
        modules_done=5,
        days=130,
    ),
    DemoMentor(
        "Liam O'Connor",
        MentorStatus.TRAINING,
        M,
        AgeBand.A18_24,
        (("English", Proficiency.FIRST),),
        ("Dudley",),
        ("lived-experience", "online-radicalisation"),
        lived_experience="Drawn into far-right online groups at 16; left with help from a "
        "Channel mentor.",
        online=True,
        days=70,
    ),
    # Vetting -----------------------------------------------------------------------------
    DemoMentor(
        "Saima Rashid",
        MentorStatus.VETTING,
        F,
        AgeBand.A35_44,
        (
            ("Urdu", Proficiency.FIRST),
            ("Punjabi", Proficiency.FLUENT),
            ("English", Proficiency.FLUENT),
        ),
        ("Birmingham",),
        ("family-support",),
        checks_done=2,
        days=40,
    ),
    DemoMentor(
        "Dylan Evans",
        MentorStatus.VETTING,
        M,
        AgeBand.A25_34,
        (("English", Proficiency.FIRST),),
        ("Dudley",),
        ("youth-work",),
        checks_done=4,
        days=58,
        scenario=REFERENCE_FAILED,
    ),
    DemoMentor(
        "Ahmed Farah",
        MentorStatus.VETTING,
        M,
        AgeBand.A35_44,
        (
            ("Somali", Proficiency.FIRST),
            ("Arabic", Proficiency.FLUENT),
            ("English", Proficiency.FLUENT),
        ),
        ("Birmingham",),
        (THEOLOGY, "youth-work"),
        faith="Muslim",
        qualification="Diploma in Islamic Studies, 2015",
        checks_done=3,
        days=52,
    ),
    DemoMentor(
        "Nasrin Hosseini",
        MentorStatus.VETTING,
        F,
        AgeBand.A25_34,
        (("Farsi", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Coventry",),
        ("mental-health",),
        checks_done=1,
        days=33,
    ),
    DemoMentor(
        "Gareth Lewis",
        MentorStatus.VETTING,
        M,
        AgeBand.A55_64,
        (("English", Proficiency.FIRST),),
        ("Walsall",),
        ("hate-crime",),
        checks_done=4,
        days=61,
        source=ApplicationSource.COORDINATOR,
    ),
    # Applicants --------------------------------------------------------------------------
    DemoMentor(
        "Tariq Mahmood",
        MentorStatus.APPLICANT,
        M,
        AgeBand.A25_34,
        (("Urdu", Proficiency.FLUENT), ("English", Proficiency.FIRST)),
        ("Sandwell",),
        ("youth-work",),
        days=12,
    ),
    DemoMentor(
        "Ioana Popescu",
        MentorStatus.APPLICANT,
        F,
        AgeBand.A25_34,
        (("Romanian", Proficiency.FIRST), ("English", Proficiency.FLUENT)),
        ("Coventry",),
        ("ete",),
        online=True,
        days=9,
    ),
    DemoMentor(
        "Jamal Ahmed",
        MentorStatus.APPLICANT,
        M,
        AgeBand.A18_24,
        (("Bengali", Proficiency.FLUENT), ("English", Proficiency.FIRST)),
        ("Birmingham",),
        ("online-radicalisation", "lived-experience"),
        lived_experience="Was referred for support himself at 15 and wants to give something back.",
        days=5,
    ),
    DemoMentor(
        "Heather Cole",
        MentorStatus.APPLICANT,
        F,
        AgeBand.A65,
        (("English", Proficiency.FIRST),),
        ("Solihull",),
        ("family-support",),
        days=3,
        source=ApplicationSource.COORDINATOR,
    ),
    DemoMentor(
        "Mehari Tesfay",
        MentorStatus.APPLICANT,
        M,
        AgeBand.A35_44,
        (
            ("Tigrinya", Proficiency.FIRST),
            ("Arabic", Proficiency.CONVERSATIONAL),
            ("English", Proficiency.FLUENT),
        ),
        ("Birmingham",),
        ("family-support",),
        days=16,
    ),
]

PIPELINE = [
    MentorStatus.APPLICANT,
    MentorStatus.VETTING,
    MentorStatus.TRAINING,
    MentorStatus.ACTIVE,
]


# Ethnic groups (2021 census categories), voluntary: most mentors answered, a few preferred
# not to say and a few have not answered yet. Descriptions for the "any other" groups.
DEMO_ETHNICITY: dict[str, tuple[str, str]] = {
    "Imran Qureshi": ("asian_pakistani", ""),
    "Farhana Begum": ("asian_bangladeshi", ""),
    "Gurpreet Kaur Sandhu": ("asian_indian", ""),
    "Mark Whitehouse": ("white_british", ""),
    "Abdi Hassan": ("black_african", ""),
    "Katarzyna Nowicka": ("white_other", "Polish"),
    "Yusuf Patel": ("asian_indian", ""),
    "Sarah Jennings": ("white_british", ""),
    "Daniel Okonkwo": ("black_african", ""),
    "Rukhsana Akhtar": ("asian_pakistani", ""),
    "Hawre Karim": ("other_any", "Kurdish"),
    "Tom Bradley": ("white_british", ""),
    "Nadia El-Sayed": ("other_arab", ""),
    "Paul Mensah": ("black_african", ""),
    "Alex Morgan": ("not_said", ""),
    "Bilal Hussain": ("asian_pakistani", ""),
    "Joanne Hartley": ("white_british", ""),
    "Samir Benali": ("other_arab", ""),
    "Mariam Yusuf": ("black_african", ""),
    "Shabana Iqbal": ("asian_pakistani", ""),
    "Chris Walker": ("mixed_white_black_caribbean", ""),
    "Leyla Demir": ("white_other", "Turkish"),
    "Wayne Hollis": ("white_british", ""),
    "Adnan Mirza": ("asian_pakistani", ""),
    "Emma Thornton": ("white_british", ""),
    "Kwame Asante": ("black_african", ""),
    "Zainab Ali": ("asian_other", "British Yemeni and Pakistani"),
    "Ravinder Singh Gill": ("asian_indian", ""),
    "Hodan Warsame": ("black_african", ""),
    "Piotr Zielinski": ("white_other", "Polish"),
    "Fatima Zahra Bakri": ("other_arab", ""),
    "Liam O'Connor": ("white_irish", ""),
    "Saima Rashid": ("asian_pakistani", ""),
    "Dylan Evans": ("white_british", ""),
    "Nasrin Hosseini": ("not_said", ""),
    "Gareth Lewis": ("white_british", ""),
    "Tariq Mahmood": ("asian_pakistani", ""),
    "Jamal Ahmed": ("black_caribbean", ""),
    "Mehari Tesfay": ("black_african", ""),
}


def _at(date: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time(hour, 0)))


@dataclass
class _Context:
    today: dt.date
    coordinator: User
    supervisor: User
    mentor_user: User
    check_types: list[VettingCheckType]
    modules: list[TrainingModule]
    levels: dict[str, AccreditationLevel]
    languages: dict[str, Language]
    areas: dict[str, Area]
    specialisms: dict[str, Specialism]
    code: CodeOfConduct | None


def _context() -> _Context:
    users = {u.email: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}
    return _Context(
        today=timezone.localdate(),
        coordinator=users[COORDINATOR_EMAIL],
        supervisor=users[SUPERVISOR_EMAIL],
        mentor_user=users[MENTOR_USER_EMAIL],
        check_types=list(VettingCheckType.objects.filter(is_active=True)),
        modules=list(TrainingModule.objects.filter(is_active=True).order_by("pk")),
        levels={level.code: level for level in AccreditationLevel.objects.all()},
        languages={language.name: language for language in Language.objects.all()},
        areas={area.name: area for area in Area.objects.all()},
        specialisms={s.code: s for s in Specialism.objects.all()},
        code=CodeOfConduct.objects.current(),
    )


def _timeline(spec: DemoMentor, today: dt.date) -> list[tuple[str, dt.date]]:
    """The status each demo mentor went through, with the date of each move."""
    applied = today - dt.timedelta(days=spec.days or round(spec.years * 365))
    if spec.status in (MentorStatus.APPLICANT, MentorStatus.VETTING, MentorStatus.TRAINING) or (
        spec.status == MentorStatus.LEFT and spec.days
    ):
        stages = {MentorStatus.APPLICANT: 0, MentorStatus.VETTING: 10, MentorStatus.TRAINING: 28}
        path = (
            PIPELINE[: PIPELINE.index(spec.status) + 1]
            if spec.status != MentorStatus.LEFT
            else [MentorStatus.APPLICANT]
        )
        moves = [(status, applied + dt.timedelta(days=stages[status])) for status in path]
    else:
        moves = [
            (MentorStatus.APPLICANT, applied),
            (MentorStatus.VETTING, applied + dt.timedelta(days=9)),
            (MentorStatus.TRAINING, applied + dt.timedelta(days=38)),
            (MentorStatus.ACTIVE, applied + dt.timedelta(days=75)),
        ]
    if spec.status in (MentorStatus.PAUSED, MentorStatus.SUSPENDED):
        moves.append((spec.status, today - dt.timedelta(days=21)))
    if spec.status == MentorStatus.LEFT:
        moves.append(
            (MentorStatus.LEFT, today - dt.timedelta(days=spec.days // 3 if spec.days else 120))
        )
    return moves


def _scenario_expiry(scenario: str, today: dt.date) -> dt.date | None:
    return {
        DBS_EXPIRES_IN_18: today + dt.timedelta(days=18),
        DBS_EXPIRES_IN_35: today + dt.timedelta(days=35),
        DBS_EXPIRES_IN_52: today + dt.timedelta(days=52),
        DBS_EXPIRED: today - dt.timedelta(days=9),
    }.get(scenario)


def _create(spec: DemoMentor, ctx: _Context, n: int) -> Mentor:
    today, by = ctx.today, ctx.coordinator
    moves = _timeline(spec, today)
    applied = moves[0][1]
    reached = {status: on for status, on in moves}
    mentor = Mentor.objects.create(
        user=ctx.mentor_user if spec.user_email == MENTOR_USER_EMAIL else None,
        full_name=spec.full_name,
        email=spec.email,
        phone=f"07700 900{n:03d}",
        status=spec.status,
        status_changed_at=_at(moves[-1][1]),
        source=spec.source,
        applied_on=applied,
        motivation="I want to help young people in my community find a different path.",
        experience="Volunteering with local youth and community organisations.",
        gender=spec.gender,
        gender_self_description=spec.gender_self_description,
        age_band=spec.age_band,
        faith_background=spec.faith,
        cultural_background=spec.culture,
        ethnicity=DEMO_ETHNICITY.get(spec.full_name, ("", ""))[0] or None,
        ethnicity_description=DEMO_ETHNICITY.get(spec.full_name, ("", ""))[1] or None,
        has_lived_experience=bool(spec.lived_experience),
        lived_experience=spec.lived_experience,
        travel_radius_km=spec.radius,
        offers_online=spec.online,
        caseload_cap=spec.cap,
        supervisor=ctx.supervisor if spec.supervised else None,
        created_at=_at(applied, 9),
    )
    previous = ""
    for status, on in moves:
        StatusChange.objects.create(
            mentor=mentor,
            from_status=previous,
            to_status=status,
            changed_by=by if previous or spec.source == ApplicationSource.COORDINATOR else None,
            changed_at=_at(on),
            reason=spec.status_reason
            if status == spec.status and status != MentorStatus.ACTIVE
            else "",
        )
        previous = status

    # Profile.
    MentorLanguage.objects.bulk_create(
        MentorLanguage(mentor=mentor, language=ctx.languages[name], proficiency=proficiency)
        for name, proficiency in spec.languages
        if name in ctx.languages
    )
    mentor.areas.add(*(ctx.areas[name] for name in spec.areas if name in ctx.areas))
    MentorSpecialism.objects.bulk_create(
        MentorSpecialism(
            mentor=mentor,
            specialism=ctx.specialisms[code],
            qualification=spec.qualification
            if ctx.specialisms[code].requires_qualification
            else "",
            evidence="Described in the application and checked at interview.",
        )
        for code in spec.specialisms
        if code in ctx.specialisms
    )
    if spec.status not in (MentorStatus.APPLICANT, MentorStatus.VETTING) and not spec.days:
        AvailabilitySlot.objects.bulk_create(
            AvailabilitySlot(mentor=mentor, weekday=day, part=part)
            for day, part in [
                (n % 5, DayPart.EVENING),
                ((n + 2) % 5, DayPart.AFTERNOON),
                (5, DayPart.MORNING),
            ][: 1 + n % 3]
        )

    # Vetting: mentors still in vetting have some checks; everyone past it has them all.
    vetting_from = reached.get(MentorStatus.VETTING)
    if vetting_from is not None:
        past_vetting = MentorStatus.TRAINING in reached
        types = ctx.check_types if past_vetting else ctx.check_types[: spec.checks_done]
        for i, check_type in enumerate(types):
            optional_wanted = spec.level == "senior" or THEOLOGY in spec.specialisms
            if not check_type.required and not optional_wanted:
                continue  # the scheme asks for security vetting of senior and theology mentors
            _check(mentor, check_type, spec, ctx, vetting_from + dt.timedelta(days=3 + 2 * i))

    # Training.
    training_from = reached.get(MentorStatus.TRAINING)
    if training_from is not None:
        modules = (
            ctx.modules if MentorStatus.ACTIVE in reached else ctx.modules[: spec.modules_done]
        )
        TrainingCompletion.objects.bulk_create(
            TrainingCompletion(
                mentor=mentor,
                module=module,
                completed_on=min(training_from + dt.timedelta(days=4 + 5 * i), today),
                cpd_hours=module.cpd_hours,
                recorded_by=by,
                recorded_at=_at(min(training_from + dt.timedelta(days=4 + 5 * i), today), 16),
            )
            for i, module in enumerate(modules)
        )

    # Accreditation, quality assurance and the code of conduct.
    if spec.level and MentorStatus.ACTIVE in reached:
        _accredit(mentor, spec, ctx, reached[MentorStatus.ACTIVE])
    if ctx.code is not None and training_from is not None and spec.scenario != CODE_NOT_ACCEPTED:
        CodeAcceptance.objects.create(
            mentor=mentor,
            code=ctx.code,
            accepted_at=_at(max(training_from, ctx.code.published_at.date())),
        )
    return mentor


def _check(mentor, check_type, spec: DemoMentor, ctx: _Context, checked_on: dt.date) -> None:
    checked_on = min(ctx.today, checked_on)
    outcome, reason = CheckOutcome.PASSED, ""
    if spec.scenario == REFERENCE_FAILED and check_type.code == "reference-2":
        outcome = CheckOutcome.FAILED
        reason = "The referee described repeated breaches of boundaries with young people."
    elif (
        spec.status == MentorStatus.VETTING
        and check_type.code == "enhanced-dbs"
        and spec.checks_done < 3
    ):
        outcome = CheckOutcome.PENDING
    expires_on = None
    if outcome == CheckOutcome.PASSED and check_type.validity_days:
        expires_on = checked_on + dt.timedelta(days=check_type.validity_days)
        special = _scenario_expiry(spec.scenario, ctx.today)
        if special is not None and check_type.code == "enhanced-dbs":
            expires_on = special
            checked_on = special - dt.timedelta(days=check_type.validity_days)
        elif expires_on <= ctx.today + dt.timedelta(days=60):
            # A long-serving mentor renewed it: the record shows the latest renewal.
            checked_on = ctx.today - dt.timedelta(days=200 + 7 * len(mentor.full_name))
            expires_on = checked_on + dt.timedelta(days=check_type.validity_days)
    verifier = {
        "identity": "Amara Okafor (passport seen)",
        "enhanced-dbs": "Disclosure and Barring Service",
        "reference-1": "Written reference",
        "reference-2": "Written reference",
        "interview": "Interview panel",
        "security-vetting": "Scheme vetting officer",
    }.get(check_type.code, "Scheme vetting officer")
    VettingCheck.objects.create(
        mentor=mentor,
        check_type=check_type,
        outcome=outcome,
        checked_on=checked_on,
        expires_on=expires_on,
        verifier=verifier,
        reference_number=f"DEMO-{check_type.code[:3].upper()}-{mentor.pk:04d}",
        failure_reason=reason,
        recorded_by=ctx.coordinator,
        recorded_at=_at(checked_on, 15),
    )


def _accredit(mentor, spec: DemoMentor, ctx: _Context, active_from: dt.date) -> None:
    today, by = ctx.today, ctx.coordinator
    level = ctx.levels.get(spec.level)
    if level is None:
        return
    # The latest award: renewed at each expiry since the mentor became active, or a little
    # early when the expiry is near (only the scenarios below are meant to be expiring).
    validity = relativedelta(months=level.validity_months)
    awarded_on = active_from
    while (expiry := awarded_on + validity) <= today + dt.timedelta(days=60):
        awarded_on = min(expiry, today - dt.timedelta(days=25 + len(spec.full_name)))
    if spec.level == "senior" and "accredited" in ctx.levels and awarded_on > active_from:
        earlier = ctx.levels["accredited"]
        Accreditation.objects.create(
            mentor=mentor,
            level=earlier,
            awarded_on=active_from,
            expires_on=active_from + relativedelta(months=earlier.validity_months),
            awarded_by=by,
            note="First accreditation.",
        )
    expires_on = awarded_on + validity
    if spec.scenario == ACCREDITATION_EXPIRES_IN_44:
        expires_on = today + dt.timedelta(days=44)
        awarded_on = expires_on - validity
    elif spec.scenario == ACCREDITATION_EXPIRED:
        expires_on = today - dt.timedelta(days=6)
        awarded_on = expires_on - validity
    if spec.status == MentorStatus.LEFT:
        expires_on = min(expires_on, today - dt.timedelta(days=30))
        awarded_on = min(awarded_on, expires_on - validity)
    Accreditation.objects.create(
        mentor=mentor,
        level=level,
        awarded_on=awarded_on,
        expires_on=expires_on,
        awarded_by=by,
        note="" if spec.level != "senior" else "Leads peer learning sessions.",
    )
    if level.requires_observed_practice or spec.level == "senior":
        ObservedPractice.objects.create(
            mentor=mentor,
            observed_on=awarded_on - dt.timedelta(days=12),
            observer="Helen Price (supervisor)",
            rating=ObservationRating.OUTSTANDING
            if spec.level == "senior"
            else ObservationRating.GOOD,
            notes="Built rapport quickly; clear about confidentiality and its limits.",
            recorded_by=by,
            recorded_at=_at(awarded_on - dt.timedelta(days=12), 17),
        )
    if spec.status == MentorStatus.ACTIVE and len(spec.full_name) % 2 == 0:
        FeedbackRecord.objects.create(
            mentor=mentor,
            received_on=today - dt.timedelta(days=14 + len(spec.full_name)),
            source=FeedbackSource.REFERRER if len(spec.full_name) % 4 else FeedbackSource.CLIENT,
            positive=True,
            summary="Reliable, well prepared and good at keeping the young person engaged.",
            recorded_by=by,
            recorded_at=_at(today - dt.timedelta(days=14 + len(spec.full_name)), 12),
        )


@transaction.atomic
def ensure_demo_mentors() -> int:
    """Create the demo mentors that do not exist yet; return how many were created."""
    ensure_demo_users()  # idempotent: the mentors need the coordinator, supervisor and mentor
    ctx = _context()
    existing = {e.lower() for e in Mentor.objects.values_list("email", flat=True)}
    mentor_user_has_record = Mentor.objects.filter(user=ctx.mentor_user).exists()
    created = 0
    for n, spec in enumerate(DEMO_MENTORS, start=1):
        if spec.email.lower() in existing:
            continue
        if spec.user_email == MENTOR_USER_EMAIL and mentor_user_has_record:
            continue
        _create(spec, ctx, n)
        created += 1
    return created
