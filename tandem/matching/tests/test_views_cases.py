"""A case's matching pages: the explained suggestions and exclusions, proposing a
mentor (and each way a proposal is refused), and the matching needs."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area, Faith, Language, Specialism
from tandem.matching import poolcache, selectors
from tandem.matching.fit import fit_label
from tandem.matching.models import CaseNeeds, Match, MatchStatus
from tandem.mentors.models import Proficiency, slot_bit

from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db

# "1. <a …>Name</a>: very good fit" in each suggestion's heading, then the fit in words
# with its points: "Very good fit: meets … (812 of 1,000 points)".
SUGGESTION = re.compile(
    r"(\d)\. <a class=\"govuk-link\" href=\"[^\"]+\">([^<]+)</a>: [a-z ]+ fit</h3>.*?"
    r"\(([\d,]+) of 1,000 points\)",
    re.S,
)


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def suggestions_url(case):
    return reverse("matching:suggestions", args=[case.pk])


def propose_url(case):
    return reverse("matching:propose", args=[case.pk])


def needs_url(case):
    return reverse("matching:needs", args=[case.pk])


def page(response) -> str:
    return html.unescape(response.content.decode())


def shown(body: str) -> list[tuple[str, int]]:
    return [(name, int(score.replace(",", ""))) for _, name, score in SUGGESTION.findall(body)]


# The suggestions page ------------------------------------------------------------------


def test_the_five_best_mentors_are_shown_in_score_order_with_explanations_and_exclusions(
    client, coordinator
):
    case = waiting_case(mentor_gender_preference="female")
    allowed = [
        matching_mentor(full_name="Amina Theology", specialisms=("islamic-theology",)),
        matching_mentor(
            full_name="Beth Both", specialisms=("islamic-theology", "online-radicalisation")
        ),
        matching_mentor(full_name="Cara Online", specialisms=("online-radicalisation",)),
        matching_mentor(full_name="Dina Youth", specialisms=("youth-work",)),
        matching_mentor(full_name="Esme Lived", has_lived_experience=True),
        matching_mentor(full_name="Fay Family", specialisms=("family-support",), age_band="65+"),
    ]
    matching_mentor(full_name="Urdu Only One", languages=(("Urdu", Proficiency.FLUENT),))
    matching_mentor(full_name="Urdu Only Two", languages=(("Urdu", Proficiency.FIRST),))
    matching_mentor(full_name="Male Mentor", gender="male")
    busy = matching_mentor(full_name="Busy Mentor", caseload_cap=1)
    live_match(waiting_case(), busy)

    response = client.get(suggestions_url(case))
    assert response.status_code == 200
    body = page(response)

    expected = sorted(
        ((selectors.evaluate_pair(case, m).score, m.pk, m.full_name) for m in allowed),
        key=lambda row: (-row[0], row[1]),
    )[:5]
    assert shown(body) == [(name, score) for score, _, name in expected]
    scores = [score for _, score in shown(body)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) > 1  # the profiles really differ

    assert "6 mentors can take this case." in body
    assert "4 excluded: 2 no English, 1 at capacity, 1 not female" in body
    suggested, held_back = body.split("Mentors held back today")
    for name in ("Urdu Only One", "Male Mentor", "Busy Mentor"):
        assert name not in suggested
    # Only the register holds a mentor back for every case: the busy mentor, with why.
    assert "Busy Mentor" in held_back and "No spare capacity (1 of 1 cases)" in held_back
    assert "Urdu Only One" not in held_back and "Male Mentor" not in held_back
    # Each suggestion explains every criterion in words.
    assert body.count("How ") >= 5 and body.count("Specialism fit") == 5
    assert "Has Islamic theology and Online radicalisation (2 of 2 that fit islamist)" in body
    assert "The person has no preferred language" in body
    assert body.count("Propose ") == 5
    assert f'name="version" value="{case.version}"' in body
    # Never the person's name.
    assert case.first_name not in body
    assert AuditEvent.objects.filter(
        action="cases.case.view", object_id=str(case.pk), reason="matching"
    ).exists()


def test_the_needs_are_summarised_with_change_links(client, coordinator):
    case = waiting_case(
        languages=("English", "Urdu"),
        preferred_language=Language.objects.get(name="Urdu"),
        mentor_gender_preference="male",
        requested_faith=Faith.objects.get(name="Muslim"),
        required_specialism=Specialism.objects.get(code="islamic-theology"),
        accepts_online=True,
        availability=slot_bit(0, "morning") | slot_bit(0, "evening") | slot_bit(4, "afternoon"),
        urgency="urgent",
    )
    body = page(client.get(suggestions_url(case)))
    for text in (
        "English, Urdu",
        "A male mentor",
        "Muslim",
        "Islamic theology",
        "Birmingham",
        "Acceptable",
        "Monday: morning, evening",
        "Friday: afternoon",
        "Urgent",
        "Specialisms that fit it: Islamic theology, Online radicalisation",
    ):
        assert text in body, text
    assert body.count(needs_url(case)) == 8


def test_a_case_not_awaiting_a_match_says_its_status_and_suggests_nobody(client, coordinator):
    matching_mentor(full_name="Ready Mentor")
    case = make_case(status=CaseStatus.ASSESSMENT)
    body = page(client.get(suggestions_url(case)))
    assert "The case's status is “Assessment”" in body
    assert "Ready Mentor" not in body and propose_url(case) not in body


def test_with_no_active_mentor_the_page_says_so(client, coordinator):
    case = waiting_case()
    body = page(client.get(suggestions_url(case)))
    assert "There are no active mentors in the pool" in body
    assert propose_url(case) not in body


def test_when_nobody_is_allowed_the_exclusions_are_listed_with_the_way_to_pool_gaps(
    client, coordinator
):
    case = waiting_case(languages=("Somali",))
    matching_mentor()
    matching_mentor()
    body = page(client.get(suggestions_url(case)))
    assert "0 mentors can take this case." in body
    assert "No mentor in the pool can take this case now." in body
    assert "<li>2 no Somali</li>" in body
    try:
        assert reverse("matching:gaps") in body
    except NoReverseMatch:  # the pool-gaps page is not installed
        assert "pool gaps" not in body
    assert propose_url(case) not in body


def test_the_live_match_is_linked_and_no_suggestions_are_shown(client, coordinator):
    case = waiting_case()
    mentor = matching_mentor(full_name="Proposed Mentor")
    other = matching_mentor(full_name="Earlier Mentor")
    earlier = live_match(case, other, status=MatchStatus.DECLINED, decline_reason="not_right")
    match = live_match(case, mentor)
    body = page(client.get(suggestions_url(case)))
    assert "Current match" in body and "Proposed Mentor" in body
    assert reverse("matching:match_detail", args=[match.pk]) in body
    assert "Past matches and proposals" in body
    assert reverse("matching:match_detail", args=[earlier.pk]) in body
    assert "Declined by the mentor" in body
    assert propose_url(case) not in body


def test_the_suggestions_cost_the_same_queries_for_3_and_15_mentors(
    client, coordinator, django_capture_on_commit_callbacks
):
    """Reading the pool afresh or from the one kept between requests, the page costs
    the same queries whatever the pool's size; the kept pool costs fewer."""
    with django_capture_on_commit_callbacks(execute=True):
        case = waiting_case()
    specialisms = [("youth-work",), ("islamic-theology",), ("online-radicalisation",)]
    for i in range(3):
        matching_mentor(specialisms=specialisms[i % 3])

    def count(*, cold: bool) -> int:
        if cold:
            poolcache.forget()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(suggestions_url(case))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count(cold=True)  # the first read fetches the person's data key into the cache
    few_cold, few_warm = count(cold=True), count(cold=False)
    assert len(shown(page(client.get(suggestions_url(case))))) == 3
    for i in range(12):
        matching_mentor(
            specialisms=specialisms[i % 3],
            faith=Faith.objects.order_by("pk")[i % 3],
            has_lived_experience=bool(i % 2),
        )
    many_cold, many_warm = count(cold=True), count(cold=False)
    assert len(shown(page(client.get(suggestions_url(case))))) == 5
    assert many_cold == few_cold
    assert many_warm == few_warm
    assert few_warm < few_cold


