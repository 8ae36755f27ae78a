"""Benchmark: the mentor pool at 50 mentors (baseline) and at 2,000, in one run.

    uv run python bench/mentor_pool.py                 # a fresh temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem uv run python bench/mentor_pool.py
                                                       # a fresh tandem_bench_<pid> database there

Creates a throwaway database (Django's test-database machinery: a temporary file on
SQLite, ``tandem_bench_<pid>`` on PostgreSQL, dropped at the end), migrates it, creates 50
mentors with realistic related rows, measures, grows the pool to 2,000 and measures
again. Prints the median time over several runs and the query count of each
measurement, and the ratio 2,000/50 for both. Not a test: nothing here fails a build.
See bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

BASELINE = 50
# The latest-check-per-type lookups of annotate_matchable filter vetting checks on mentor and
# check type. Without statistics (no ANALYZE) SQLite may choose the check-type index, which
# grows with the pool; this composite index makes the lookup one index probe.
PROPOSED_INDEX = (
    "CREATE INDEX bench_check_latest ON mentors_vettingcheck "
    "(mentor_id, check_type_id, checked_on, id)"
)
SLOW_MS = 1000  # a measurement slower than this is timed 3 times, not --runs times
TARGET = 2_000
TARGET_MS = 300

STATUS_WEIGHTS = {
    "applicant": 8,
    "vetting": 8,
    "training": 8,
    "active": 60,
    "paused": 6,
    "suspended": 4,
    "left": 6,
}
FIRST_NAMES = [
    "Aisha", "Imran", "Farhana", "Gurpreet", "Mark", "Abdi", "Katarzyna", "Yusuf", "Sarah",
    "Daniel", "Rukhsana", "Hawre", "Tom", "Nadia", "Paul", "Alex", "Bilal", "Joanne", "Samir",
    "Mariam", "Shabana", "Chris", "Leyla", "Wayne", "Emma", "Kwame", "Zainab", "Ravinder",
    "Hodan", "Piotr", "Fatima", "Liam", "Saima", "Dylan", "Ahmed", "Nasrin", "Gareth", "Tariq",
]  # fmt: skip
LAST_NAMES = [
    "Qureshi", "Begum", "Sandhu", "Whitehouse", "Hassan", "Nowicka", "Patel", "Jennings",
    "Okonkwo", "Akhtar", "Karim", "Bradley", "El-Sayed", "Mensah", "Morgan", "Hussain",
    "Hartley", "Benali", "Yusuf", "Iqbal", "Walker", "Demir", "Hollis", "Thornton", "Asante",
    "Ali", "Gill", "Warsame", "Zielinski", "Bakri", "O'Connor", "Rashid", "Evans", "Farah",
]  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement")
    parser.add_argument("--mentors", type=int, default=TARGET, help="the large pool's size")
    parser.add_argument(
        "--proposed-index",
        action="store_true",
        help="add an index on vetting checks (mentor, check type, date checked) to the "
        "throwaway database first, to measure its effect (see bench/README.md)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    # Unwrapped data keys: keep every mentor's key for the whole run (setup speed only;
    # the pages read no encrypted field).
    settings.TANDEM_DATA_KEY_CACHE_SIZE = 10 * args.mentors
    settings.TANDEM_DATA_KEY_CACHE_SECONDS = 3600
    if connection.vendor != "sqlite":
        # A name of its own, so the benchmark never replaces a test run's test_<name>.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"tandem_bench_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(args) -> None:
    from django.db import connection

    vendor = connection.vendor
    where = connection.settings_dict["NAME"]
    print(f"Mentor pool benchmark on {vendor} ({where}), {os.cpu_count()} CPUs")
    print(
        f"{args.runs} timed runs per measurement (3 when one takes over {SLOW_MS} ms) after "
        "a warm-up run and a counted run; times are medians.\n"
    )

    if args.proposed_index:
        with connection.cursor() as cursor:
            cursor.execute(PROPOSED_INDEX)
        print(f"With the proposed index: {PROPOSED_INDEX}\n")

    data = Data()
    client, queries = data.signed_in_client(), Measurements(args.runs)

    data.grow_to(BASELINE)
    small = queries.measure_all(client, data)
    started = time.perf_counter()
    data.grow_to(args.mentors)
    print(
        f"(created {args.mentors - BASELINE} more mentors in "
        f"{time.perf_counter() - started:.0f} s)\n"
    )
    large = queries.measure_all(client, data)
    report(small, large, BASELINE, args.mentors)


class Data:
    """Creates mentors with realistic related rows in bulk."""

    def __init__(self):
        from django.utils import timezone

        from tandem.mentors import models as m

        self.m = m
        self.rng = random.Random(2026)
        self.today = timezone.localdate()
        self.count = 0
        self.coordinator = self._user("bench.coordinator@example.org", "coordinator")
        self.check_types = list(m.VettingCheckType.objects.filter(is_active=True))
        self.modules = list(m.TrainingModule.objects.all())
        self.levels = list(m.AccreditationLevel.objects.all())
        self.languages = {lang.name: lang for lang in m.Language.objects.all()}
        self.areas = list(m.Area.objects.all())
        self.specialisms = list(m.Specialism.objects.all())
        self.code = m.CodeOfConduct.objects.latest()

    def _user(self, email, role):
        from tandem.accounts.models import RoleGrant, User

        user = User.objects.create_user(email=email, password="bench-only", full_name="Bench")
        RoleGrant.objects.create(user=user, role=role)
        return user

    def signed_in_client(self):
        """A coordinator signed in with a verified second factor (as conftest.sign_in does)."""
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        client = Client()
        client.force_login(self.coordinator)
        device = TOTPDevice.objects.create(user=self.coordinator, name="App", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    @property
    def urdu_pk(self) -> int:
        return self.languages["Urdu"].pk

    def grow_to(self, total: int) -> None:
        from django.db import transaction

        with transaction.atomic():
            self._create(total - self.count)
        self.count = total

    def _create(self, n: int) -> None:
        m, rng, today, by = self.m, self.rng, self.today, self.coordinator
        statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=n)
        mentors = [
            m.Mentor(
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                email=f"bench{self.count + i}@mentors.example.org",
                status=status,
                source=m.ApplicationSource.PUBLIC,
                applied_on=today - dt.timedelta(days=rng.randint(3, 2000)),
                gender=rng.choice(m.Gender.values),
                age_band=rng.choice(m.AgeBand.values),
                has_lived_experience=rng.random() < 0.15,
                offers_online=rng.random() < 0.4,
                travel_radius_km=rng.choice([5, 10, 15, 25]),
                caseload_cap=rng.randint(1, 4),
            )
            for i, status in enumerate(statuses)
        ]
        m.Mentor.objects.bulk_create(mentors, batch_size=500)

        languages, areas, specialisms, slots = [], [], [], []
        checks, completions, accreditations, acceptances = [], [], [], []
        others = [name for name in self.languages if name != "English"]
        through = m.Mentor.areas.through
        for mentor in mentors:
            languages.append(
                m.MentorLanguage(
                    mentor=mentor,
                    language=self.languages["English"],
                    proficiency=rng.choice(["fluent", "first"]),
                )
            )
            for name in rng.sample(others, rng.choice([0, 1, 1, 2])):
                languages.append(
                    m.MentorLanguage(
                        mentor=mentor,
                        language=self.languages[name],
                        proficiency=rng.choice(m.Proficiency.values),
                    )
                )
            for area in rng.sample(self.areas, rng.randint(1, 3)):
                areas.append(through(mentor=mentor, area=area))
            for specialism in rng.sample(self.specialisms, rng.randint(1, 3)):
                specialisms.append(
                    m.MentorSpecialism(
                        mentor=mentor,
                        specialism=specialism,
                        qualification="MA" if specialism.requires_qualification else "",
                    )
                )
            for weekday in rng.sample(range(7), rng.randint(1, 3)):
                slots.append(
                    m.AvailabilitySlot(
                        mentor=mentor, weekday=weekday, part=rng.choice(m.DayPart.values)
                    )
                )
            if mentor.status == "applicant":
                continue
            # Vetting: every check for those past vetting, some for those in it; about
            # one in twenty has a check that expires soon or has expired.
            in_vetting = mentor.status == "vetting"
            for check_type in self.check_types:
                if in_vetting and rng.random() < 0.5:
                    continue
                checked_on = today - dt.timedelta(days=rng.randint(30, 700))
                expires_on = None
                if check_type.validity_days:
                    if rng.random() < 0.05:
                        expires_on = today + dt.timedelta(days=rng.randint(-40, 60))
                        checked_on = expires_on - dt.timedelta(days=check_type.validity_days)
                    else:
                        expires_on = checked_on + dt.timedelta(days=check_type.validity_days)
                checks.append(
                    m.VettingCheck(
                        mentor=mentor,
                        check_type=check_type,
                        outcome="passed",
                        checked_on=checked_on,
                        expires_on=expires_on,
                        verifier="Vetting officer",
                        reference_number=f"REF-{mentor.pk}-{check_type.pk}",
                        recorded_by=by,
                    )
                )
            if in_vetting:
                continue
            for module in self.modules:
                completions.append(
                    m.TrainingCompletion(
                        mentor=mentor,
                        module=module,
                        completed_on=today - dt.timedelta(days=rng.randint(20, 600)),
                        cpd_hours=module.cpd_hours,
                        recorded_by=by,
                    )
                )
            acceptances.append(m.CodeAcceptance(mentor=mentor, code=self.code))
            if mentor.status == "training":
                continue
            level = rng.choice(self.levels)
            awarded_on = today - dt.timedelta(days=rng.randint(10, 30 * level.validity_months))
            if rng.random() < 0.04:
                awarded_on = today - dt.timedelta(days=30 * level.validity_months + 20)
            accreditations.append(
                m.Accreditation(
                    mentor=mentor,
                    level=level,
                    awarded_on=awarded_on,
                    expires_on=awarded_on + dt.timedelta(days=30 * level.validity_months),
                    awarded_by=by,
                )
            )
        for model, rows in [
            (m.MentorLanguage, languages),
            (through, areas),
            (m.MentorSpecialism, specialisms),
            (m.AvailabilitySlot, slots),
            (m.VettingCheck, checks),
            (m.TrainingCompletion, completions),
            (m.CodeAcceptance, acceptances),
            (m.Accreditation, accreditations),
        ]:
            model.objects.bulk_create(rows, batch_size=500)


class Measurements:
    def __init__(self, runs: int):
        self.runs = runs

    def time(self, action) -> tuple[float, int]:
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        action()  # warm-up: caches, compiled templates
        reset_queries()  # a full log (9,000 entries after bulk inserts) would capture nothing
        with CaptureQueriesContext(connection) as captured:
            action()
        queries = len(captured)  # now: the next request empties the log
        samples = []
        while len(samples) < (3 if samples and samples[0] > SLOW_MS else self.runs):
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples), queries

    def measure_all(self, client, data: Data) -> dict[str, tuple[float, int, str]]:
        from django.urls import reverse

        from tandem.mentors.matchability import matchable_mentors

        def page(url, params=None):
            def action():
                response = client.get(url, params or {})
                assert response.status_code == 200, response.status_code
                return response

            return action

        pool = reverse("mentors:pool")
        filtered = {"language": data.urdu_pk, "matchable": "yes"}
        results = {}
        cases = [
            ("pool page, first page", page(pool)),
            ("pool page, can take a case today", page(pool, {"matchable": "yes"})),
            ("pool page, Urdu + can take a case", page(pool, filtered)),
            ("pool page, sorted by status, page 2", page(pool, {"sort": "status", "page": 2})),
            ("matchable-pool query (all rows)", lambda: list(matchable_mentors())),
            ("expiries page", page(reverse("mentors:expiries"))),
            ("composition page", page(reverse("mentors:composition"))),
        ]
        for name, action in cases:
            median, queries = self.time(action)
            results[name] = (median, queries, _size(name, action, client, pool, filtered))
        return results


def _size(name, action, client, pool, filtered) -> str:
    """What the measurement returned, so the figures can be sanity-checked."""
    if name.startswith("matchable"):
        return f"{len(action())} rows"
    response = action()
    if "page" in response.context and hasattr(response.context["page"], "paginator"):
        return f"{response.context['page'].paginator.count} matching"
    return ""


def report(small, large, n_small, n_large) -> None:
    header = (
        f"{'measurement':38} {n_small:>6} mentors        {n_large:>6} mentors        "
        f"ratio {n_large}/{n_small}"
    )
    print(header)
    print(
        f"{'':38} {'median':>9} {'queries':>8}    {'median':>9} {'queries':>8}    "
        f"{'time':>6} {'queries':>8}"
    )
    print("-" * len(header))
    for name, (ms_small, q_small, _) in small.items():
        ms_large, q_large, size = large[name]
        print(
            f"{name:38} {ms_small:>7.1f}ms {q_small:>8}    {ms_large:>7.1f}ms {q_large:>8}    "
            f"{ms_large / ms_small:>6.2f} {q_large / q_small:>8.2f}   {size}"
        )
    print()
    constant = all(small[k][1] == large[k][1] for k in small)
    pages = {k: v for k, v in large.items() if k.startswith("pool page")}
    slowest = max(v[0] for v in pages.values())
    print(
        f"Query counts constant from {n_small} to {n_large} mentors: {'yes' if constant else 'NO'}"
    )
    print(
        f"Slowest pool page at {n_large} mentors: {slowest:.0f} ms median "
        f"(target under {TARGET_MS} ms): {'met' if slowest < TARGET_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
