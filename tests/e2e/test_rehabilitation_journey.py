"""The rehabilitation pathway end to end: an offender manager refers a person in
custody; the coordinator records custody, release and a licence exclusion zone, and the
multi-agency panel's adoption; the case is matched; the mentor plans a session in prison
and records its visit booking; a session planned in the exclusion zone warns the mentor
(on a phone) before it is saved; the release date passes and the first meeting after
release is planned on time. axe runs on every page visited; the new pages are checked at
1280 px and 390 px wide."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import Case, CaseStatus, Pathway
from tandem.matching.models import Match, MatchStatus
from tandem.matching.tests.factories import matching_mentor
from tandem.meetings.models import Session
from tandem.mentors.models import Mentor
from tandem.rehabilitation.models import CustodyVisit, PanelDecision, PanelMeeting
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

from .forms import fill_date, send_referral

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def visitor(browser, live_server, axe, viewport=None):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return Visit(page, live_server.url, axe)


def d(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def no_sideways_scroll(visit):
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{visit.page.url} is {width}px wide on a 390px phone"


def schedule(visit, case, *, day, place="Community venue", area=None):
    page = visit.goto(f"/meetings/cases/{case.pk}/schedule/")
    page.get_by_label("Date", exact=True).fill(d(day))
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label(place, exact=True).check()
    if area:
        page.locator('select[name="area"]').select_option(label=area)
    page.get_by_role("button", name="Schedule").click()
    visit.check()
    return page


def test_custody_panel_match_prison_visit_warning_and_release(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    today = timezone.localdate()
    mentor_user = User.objects.get(email=spec("mentor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    matching_mentor(full_name="Imran Qureshi", user=mentor_user, caseload_cap=3)

    # 1. The offender manager refers a person in custody.
    referrer = visitor(browser, live_server, axe)
    r = spec("referrer")
    referrer.sign_in(r.email, DEMO_PASSWORD, r.key_bytes)
    page = referrer.goto("/cases/refer/")
    page.get_by_label("First name").fill("Callum")
    page.get_by_label("Last name").fill("Reid")
    fill_date(page, "Date of birth", today.replace(year=today.year - 24) - dt.timedelta(days=40))
    page.get_by_label("Male", exact=True).check()
    page.locator('select[name="area"]').select_option(label="Birmingham")
    page.get_by_label("Rehabilitation", exact=True).check()
    page.get_by_label("Reason for referral").fill(
        "Convicted of a hate-crime offence; release due soon."
    )
    page.get_by_label("Concern type").select_option(label="Extreme right-wing")
    page.get_by_label("Urgency").select_option("priority")
    page.get_by_label("English", exact=True).check()
    page.locator('input[name="accepts_online"][value="no"]').check()
    page.get_by_label("Probation (offender manager)").check()
    page.get_by_label("Referring organisation").fill("Probation Service, Birmingham")
    send_referral(referrer)
    case = Case.objects.get(referred_by__email=r.email)
    assert case.pathway == Pathway.REHABILITATION
    # Screening, consent and assessment are other journeys: the case now awaits a match.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.AWAITING_MATCH)

    # 2. The coordinator records custody, release and an exclusion zone.
    coordinator = visitor(browser, live_server, axe, viewport=DESKTOP)
    c = spec("coordinator")
    coordinator.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = coordinator.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Rehabilitation", exact=True).click()
    coordinator.check()
    page.get_by_role("link", name="Record the rehabilitation details").click()
    coordinator.check()
    page.get_by_label("Sentenced, in custody").check()
    page.get_by_label("Establishment").fill("HMP Birmingham")
    release = today + dt.timedelta(days=10)
    page.get_by_label("Expected release date").fill(d(release))
    page.get_by_label("Level 2: active multi-agency management").check()
    page.get_by_role("button", name="Save the details").click()
    coordinator.check()
    page.get_by_role("link", name="Add a licence condition").click()
    coordinator.check()
    page.get_by_label("Exclusion zone").check()
    page.get_by_role("button", name="Add the condition").click()
    coordinator.check()
    assert page.get_by_text("Select the area the person is excluded from").first.is_visible()
    page.get_by_label("Area excluded").select_option(label="Coventry")
    page.get_by_role("button", name="Add the condition").click()
    coordinator.check()

    # The pathway page: a change needs its reason.
    page = coordinator.goto(f"/cases/{case.pk}/pathway/")
    page.get_by_role("button", name="Change the pathway").click()
    coordinator.check()
    assert page.get_by_text("Enter the reason for changing the pathway").first.is_visible()
    page = coordinator.goto(f"/rehabilitation/cases/{case.pk}/")

    # 3. The panel adopts the case.
    page.get_by_role("link", name="Record a panel meeting").click()
    coordinator.check()
    page.get_by_label("Presentation").check()
    page.get_by_label("Date of the panel").fill(d(today))
    page.get_by_label("Adopt", exact=True).check()
    page.get_by_label("Agencies present").fill("Probation, counter-terrorism policing, housing")
    page.get_by_label("Actions agreed").fill("Match a mentor before release.")
    page.get_by_role("button", name="Save").click()
    coordinator.check()
    assert PanelMeeting.objects.get(case=case).decision == PanelDecision.ADOPT
    assert page.get_by_text("Coventry").first.is_visible()

    # The new pages on a phone.
    # (The same signed-in browser, narrowed: a second sign-in within the same 30 seconds
    # would reuse a one-time code, which is refused.)
    phone_coordinator = coordinator
    coordinator.page.set_viewport_size(PHONE)
    for path in (
        f"/rehabilitation/cases/{case.pk}/",
        "/rehabilitation/",
        "/rehabilitation/policy/",
        f"/rehabilitation/cases/{case.pk}/details/",
    ):
        phone_coordinator.goto(path)
        no_sideways_scroll(phone_coordinator)
    coordinator.page.set_viewport_size(DESKTOP)
    coordinator.goto("/rehabilitation/")
    coordinator.goto("/rehabilitation/policy/")

    # 4. Matched: the coordinator proposes the mentor, who accepts.
    page = coordinator.goto(f"/cases/{case.pk}/matching/")
    page.get_by_role("button", name="Propose Imran Qureshi").click()
    coordinator.check()
    mentor = visitor(browser, live_server, axe, viewport=DESKTOP)
    m = spec("mentor")
    mentor.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    match = Match.objects.get(case=case)
    mpage = mentor.goto(f"/matches/{match.pk}/")
    mpage.get_by_role("button", name="Accept the match").click()
    mentor.check()
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED

    # 5. A session in prison, and its visit booking.
    mpage = schedule(mentor, case, day=today + dt.timedelta(days=3), place="Prison")
    prison = Session.objects.get(case=case, place_type__code="prison")
    mpage = mentor.goto(f"/meetings/sessions/{prison.pk}/")
    mpage.get_by_role("link", name="Record the visit booking").click()
    mentor.check()
    assert mpage.get_by_label("Establishment").input_value() == "HMP Birmingham"
    mpage.get_by_label("Visit booking reference").fill("VB-2026-0412")
    mpage.get_by_role("button", name="Save the booking").click()
    mentor.check()
    assert CustodyVisit.objects.get(session=prison).booking_reference == "VB-2026-0412"
    assert mpage.get_by_role("link", name="Change the visit booking").is_visible()

    # Time passes: the visit in prison is held (recorded in another journey).
    Session.objects.filter(pk=prison.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=5),
        status="held",
        approach="befriending",
        style=2,
        engagement=4,
        trust=4,
    )

    # 6. The release date passes: the coordinator records that the person is on licence.
    released = today - dt.timedelta(days=2)
    page = coordinator.goto(f"/rehabilitation/cases/{case.pk}/details/")
    page.get_by_label("On licence").check()
    page.get_by_label("Establishment").fill("")
    page.get_by_label("Expected release date").fill(d(released))
    page.get_by_role("button", name="Save the details").click()
    coordinator.check()
    assert page.get_by_text("To plan").first.is_visible()

    # 7. On a phone, a session planned in the exclusion zone warns the mentor first.
    phone = mentor
    mentor.page.set_viewport_size(PHONE)
    ppage = schedule(phone, case, day=today + dt.timedelta(days=2), area="Coventry")
    no_sideways_scroll(phone)
    assert ppage.get_by_text("Coventry is an exclusion zone").is_visible()
    assert not Session.objects.filter(case=case, area__name="Coventry").exists()
    # The mentor changes the area instead: the first meeting after release is planned.
    ppage.locator('select[name="area"]').select_option(label="Birmingham")
    ppage.get_by_role("button", name="Schedule").click()
    phone.check()
    assert Session.objects.filter(case=case, area__name="Birmingham").exists()

    # 8. The coordinator sees the first meeting after release planned on time.
    page = coordinator.goto(f"/rehabilitation/cases/{case.pk}/")
    assert page.get_by_text("Planned on time").is_visible()
    page = coordinator.goto("/rehabilitation/")
    assert page.get_by_text("On time").first.is_visible()

    # 9. A panel review without its decision yet, then the decision; a condition ends.
    page = coordinator.goto(f"/rehabilitation/cases/{case.pk}/panel/add/")
    page.get_by_label("Review").check()
    page.get_by_label("Date of the panel").fill(d(today))
    page.get_by_label("Not decided yet").check()
    page.get_by_role("button", name="Save").click()
    coordinator.check()
    page.get_by_role("link", name="record the decision").click()
    coordinator.check()
    page.get_by_label("Adopt", exact=True).check()
    page.get_by_label("Agencies present").fill("Probation, police")
    page.get_by_role("button", name="Save").click()
    coordinator.check()
    assert not PanelMeeting.objects.filter(case=case, decision="").exists()
    page.get_by_role("link", name="End the condition: exclusion zone").click()
    coordinator.check()
    page.get_by_role("button", name="End the condition").click()
    coordinator.check()
    assert page.get_by_text("Ended conditions (1)").is_visible()