@pytest.mark.parametrize("role", ["mentor", "supervisor", "referrer"])
def test_only_coordinators_reach_the_matching_pages(client, role):
    case = waiting_case()
    mentor = matching_mentor()
    sign_in(client, create_user(role))
    assert client.get(suggestions_url(case)).status_code == 403
    assert client.get(needs_url(case)).status_code == 403
    response = client.post(propose_url(case), {"mentor": mentor.pk, "version": case.version})
    assert response.status_code == 403
    assert not Match.objects.exists()


# Proposing -----------------------------------------------------------------------------


def test_proposing_creates_the_proposal_and_it_shows_on_the_timeline(client, coordinator):
    case = waiting_case()
    mentor = matching_mentor(full_name="Chosen Mentor", with_account=True)
    response = client.post(propose_url(case), {"mentor": mentor.pk, "version": case.version})
    match = Match.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:match_detail", args=[match.pk])
    assert match.mentor == mentor and match.status == MatchStatus.PROPOSED
    assert match.proposed_by == coordinator and match.explanation
    timeline = page(client.get(reverse("cases:timeline", args=[case.pk])))
    assert (
        f"Match proposed to Chosen Mentor ({fit_label(match.score).lower()}, {match.score} points)"
        in timeline
    )
    # The page now shows the proposal instead of suggestions.
    body = page(client.get(suggestions_url(case)))
    assert "Current match" in body and propose_url(case) not in body


