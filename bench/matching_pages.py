"""Benchmark: the matching pages end to end at 50 mentors (baseline), 2,000 and 5,000.

    uv run python bench/matching_pages.py                    # a fresh temporary SQLite file
    uv run python bench/matching_pages.py --sizes 2000       # 50 and 2,000 only (quicker)
    uv run python bench/matching_pages.py --profile          # cProfile the slow pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem uv run python bench/matching_pages.py

Creates a throwaway database as bench/mentor_pool.py does, migrates it, creates 30 cases
waiting for a match with varied needs and a pool of matchable mentors with full
profiles (languages, areas, specialisms, availability, passed checks, a current
accreditation, the code of conduct accepted, some places taken by live matches), then
measures the case suggestions page, what it is made of (the pool as arrays, the case as
arrays, scoring, the explained suggestions), a batch proposal for every waiting case,
the batch review page and the pool gaps page. The pool then grows and everything is
measured again. Prints the median time and query count of each measurement and the
ratio to the 50-mentor baseline. Not a test: nothing here fails a build. See
bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

BASELINE = 50
SIZES = "2000,5000"
WAITING = 30
SLOW_PAGE_MS = 500  # a page slower than this at the large sizes is profiled with --profile

ACTIVE_SHARE = 0.9  # the others are applicants, in training or paused: outside the pool
# Active mentors who fail one rule of matchability (and so count as "unavailable").
EXPIRED_CHECK, EXPIRED_ACCREDITATION, NO_CODE = 0.03, 0.03, 0.02
WITH_CASES = 0.2  # active mentors holding live matches (some of them at capacity)
LEVEL_WEIGHTS = {"trainee": 35, "accredited": 45, "senior": 20}
MINORITY = {  # share of mentors speaking each language besides English
    "Urdu": 0.12, "Punjabi": 0.10, "Arabic": 0.06, "Bengali": 0.05, "Somali": 0.03,
    "Polish": 0.03, "Kurdish": 0.02, "Farsi": 0.02, "Gujarati": 0.02, "Hindi": 0.02,
    "Pashto": 0.01, "Turkish": 0.01, "Romanian": 0.01, "British Sign Language": 0.005,
}  # fmt: skip
SPECIALISM_SHARE = {  # share of mentors claiming each specialism; theology is scarce
    "islamic-theology": 0.06, "other-faith": 0.04, "youth-work": 0.35, "mental-health": 0.15,
    "online-radicalisation": 0.25, "extreme-right-wing": 0.12, "family-support": 0.15,
    "gangs-exploitation": 0.10, "hate-crime": 0.10, "ete": 0.12, "lived-experience": 0.08,
}  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Imran", "Farhana", "Gurpreet", "Mark", "Abdi", "Katarzyna", "Yusuf", "Sarah",
    "Daniel", "Rukhsana", "Hawre", "Tom", "Nadia", "Paul", "Alex", "Bilal", "Joanne", "Samir",
]  # fmt: skip
LAST_NAMES = [
    "Qureshi", "Begum", "Sandhu", "Whitehouse", "Hassan", "Nowicka", "Patel", "Jennings",
    "Okonkwo", "Akhtar", "Karim", "Bradley", "El-Sayed", "Mensah", "Morgan", "Hussain",
]  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    parser.add_argument(
        "--sizes", default=SIZES, help=f"pool sizes after the baseline (default {SIZES})"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"profile (cProfile) each page slower than {SLOW_PAGE_MS} ms at the large sizes",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    # Keep every unwrapped data key for the whole run (setup speed only).
    settings.TANDEM_DATA_KEY_CACHE_SIZE = 10 * max([*sizes, BASELINE])
    settings.TANDEM_DATA_KEY_CACHE_SECONDS = 3600
    if connection.vendor != "sqlite":
        # A name of its own, so the benchmark never replaces a test run's test_<name>.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"tandem_bench_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args, sizes)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(args, sizes: list[int]) -> None:
    from django.db import connection

    started = time.perf_counter()
    print(
        f"Matching pages benchmark on {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{WAITING} cases waiting for a match; {args.runs} timed runs per measurement after a "
        "warm-up run and a counted run; times are medians."
    )
    print("Load average at the start: {:.2f} {:.2f} {:.2f}\n".format(*os.getloadavg()))
    data = Data()
    data.add_waiting_cases(WAITING)
    measurements = Measurements(args.runs, data)

    results = {}
    for size in [BASELINE, *sizes]:
        grown = time.perf_counter()
        data.grow_to(size)
        print(
            f"{size:,} mentors ({data.active:,} active, {data.live:,} live matches), created "
            f"in {time.perf_counter() - grown:.0f} s; measuring..."
        )
        results[size] = measurements.measure_all()
        if args.profile and size != BASELINE:
            measurements.profile_slow(results[size], size)
    print()
    report(results)
    print(
        f"\nWhole run: {time.perf_counter() - started:.0f} s; load average at the end: "
        "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )


class Data:
    """Matchable mentors with full profiles, and waiting cases, created in bulk."""

    def __init__(self):
        from django.utils import timezone

        from tandem.catalogues.models import ConcernType
        from tandem.mentors import models as m

        self.m = m
        self.rng = random.Random(2026)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.count = self.active = self.live = 0
        self.coordinator = self._user("bench.coordinator@example.org", "coordinator")
        self.referrer = self._user("bench.referrer@example.org", "referrer")
        self.check_types = list(m.VettingCheckType.objects.filter(is_active=True))
        self.levels = {level.code: level for level in m.AccreditationLevel.objects.all()}
        self.languages = {lang.name: lang for lang in m.Language.objects.all()}
        self.areas = list(m.Area.objects.order_by("pk"))
        self.specialisms = {s.code: s for s in m.Specialism.objects.all()}
        self.faiths = list(m.Faith.objects.all())
        self.concern_types = list(ConcernType.objects.filter(is_active=True))
        self.code = m.CodeOfConduct.objects.latest()
        self.waiting = []  # the waiting cases, the first one a typical case

    def _user(self, email, role):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tandem.accounts.models import RoleGrant, User

        user = User.objects.create_user(email=email, password="bench-only", full_name="Bench")
        RoleGrant.objects.create(user=user, role=role)
        TOTPDevice.objects.create(user=user, name="App", confirmed=True)
        return user

    def signed_in_client(self):
        """A coordinator signed in with a verified second factor (as conftest.sign_in does)."""
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        client = Client()
        client.force_login(self.coordinator)
        session = client.session
        device = TOTPDevice.objects.get(user=self.coordinator)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    # Cases -----------------------------------------------------------------------------

    def _cases(self, needs: list[dict], status: str):
        """Cases in ``status`` with the given fields, references allocated in one block."""
        from tandem.cases.models import Case, ReferenceCounter
        from tandem.catalogues.models import ReferralSource
        from tandem.matching.models import CaseNeeds

        sources = list(ReferralSource.objects.all())

        counter, _ = ReferenceCounter.objects.get_or_create(year=self.today.year)
        first = counter.last + 1
        counter.last += len(needs)
        counter.save(update_fields=["last"])
        rng, today = self.rng, self.today
        cases = []
        for n, fields in enumerate(needs):
            fields = dict(fields)
            languages = fields.pop("languages", ["English"])
            matching = {
                name: fields.pop(name)
                for name in ("requested_faith", "required_specialism", "availability")
                if name in fields
            }
            fields.setdefault("concern_type", rng.choice(self.concern_types))
            fields.setdefault("gender", rng.choice(["male"] * 4 + ["female"]))
            fields.setdefault("status", status)
            age = rng.randint(14, 40)
            case = Case(
                reference=f"T-{today.year}-{first + n:04d}",
                referred_by=self.referrer,
                status_changed_at=self.now - dt.timedelta(days=rng.randint(1, 120)),
                first_name=f"Client{first + n}",
                last_name=rng.choice(LAST_NAMES),
                date_of_birth=(
                    today - dt.timedelta(days=365 * age + rng.randint(0, 300))
                ).isoformat(),
                age_at_referral=age,
                reason="Sharing extremist material online; teachers worried.",
                referral_source=rng.choice(sources),
                referrer_organisation="Example Academy",
                **fields,
            )
            case.bench_languages = languages
            case.bench_needs = matching
            cases.append(case)
        make_keys(cases)
        Case.objects.bulk_create(cases, batch_size=500)
        through = Case.languages.through
        through.objects.bulk_create(
            [
                through(case=case, language=self.languages[name])
                for case in cases
                for name in case.bench_languages
            ],
            batch_size=500,
        )
        CaseNeeds.objects.bulk_create(
            [CaseNeeds(case=case, **case.bench_needs) for case in cases if case.bench_needs],
            batch_size=500,
        )
        return cases

    def add_waiting_cases(self, n: int) -> None:
        """Cases awaiting a match with varied needs (as matching.tests.factories.waiting_case
        makes them, in bulk): most can be mentored in English, some only in a minority
        language; some need a female or a male mentor, a theologian, a senior mentor."""
        from tandem.cases.models import CaseStatus, MentorGenderPreference, Urgency

        rng, areas = self.rng, {area.name: area for area in self.areas}
        needs = [  # the first is the one whose suggestions page is measured: a typical case
            {"area": areas["Birmingham"], "languages": ["English"], "availability": 0b111}
        ]
        minority = ["Urdu", "Punjabi", "Arabic", "Somali", "Bengali", "Kurdish", "Tigrinya"]
        while len(needs) < n:
            roll = rng.random()
            if roll < 0.65:
                languages = ["English"]
            elif roll < 0.85:
                languages = ["English", rng.choice(minority)]
            else:
                languages = [rng.choice(minority)]
            needs.append(
                {
                    "languages": languages,
                    "area": rng.choice(self.areas) if rng.random() < 0.95 else None,
                    "mentor_gender_preference": rng.choice(
                        [MentorGenderPreference.ANY] * 7
                        + [MentorGenderPreference.MALE] * 2
                        + [MentorGenderPreference.FEMALE]
                    ),
                    "urgency": rng.choice(
                        [Urgency.ROUTINE] * 7 + [Urgency.PRIORITY] * 2 + [Urgency.URGENT]
                    ),
                    "required_specialism": (
                        self.specialisms["islamic-theology"] if rng.random() < 0.1 else None
                    ),
                    "requested_faith": rng.choice(self.faiths) if rng.random() < 0.1 else None,
                    "preferred_language": (
                        self.languages[languages[-1]] if len(languages) > 1 else None
                    ),
                    "accepts_online": rng.random() < 0.3,
                    "availability": rng.getrandbits(21) if rng.random() < 0.7 else 0,
                }
            )
        self.waiting = self._cases(needs, CaseStatus.AWAITING_MATCH)

    # Mentors ---------------------------------------------------------------------------

    def grow_to(self, total: int) -> None:
        self._create(total - self.count)
        self.count = total

    def _create(self, n: int) -> None:
        m, rng, today, by = self.m, self.rng, self.today, self.coordinator
        active = [rng.random() < ACTIVE_SHARE for _ in range(n)]
        mentors = [
            m.Mentor(
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                email=f"bench{self.count + i}@mentors.example.org",
                status=(
                    m.MentorStatus.ACTIVE
                    if is_active
                    else rng.choice(
                        [m.MentorStatus.APPLICANT, m.MentorStatus.TRAINING, m.MentorStatus.PAUSED]
                    )
                ),
                source=m.ApplicationSource.PUBLIC,
                applied_on=today - dt.timedelta(days=rng.randint(100, 2000)),
                gender=rng.choice([m.Gender.FEMALE, m.Gender.MALE] * 9 + [m.Gender.NOT_SAID]),
                age_band=rng.choice(m.AgeBand.values),
                faith=rng.choice(self.faiths) if rng.random() < 0.5 else None,
                has_lived_experience=rng.random() < 0.15,
                offers_online=rng.random() < 0.3,
                travel_radius_km=rng.choice([5, 10, 15, 25]),
                caseload_cap=rng.randint(1, 3),
            )
            for i, is_active in enumerate(active)
        ]
        make_keys(mentors)
        m.Mentor.objects.bulk_create(mentors, batch_size=500)

        languages, areas, specialisms, slots = [], [], [], []
        checks, accreditations, acceptances, holding = [], [], [], []
        through = m.Mentor.areas.through
        for mentor in mentors:
            if rng.random() < 0.97:
                languages.append(
                    m.MentorLanguage(
                        mentor=mentor,
                        language=self.languages["English"],
                        proficiency=rng.choice([m.Proficiency.FIRST, m.Proficiency.FLUENT]),
                    )
                )
            for name, share in MINORITY.items():
                if rng.random() < share:
                    languages.append(
                        m.MentorLanguage(
                            mentor=mentor,
                            language=self.languages[name],
                            proficiency=rng.choice(m.Proficiency.values),
                        )
                    )
            for area in rng.sample(self.areas, rng.choice([1, 1, 2, 3])):
                areas.append(through(mentor=mentor, area=area))
            for code, share in SPECIALISM_SHARE.items():
                if rng.random() < share:
                    specialism = self.specialisms[code]
                    specialisms.append(
                        m.MentorSpecialism(
                            mentor=mentor,
                            specialism=specialism,
                            qualification="MA" if specialism.requires_qualification else "",
                        )
                    )
            for slot in rng.sample(range(21), rng.randint(2, 6)):
                slots.append(
                    m.AvailabilitySlot(
                        mentor=mentor, weekday=slot // 3, part=m.DayPart.values[slot % 3]
                    )
                )
            if mentor.status != m.MentorStatus.ACTIVE:
                continue
            self.active += 1
            roll = rng.random()
            expired_check = roll < EXPIRED_CHECK
            expired_accreditation = EXPIRED_CHECK <= roll < EXPIRED_CHECK + EXPIRED_ACCREDITATION
            no_code = (
                EXPIRED_CHECK + EXPIRED_ACCREDITATION
                <= roll
                < EXPIRED_CHECK + EXPIRED_ACCREDITATION + NO_CODE
            )
            for check_type in self.check_types:
                checked_on = today - dt.timedelta(days=rng.randint(30, 600))
                expires_on = None
                if check_type.validity_days:
                    if expired_check and check_type.code == "enhanced-dbs":
                        checked_on = today - dt.timedelta(days=check_type.validity_days + 20)
                    expires_on = checked_on + dt.timedelta(days=check_type.validity_days)
                checks.append(
                    m.VettingCheck(
                        mentor=mentor,
                        check_type=check_type,
                        outcome=m.CheckOutcome.PASSED,
                        checked_on=checked_on,
                        expires_on=expires_on,
                        verifier="Vetting officer",
                        reference_number=f"REF-{mentor.pk}-{check_type.pk}",
                        recorded_by=by,
                    )
                )
            level = self.levels[
                rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
            ]
            days = 30 * level.validity_months
            awarded_on = today - dt.timedelta(
                days=days + 20 if expired_accreditation else rng.randint(10, days - 10)
            )
            accreditations.append(
                m.Accreditation(
                    mentor=mentor,
                    level=level,
                    awarded_on=awarded_on,
                    expires_on=awarded_on + dt.timedelta(days=days),
                    awarded_by=by,
                )
            )
            if not no_code:
                acceptances.append(m.CodeAcceptance(mentor=mentor, code=self.code))
            if rng.random() < WITH_CASES:
                holding += [mentor] * rng.randint(1, mentor.caseload_cap)
        for model, rows in [
            (m.MentorLanguage, languages),
            (through, areas),
            (m.MentorSpecialism, specialisms),
            (m.AvailabilitySlot, slots),
            (m.VettingCheck, checks),
            (m.Accreditation, accreditations),
            (m.CodeAcceptance, acceptances),
        ]:
            model.objects.bulk_create(rows, batch_size=500)
        self._live_matches(holding)

    def _live_matches(self, mentors) -> None:
        """One case in support (or matched, the mentor having accepted) per place taken."""
        from tandem.cases.models import CaseStatus
        from tandem.matching.models import Match, MatchStatus

        if not mentors:
            return
        in_support = [self.rng.random() < 0.8 for _ in mentors]
        cases = self._cases(
            [
                {"status": CaseStatus.ACTIVE if active else CaseStatus.MATCHED}
                for active in in_support
            ],
            CaseStatus.ACTIVE,
        )
        Match.objects.bulk_create(
            [
                Match(
                    case=case,
                    mentor=mentor,
                    status=MatchStatus.ACTIVE if active else MatchStatus.ACCEPTED,
                    score=self.rng.randint(300, 900),
                    proposed_by=self.coordinator,
                    first_meeting_at=self.now - dt.timedelta(days=7) if active else None,
                )
                for case, mentor, active in zip(cases, mentors, in_support, strict=True)
            ],
            batch_size=500,
        )
        self.live += len(mentors)


def make_keys(records) -> None:
    """Create the records' data keys and keep them unwrapped, before a bulk insert.

    A key created inside a transaction is kept out of the cache until it commits, so
    inserting rows in bulk with new keys (bulk_create is one transaction) would read
    each key back once per encrypted field. Made and committed beforehand, then loaded
    together, every encrypted value of the bulk insert finds its key in the cache."""
    from django.db import transaction

    from tandem.core.encryption.datakeys import key_for_encryption, preload

    subjects = [tuple(record.encryption_subject()) for record in records]
    with transaction.atomic():
        for subject in subjects:
            key_for_encryption(subject)
    for start in range(0, len(subjects), 500):
        preload(subjects[start : start + 500])


class Measurements:
    def __init__(self, runs: int, data: Data):
        self.runs = runs
        self.data = data
        self.client = data.signed_in_client()

    def time(self, action, after=None, before=None) -> tuple[float, int, object, float]:
        """Median wall-clock ms, query count, the last result of ``action`` and the 95th
        percentile ms; ``before`` (untimed) sets each run up (``poolcache.forget`` for a
        cold read of the pool) and ``after`` (untimed) undoes what an action changed, so
        every run starts from the same state."""
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        def once():
            if before is not None:
                before()
            started = time.perf_counter()
            result = action()
            elapsed = (time.perf_counter() - started) * 1000
            if after is not None:
                after(result)
            return elapsed, result

        once()  # warm-up: caches, compiled templates
        gc.collect()  # garbage left by the data setup or an earlier measurement is not this one's
        reset_queries()
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            result = action()
        queries = len(captured)
        if after is not None:
            after(result)
        samples = []
        for _ in range(self.runs):
            elapsed, result = once()
            samples.append(elapsed)
        return statistics.median(samples), queries, result, p95(samples)

    def actions(self) -> list[tuple[str, object, object, object, object]]:
        """(name, action, after, note, before) for every measurement, at the pool's
        current size. "kept" measurements read the pool kept between requests
        (``poolcache.cached_pool``), "read" ones read it afresh each run."""
        from django.urls import reverse

        from tandem.matching import poolcache, scoring, services
        from tandem.matching.features import cases_for_matching, load_cases, load_pool, weights_of
        from tandem.matching.gaps import pool_gaps
        from tandem.matching.models import MatchingPolicy
        from tandem.matching.views.cases import SHOWN, suggestions_for

        client, actor = self.client, self.data.coordinator
        typical = self.data.waiting[0]
        case = cases_for_matching(type(typical).objects.filter(pk=typical.pk)).get()
        policy = MatchingPolicy.load()
        pool = load_pool()
        waiting = load_cases([case], pool, policy)
        weights = weights_of(policy)
        batch = services.batch_create(actor=actor)  # a draft to review, kept for the page

        def page(url):
            def action():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            return action

        def discard(created):
            services.batch_discard(actor=actor, batch=created)

        def suggestions_note(response):
            found = response.context["suggestions"]
            allowed, pool_size = found["allowed"], found["pool_size"]
            return f"{allowed:,} of {pool_size:,} allowed, {len(found['rows'])} shown"

        def batch_note(created):
            return f"{created.optimal_matched} of {created.cases_waiting} cases matched"

        def gaps_note(response):
            report = response.context["report"]
            return f"{report.gaps} of {report.waiting} cases in {len(report.profiles)} gap profiles"

        cold = poolcache.forget
        suggestions = page(reverse("matching:suggestions", args=[case.pk]))
        gaps = page(reverse("matching:gaps"))
        return [
            ("trivial page", page(reverse("core:accessibility")), None, None, None),
            ("suggestions page, pool kept", suggestions, None, suggestions_note, None),
            ("suggestions page, pool read", suggestions, None, suggestions_note, cold),
            ("  load_pool()", load_pool, None, lambda p: f"{len(p.pks):,} active mentors", None),
            ("  cached_pool(), kept", poolcache.cached_pool, None, None, None),
            ("  load_cases(one case)", lambda: load_cases([case], pool, policy), None, None, None),
            (
                "  scoring.suggest(top 5)",
                lambda: scoring.suggest(waiting.arrays, pool.arrays, weights, 0, k=SHOWN),
                None,
                lambda s: f"{s.allowed:,} allowed",
                None,
            ),
            ("  suggestions_for(case), kept", lambda: suggestions_for(case), None, None, None),
            (
                "services.batch_create",
                lambda: services.batch_create(actor=actor),
                discard,
                batch_note,
                None,
            ),
            (
                "batch review page",
                page(reverse("matching:batch_detail", args=[batch.pk])),
                None,
                None,
                None,
            ),
            ("pool gaps page, pool kept", gaps, None, gaps_note, None),
            ("pool gaps page, pool read", gaps, None, gaps_note, cold),
            ("  pool_gaps(), kept", pool_gaps, None, None, None),
        ]

    def measure_all(self) -> dict[str, tuple[float, int, str, float]]:
        results = {}
        for name, action, after, note, before in self.actions():
            median, queries, result, high = self.time(action, after, before)
            results[name] = (median, queries, note(result) if note else "", high)
        return results

    def profile_slow(self, results, size: int) -> None:
        """Where the time goes in each page slower than SLOW_PAGE_MS."""
        for name, action, _, _, before in self.actions():
            if "page" not in name or results[name][0] <= SLOW_PAGE_MS:
                continue
            if before is not None:
                before()
            profiler = cProfile.Profile()
            profiler.runcall(action)
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(str(ROOT / "tandem"), 20)
            stats.sort_stats("tottime").print_stats(10)
            print(f"\n--- cProfile: {name} at {size:,} mentors ---")
            print(out.getvalue())


def p95(samples: list[float]) -> float:
    """The 95th percentile of ``samples`` (their maximum when there are fewer than 20)."""
    if len(samples) < 20:
        return max(samples)
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def report(results: dict[int, dict[str, tuple[float, int, str, float]]]) -> None:
    sizes = list(results)
    base, larger = results[sizes[0]], sizes[1:]
    width = 30
    header = f"{'measurement':{width}} {sizes[0]:>7,} mentors   "
    header += "".join(f"{size:>7,} mentors, ratio to {sizes[0]}   " for size in larger)
    print(header)
    sub = f"{'':{width}} {'median':>9} {'queries':>7}   "
    sub += "".join(f"{'median':>9} {'queries':>7} {'time':>6}  {'queries':>9}   " for _ in larger)
    print(sub)
    print("-" * len(sub))
    constant = True
    for name, (ms_base, q_base, *_) in base.items():
        line = f"{name:{width}} {ms_base:>7.1f}ms {q_base:>7}   "
        for size in larger:
            ms, queries, *_ = results[size][name]
            same = queries == q_base
            constant &= same
            line += (
                f"{ms:>7.1f}ms {queries:>7} {ms / ms_base:>5.1f}x  "
                f"{'same' if same else 'DIFFERENT':>9}   "
            )
        print(line.rstrip())
    print()
    print("What each measurement found:")
    for size in sizes:
        notes = "; ".join(
            f"{name.strip()}: {note}" for name, (_, _, note, _) in results[size].items() if note
        )
        print(f"  {size:>5,} mentors: {notes}")
    print()
    trivial = "trivial page"
    for size in sizes:
        print(f"Pages at {size:,} mentors: median and 95th percentile, ratio to the trivial page")
        for name, (ms, queries, _, high) in results[size].items():
            if "page" not in name:
                continue
            print(
                f"  {name:{width}} {ms:>7.1f}ms p95 {high:>7.1f}ms  "
                f"{ms / results[size][trivial][0]:>5.1f}x  {queries:>3} queries"
            )
    print()
    print(f"Query counts identical at every size: {'yes' if constant else 'NO'}")
    for size in larger:
        slow = [
            f"{name} ({results[size][name][0]:.0f} ms)"
            for name in base
            if "page" in name and results[size][name][0] > SLOW_PAGE_MS
        ]
        print(
            f"Pages over {SLOW_PAGE_MS} ms at {size:,} mentors: "
            + (", ".join(slow) if slow else "none")
        )


if __name__ == "__main__":
    main()
