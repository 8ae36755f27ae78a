"""Load test: many people using Tandem at once, against gunicorn and PostgreSQL.

Not a test and not part of `make test`. Two steps (docs/operations.md, "Load test"):

1. Prepare a PostgreSQL database with the demo data and an authenticator device on the
   demo account of each role (the first simulated person of a role signs in through the
   real forms; the role's other people work in that signed-in session):

       DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_load TANDEM_KEKS=… \\
       TANDEM_KEK_CURRENT=1 TANDEM_BLIND_INDEX_KEY=… uv run python bench/load.py setup

2. Start `make serve` on that database (production settings, the same keys) and run
   Locust headless, on the loopback address only, bounded in users and time:

       uv run locust -f bench/load.py --headless --host http://127.0.0.1:8611 \\
           --users 100 --spawn-rate 2 --run-time 5m --only-summary --reset-stats

A page that sends its reader to the sign-in page counts as a failure, not as a page served.

The mix: coordinators work through lists and cases (home, case list, a case, the
match list, the mentor pool); mentors on phones open their sessions and log a held
session with notes (a write: encrypted notes, audit events, a claimable session);
referrers open their home page and their referrals; the board opens its pages (home, the
dashboard, pool gaps, fairness). Locust prints requests per second, p50/p95/p99 per page and
errors.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = ROOT / "var" / "load-accounts.json"
PASSWORD = "tandem-demo-password"
SIGN_IN_PAGES = ("/accounts/login/", "/accounts/mfa/")
MAX_USERS = 300
MAX_SECONDS = 15 * 60


# --- step 1: the database ------------------------------------------------------------


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tandem.accounts.models import User
    from tandem.cases.models import Case
    from tandem.matching.models import Match, MatchStatus
    from tandem.meetings.models import PlaceType, Topic

    if connection.vendor != "postgresql":
        sys.exit("The load test runs on PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("demo_data")
    # As the scheduled command does every 10 minutes in production (docs/operations.md):
    # without it the first board member computes the dashboard on a cold worker.
    call_command("precompute_dashboard")

    roles = {
        "coordinator": "coordinator@tandem.example",
        "mentor": "mentor@tandem.example",
        "referrer": "referrer@tandem.example",
        "board": "board@tandem.example",
    }
    accounts: dict = {"roles": {}}
    for role, email in roles.items():
        user = User.objects.get(email=email)
        TOTPDevice.objects.filter(user=user, name__startswith="load-").delete()
        device = TOTPDevice.objects.create(user=user, name="load-0", confirmed=True)
        accounts["roles"][role] = {"email": email, "key": device.key}

    mentor = User.objects.get(email=roles["mentor"])
    working = Match.objects.filter(
        mentor__user=mentor, status__in=[MatchStatus.ACTIVE, MatchStatus.ACCEPTED]
    )
    cases = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:200])
    accounts["pages"] = {
        "coordinator": [
            reverse("site:home"),
            reverse("cases:list"),
            reverse("matching:match_list"),
            reverse("mentors:pool"),
        ],
        "case": [reverse("cases:detail", args=[pk]) for pk in cases],
        "mentor": [reverse("site:home"), reverse("meetings:my_sessions")],
        "log": [reverse("meetings:session_log", args=[m.case_id]) for m in working],
        "referrer": [reverse("site:home"), reverse("cases:my_referrals")],
        "board": [
            reverse("site:home"),
            reverse("reports:dashboard"),
            reverse("matching:gaps"),
            reverse("matching:fairness"),
        ],
    }
    accounts["session_form"] = {
        "place_type": str(PlaceType.objects.get(code="community-venue").pk),
        "topic": str(Topic.objects.order_by("pk").first().pk),
    }
    ACCOUNTS.parent.mkdir(exist_ok=True)
    ACCOUNTS.write_text(json.dumps(accounts))
    ACCOUNTS.chmod(0o600)
    print(
        f"Prepared a device per role, {len(cases)} cases, "
        f"{len(accounts['pages']['log'])} cases to log sessions on; wrote {ACCOUNTS}"
    )


# --- step 2: the simulated people ------------------------------------------------------

if __name__ != "__main__":
    import hashlib
    import hmac
    import struct

    from gevent.lock import Semaphore
    from locust import HttpUser, between, events, task

    _accounts = json.loads(ACCOUNTS.read_text()) if ACCOUNTS.exists() else None
    _ROLES = ("coordinator", "mentor", "referrer", "board")
    _sign_in_lock = {role: Semaphore() for role in _ROLES}
    _signed_in: dict[str, dict] = {}  # role -> the cookies of its signed-in session
    _CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def _sent_to_sign_in(name: str, url: str) -> bool:
        """A request that ended on (GET) or redirected to (POST) a sign-in page was not
        served, the sign-in requests themselves aside."""
        return not name.startswith("sign in") and urlparse(url).path in SIGN_IN_PAGES

    def totp(hex_key: str, at: float | None = None) -> str:
        counter = int((at or time.time()) // 30)
        digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1)
        raw = digest.digest()
        offset = raw[-1] & 0x0F
        code = (struct.unpack(">I", raw[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
        return f"{code:06d}"

    @events.test_start.add_listener
    def _bounded(environment, **kwargs):
        host = urlparse(environment.host or "").hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("The load test runs on the loopback address only.")
        options = environment.parsed_options
        if options and (options.num_users or 0) > MAX_USERS:
            raise SystemExit(f"At most {MAX_USERS} simulated users.")
        if options and not options.run_time:
            raise SystemExit("Give --run-time (at most 15 minutes).")
        if options and options.run_time and options.run_time > MAX_SECONDS:
            raise SystemExit("At most 15 minutes.")
        if _accounts is None:
            raise SystemExit(f"Run `python bench/load.py setup` first ({ACCOUNTS} is missing).")

    class Person(HttpUser):
        """Signs in once through the real forms (password, then a code), then works."""

        abstract = True
        role = ""
        wait_time = between(1, 5)

        def on_start(self):
            self.origin = self.host.replace("http://", "https://")
            self.headers = {"X-Forwarded-Proto": "https"}
            # The first person of each role signs in through the real forms (password,
            # then a code from the role's device); the role's other people work in that
            # signed-in session. One account with many devices cannot sign many people in
            # at once: the server tries a code against each device in turn and django-otp
            # charges every device it did not match, so the devices throttle each other.
            with _sign_in_lock[self.role]:
                if self.role not in _signed_in:
                    self._sign_in(_accounts["roles"][self.role])
                    _signed_in[self.role] = self.client.cookies.get_dict()
            for name, value in _signed_in[self.role].items():
                self.client.cookies.set(name, value)

        def _sign_in(self, account):
            page = self.get("/accounts/login/", name="sign in")
            self.post(
                "/accounts/login/",
                {"email": account["email"], "password": PASSWORD},
                page,
                name="sign in",
            )
            page = self.get("/accounts/mfa/", name="sign in")
            self.post(
                "/accounts/mfa/", {"token": totp(account["key"])}, page, name="sign in (code)"
            )

        # The app server answers as if behind the HTTPS proxy (X-Forwarded-Proto), so its
        # cookies are Secure; the load generator talks plain HTTP on loopback and must send
        # them anyway.
        def _unsecure(self):
            for cookie in self.client.cookies:
                cookie.secure = False

        def get(self, path, name=None):
            name = name or path
            with self.client.get(
                path, headers=self.headers, name=name, catch_response=True
            ) as response:
                # A page that sends its reader to sign in was not served: count it as failed
                # rather than timing the sign-in page in its place.
                if response.status_code >= 400:
                    response.failure(f"HTTP {response.status_code}")
                elif _sent_to_sign_in(name, response.url):
                    response.failure("sent to sign in")
            self._unsecure()
            return response

        def post(self, path, data, page, name=None):
            match = _CSRF.search(page.text)
            data = {**data, "csrfmiddlewaretoken": match.group(1) if match else ""}
            headers = {**self.headers, "Origin": self.origin, "Referer": self.origin + path}
            # Redirects are not followed: the page a form sends its reader to is asked for,
            # and timed, as a page of its own, so the POST's figures are the write's alone.
            with self.client.post(
                path,
                data=data,
                headers=headers,
                name=name or path,
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if response.status_code >= 400:
                    response.failure(f"HTTP {response.status_code}")
                elif response.status_code == 200 and "govuk-error-summary" in response.text:
                    response.failure("the form was refused")
                elif _sent_to_sign_in(name or path, response.headers.get("Location", "")):
                    response.failure("sent to sign in")
            self._unsecure()
            return response

    class Coordinator(Person):
        role = "coordinator"
        weight = 4

        @task(3)
        def lists(self):
            path = random.choice(_accounts["pages"]["coordinator"])
            self.get(path)

        @task(4)
        def case(self):
            self.get(random.choice(_accounts["pages"]["case"]), name="/cases/<pk>/")

        @task(1)
        def case_list_filtered(self):
            self.get("/cases/?status=active", name="/cases/?status")

    class Mentor(Person):
        role = "mentor"
        weight = 3

        @task(3)
        def workspace(self):
            self.get(random.choice(_accounts["pages"]["mentor"]))

        @task(1)
        def log_a_session(self):
            logs = _accounts["pages"]["log"]
            if not logs:
                return
            path = random.choice(logs)
            page = self.get(path, name="/meetings/cases/<pk>/log/")
            form = _accounts["session_form"]
            when = time.localtime(time.time() - random.randint(1, 20) * 86400)
            data = {
                "date": time.strftime("%d/%m/%Y", when),
                "start_time": f"{random.randint(9, 17):02d}:00",
                "duration_minutes": "60",
                "travel_minutes": "20",
                "place_type": form["place_type"],
                "others": ["family"],
                "approach": "befriending",
                "style": "2",
                "topics": [form["topic"]],
                "engagement": "4",
                "trust": "3",
                "next_steps": "Library next week",
                "private_notes": "Load test: a private working note.",
                "summary": "Load test: a shareable summary.",
            }
            response = self.post(path, data, page, name="log a session (POST)")
            if response.status_code == 302:  # to the case's sessions, the new one listed
                self.get(response.headers["Location"], name="/meetings/cases/<pk>/")

    class Referrer(Person):
        role = "referrer"
        weight = 2

        @task
        def referrals(self):
            self.get(random.choice(_accounts["pages"]["referrer"]))

    class Board(Person):
        role = "board"
        weight = 1

        @task
        def dashboard(self):
            self.get(random.choice(_accounts["pages"]["board"]))


if __name__ == "__main__":
    if sys.argv[1:] == ["setup"]:
        setup()
    else:
        sys.exit(__doc__)