def test_a_proposal_from_a_stale_page_is_refused_and_the_page_shows_the_case_as_it_is(
    client, coordinator
):
    case = waiting_case()
    mentor = matching_mentor(full_name="Chosen Mentor")
    seen = case.version
    case.refresh_from_db()
    type(case).objects.filter(pk=case.pk).update(version=seen + 1)  # someone else saved
    response = client.post(propose_url(case), {"mentor": mentor.pk, "version": seen})
    body = page(response)
    assert response.status_code == 200
    assert "Someone else changed this case while you were working on it" in body
    assert "There is a problem" in body
    assert not Match.objects.exists()
    # The suggestions are there again, now carrying the current version.
    assert shown(body)[0][0] == "Chosen Mentor"
    assert f'name="version" value="{seen + 1}"' in body


def test_a_mentor_at_capacity_is_refused(client, coordinator):
    case = waiting_case()
    mentor = matching_mentor(full_name="Full Mentor", caseload_cap=1)
    live_match(waiting_case(), mentor)
    response = client.post(propose_url(case), {"mentor": mentor.pk, "version": case.version})
    body = page(response)
    assert response.status_code == 200
    assert "Full Mentor cannot take this case: at capacity." in body
    assert not Match.objects.filter(case=case).exists()
    assert "1 at capacity" in body  # the page explains the exclusion too


def test_a_case_no_longer_awaiting_a_match_is_refused(client, coordinator):
    case = make_case(status=CaseStatus.ASSESSMENT)
    mentor = matching_mentor()
    response = client.post(propose_url(case), {"mentor": mentor.pk, "version": case.version})
    body = page(response)
    assert response.status_code == 200
    assert "only a case awaiting a match can be matched" in body
    assert not Match.objects.exists()


def test_a_proposal_naming_no_active_mentor_is_refused(client, coordinator):
    case = waiting_case()
    response = client.post(propose_url(case), {"mentor": "999999", "version": case.version})
    assert response.status_code == 200
    assert "Choose a mentor from the suggestions" in page(response)
    assert not Match.objects.exists()


def test_proposing_answers_only_posts(client, coordinator):
    case = waiting_case()
    assert client.get(propose_url(case)).status_code == 405


# The matching needs --------------------------------------------------------------------


def needs_data(case, **changes) -> dict:
    data = {
        "version": str(case.version),
        "languages": [str(Language.objects.get(name="English").pk)],
        "preferred_language": "",
        "mentor_gender_preference": "any",
        "requested_faith": "",
        "required_specialism": "",
        "area": str(Area.objects.get(name="Birmingham").pk),
        "availability": [],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_needs_form_shows_the_current_needs(client, coordinator):
    case = waiting_case(availability=slot_bit(2, "afternoon"), accepts_online=True)
    body = page(client.get(needs_url(case)))
    assert re.search(r'value="2-afternoon"[^>]*checked', body)
    assert not re.search(r'value="2-morning"[^>]*checked', body)
    assert re.search(r'name="accepts_online"[^>]*checked', body)
    assert "When can the person meet?" in body
    assert "Wednesday afternoon" in body  # each checkbox is labelled for screen readers


def test_saving_the_needs_stores_them_audits_and_notes_the_timeline(client, coordinator):
    case = waiting_case()
    urdu, english = Language.objects.get(name="Urdu"), Language.objects.get(name="English")
    faith = Faith.objects.get(name="Muslim")
    theology = Specialism.objects.get(code="islamic-theology")
    coventry = Area.objects.get(name="Coventry")
    response = client.post(
        needs_url(case),
        needs_data(
            case,
            languages=[str(english.pk), str(urdu.pk)],
            interpreter_needed="on",
            preferred_language=str(urdu.pk),
            mentor_gender_preference="female",
            requested_faith=str(faith.pk),
            required_specialism=str(theology.pk),
            area=str(coventry.pk),
            accepts_online="on",
            availability=["0-morning", "4-evening", "6-afternoon"],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == suggestions_url(case)
    before = case.version
    case.refresh_from_db()
    assert set(case.languages.all()) == {english, urdu}
    assert case.interpreter_needed and case.accepts_online
    assert case.preferred_language == urdu
    assert case.mentor_gender_preference == "female"
    needs = CaseNeeds.objects.get(case=case)
    assert needs.requested_faith == faith and needs.required_specialism == theology
    assert case.area == coventry
    assert needs.availability == (
        slot_bit(0, "morning") | slot_bit(4, "evening") | slot_bit(6, "afternoon")
    )
    assert case.version == before + 1
    event = CaseEvent.objects.get(case=case, kind="matching.needs")
    assert event.summary.startswith("Matching needs changed (languages, interpreter")
    audit = AuditEvent.objects.get(action="case.matching_needs", object_id=str(case.pk))
    assert set(audit.changed_fields) == {
        "languages",
        "interpreter_needed",
        "preferred_language",
        "mentor_gender_preference",
        "requested_faith",
        "required_specialism",
        "area",
        "accepts_online",
        "availability",
    }
    # The summary reads the new needs.
    body = page(client.get(suggestions_url(case)))
    assert "Sunday: afternoon" in body and "An interpreter is needed" in body


def test_saving_unchanged_needs_changes_nothing(client, coordinator):
    case = waiting_case()
    response = client.post(needs_url(case), needs_data(case), follow=True)
    assert "Nothing was changed." in page(response)
    before = case.version
    case.refresh_from_db()
    assert case.version == before
    assert not CaseEvent.objects.filter(case=case, kind="matching.needs").exists()


def test_a_stale_needs_form_is_refused_keeping_what_was_typed(client, coordinator):
    case = waiting_case()
    seen = case.version
    type(case).objects.filter(pk=case.pk).update(version=seen + 1)
    coventry = Area.objects.get(name="Coventry")
    response = client.post(
        needs_url(case),
        needs_data(case, area=str(coventry.pk), availability=["3-evening"], version=str(seen)),
    )
    body = page(response)
    assert response.status_code == 200
    assert "Someone else changed this case while you were working on it" in body
    assert re.search(r'value="3-evening"[^>]*checked', body)
    assert re.search(rf'<option value="{coventry.pk}" selected>Coventry', body)
    assert f'name="version" value="{seen + 1}"' in body
    case.refresh_from_db()
    assert CaseNeeds.of(case).availability == 0 and case.area.name == "Birmingham"


def test_the_preferred_language_must_be_one_of_the_languages(client, coordinator):
    case = waiting_case()
    urdu = Language.objects.get(name="Urdu")
    response = client.post(needs_url(case), needs_data(case, preferred_language=str(urdu.pk)))
    assert response.status_code == 200
    assert "Select Urdu among the languages the person can be mentored in too" in page(response)
    case.refresh_from_db()
    assert case.preferred_language is None


def test_an_ended_case_offers_no_needs_form(client, coordinator):
    case = make_case(status=CaseStatus.NOT_SUITABLE, closure_outcome="not_suitable")
    body = page(client.get(needs_url(case)))
    assert "its matching needs can no longer be changed" in body
    assert "Save matching needs" not in body
    response = client.post(needs_url(case), needs_data(case, accepts_online="on"))
    assert "its matching needs can no longer be changed" in page(response)
    case.refresh_from_db()
    assert not case.accepts_online
