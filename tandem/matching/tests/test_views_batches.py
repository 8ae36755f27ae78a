"""Batch proposal pages: proposing for every waiting case, reviewing, changing and
removing pairs with the effect on the total, confirming (pairs that became impossible
are reported, the rest proposed) and discarding."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.matching import services
from tandem.matching.models import BatchPair, BatchProposal, BatchStatus, Match, MatchStatus
from tandem.matching.views.batches import delta_text
from tandem.mentors.models import Proficiency
from tandem.mentors.tests.factories import make_mentor

from .factories import matching_mentor, waiting_case

pytestmark = pytest.mark.django_db

URDU = (("English", Proficiency.FIRST), ("Urdu", Proficiency.FLUENT))


@pytest.fixture
def coordinator(make_user, signed_in):
    user = make_user("coordinator")
    signed_in(user)
    return user


@pytest.fixture
def scene():
    """Two waiting cases and three mentors with one place each. Only the Urdu speaker can
    take the Urdu case, so the optimal assignment must keep her for it; the English case
    has two other mentors to choose from."""
    urdu_mentor = matching_mentor(full_name="Amina Urdu", caseload_cap=1, languages=URDU)
    english_mentor = matching_mentor(full_name="Beth English", caseload_cap=1)
    spare_mentor = matching_mentor(
        full_name="Cara Spare", caseload_cap=1, has_lived_experience=True
    )
    urdu_case = waiting_case(languages=("Urdu",))
    english_case = waiting_case()
    return {
        "urdu_mentor": urdu_mentor,
        "english_mentor": english_mentor,
        "spare_mentor": spare_mentor,
        "urdu_case": urdu_case,
        "english_case": english_case,
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def create(client) -> BatchProposal:
    response = client.post(reverse("matching:batch_create"))
    batch = BatchProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:batch_detail", kwargs={"pk": batch.pk})
    assert "Matches proposed for review" in messages_of(response)[0]
    detail(client, batch)  # shows (and so uses up) the message
    return batch


def detail(client, batch):
    response = client.get(reverse("matching:batch_detail", kwargs={"pk": batch.pk}))
    assert response.status_code == 200
    return response


def change_url(batch, case):
    return reverse("matching:batch_change", kwargs={"pk": batch.pk, "case_pk": case.pk})


def pairs_of(batch) -> dict[int, int]:
    return dict(batch.pairs.values_list("case_id", "mentor_id"))


# The list and proposing ----------------------------------------------------------------


def test_list_counts_waiting_cases_and_offers_the_proposal(client, coordinator, scene):
    response = client.get(reverse("matching:batch_list"))
    html = response.content.decode()
    assert response.context["waiting"] == 2
    assert "Propose matches for all 2 waiting cases" in html
    assert "No batch has been proposed yet" in html


def test_list_empty_states(client, coordinator):
    html = client.get(reverse("matching:batch_list")).content.decode()
    assert "No case is waiting for a match now" in html
    assert "Propose matches" not in html
    assert "No batch has been proposed yet" in html


def test_proposing_with_nothing_waiting_says_so_and_creates_nothing(client, coordinator):
    response = client.post(reverse("matching:batch_create"))
    assert response["Location"] == reverse("matching:batch_list")
    assert "nothing to propose" in messages_of(response)[0]
    assert not BatchProposal.objects.exists()


def test_proposal_shows_the_optimal_pairs_and_totals(client, coordinator, scene):
    batch = create(client)
    assert pairs_of(batch) == {
        scene["urdu_case"].pk: scene["urdu_mentor"].pk,
        scene["english_case"].pk: batch.pairs.get(case=scene["english_case"]).mentor_id,
    }
    assert pairs_of(batch)[scene["english_case"].pk] != scene["urdu_mentor"].pk
    total = sum(batch.pairs.values_list("score", flat=True))
    assert batch.optimal_score == total and batch.optimal_matched == 2
    response = detail(client, batch)
    html = response.content.decode()
    assert "2 of 2 waiting cases" in html
    assert f"{total:,}" in html
    assert scene["urdu_case"].reference in html and "Amina Urdu" in html
    assert "Confirm and propose these 2 matches" in html
    assert "Every case waiting for a match has a mentor in this batch" in html
    # Nothing is proposed before confirmation; the list shows the draft.
    assert not Match.objects.exists()
    listed = client.get(reverse("matching:batch_list")).content.decode()
    assert "For review" in listed and "2 of 2" in listed


def test_case_with_no_feasible_mentor_is_listed_with_its_suggestions(client, coordinator, scene):
    stranded = waiting_case(languages=("Polish",))
    batch = create(client)
    assert stranded.pk not in pairs_of(batch)
    response = detail(client, batch)
    assert [row["case"] for row in response.context["unplaced"]] == [stranded]
    assert "2 of 3 waiting cases" in response.content.decode()
    assert change_url(batch, stranded) in response.content.decode()


# Changing and removing pairs -----------------------------------------------------------


def test_changing_a_pair_moves_the_total_by_the_shown_delta(client, coordinator, scene):
    batch = create(client)
    case = scene["english_case"]
    current = batch.pairs.get(case=case).mentor_id
    other = next(m for m in (scene["english_mentor"], scene["spare_mentor"]) if m.pk != current)
    before = sum(batch.pairs.values_list("score", flat=True))
    response = client.get(change_url(batch, case))
    assert response.status_code == 200
    option = next(row for row in response.context["options"] if row["value"] == other.pk)
    html = response.content.decode()
    assert f"{option['delta']} on the total" in html
    assert "Why " in html  # the explanation, in a details element

    response = client.post(change_url(batch, case), {"mentor": other.pk})
    assert response["Location"] == reverse("matching:batch_detail", kwargs={"pk": batch.pk})
    after = sum(batch.pairs.values_list("score", flat=True))
    assert after - before == option["option"].delta
    assert f"The total fit is {after:,}" in messages_of(response)[0]
    pair = batch.pairs.get(case=case)
    assert pair.mentor_id == other.pk and pair.changed
    page = detail(client, batch).content.decode()
    assert "Changed" in page
    assert AuditEvent.objects.filter(action="matching.batch_change").exists()


def test_mentor_with_no_place_left_in_the_batch_is_refused(client, coordinator, scene):
    batch = create(client)
    url = change_url(batch, scene["english_case"])
    response = client.post(url, {"mentor": scene["urdu_mentor"].pk})
    assert response.status_code == 200
    assert "has no place left in this batch" in response.content.decode()
    # The choice is kept and nothing changed.
    assert response.context["form"]["mentor"].value() == str(scene["urdu_mentor"].pk)
    assert "checked" in response.content.decode()
    assert pairs_of(batch)[scene["urdu_case"].pk] == scene["urdu_mentor"].pk
    assert pairs_of(batch)[scene["english_case"].pk] != scene["urdu_mentor"].pk


def test_change_needs_a_choice_among_the_listed_mentors(client, coordinator, scene):
    batch = create(client)
    url = change_url(batch, scene["english_case"])
    assert "Choose a mentor for this case" in client.post(url, {}).content.decode()
    outsider = make_mentor()
    response = client.post(url, {"mentor": outsider.pk})
    assert "Choose one of the mentors listed" in response.content.decode()


def test_change_page_for_a_case_neither_in_the_batch_nor_waiting_is_404(client, coordinator, scene):
    batch = create(client)
    elsewhere = make_case(status=CaseStatus.ASSESSMENT)
    assert client.get(change_url(batch, elsewhere)).status_code == 404
    assert client.post(change_url(batch, elsewhere), {"mentor": 1}).status_code == 404


def test_removing_a_pair_and_adding_the_case_back(client, coordinator, scene):
    batch = create(client)
    case = scene["urdu_case"]
    response = client.post(
        reverse("matching:batch_remove", kwargs={"pk": batch.pk, "case_pk": case.pk})
    )
    assert response.status_code == 302
    assert case.pk not in pairs_of(batch)
    page = detail(client, batch)
    assert [row["case"] for row in page.context["unplaced"]] == [case]
    assert "Confirm and propose this match" in page.content.decode()
    # It can be given a mentor again from the same page.
    response = client.post(change_url(batch, case), {"mentor": scene["urdu_mentor"].pk})
    assert response.status_code == 302
    assert pairs_of(batch)[case.pk] == scene["urdu_mentor"].pk


# Confirming and discarding -------------------------------------------------------------


def test_confirm_proposes_each_pair_and_leaves_cases_awaiting(client, coordinator, scene):
    batch = create(client)
    response = client.post(reverse("matching:batch_confirm", kwargs={"pk": batch.pk}))
    assert response["Location"] == reverse("matching:batch_detail", kwargs={"pk": batch.pk})
    assert "2 matches proposed" in messages_of(response)[0]
    matches = Match.objects.filter(batch=batch)
    assert {(m.case_id, m.mentor_id) for m in matches} == set(pairs_of(batch).items())
    assert {m.status for m in matches} == {MatchStatus.PROPOSED}
    for case in (scene["urdu_case"], scene["english_case"]):
        case.refresh_from_db()
        assert case.status == CaseStatus.AWAITING_MATCH
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONFIRMED and batch.decided_by == coordinator
    page = detail(client, batch).content.decode()
    assert "2 proposed to the mentors" in page
    assert "Confirm and propose" not in page and "Remove" not in page


def test_pair_that_became_impossible_is_refused_and_the_others_proposed(client, coordinator, scene):
    batch = create(client)
    # Meanwhile the Urdu speaker's only place goes to a proposal made outside the batch.
    newcomer = waiting_case(languages=("Urdu",))
    services.match_propose(actor=coordinator, case=newcomer, mentor=scene["urdu_mentor"])
    response = client.post(reverse("matching:batch_confirm", kwargs={"pk": batch.pk}))
    notes = messages_of(response)
    assert "1 match proposed" in notes[0]
    assert "1 pair was not proposed" in notes[1]
    assert scene["urdu_case"].reference in notes[1] and "at capacity" in notes[1]
    proposed = Match.objects.filter(batch=batch)
    assert [m.case_id for m in proposed] == [scene["english_case"].pk]
    page = detail(client, batch).content.decode()
    assert "Not proposed" in page
    assert "1 not proposed" in page


def test_case_matched_elsewhere_meanwhile_is_flagged_and_not_proposed(client, coordinator, scene):
    batch = create(client)
    case = scene["english_case"]
    services.match_propose(actor=coordinator, case=case, mentor=scene["spare_mentor"])
    page = detail(client, batch)
    flagged = [row["case"] for row in page.context["rows"] if row["no_longer_waiting"]]
    assert flagged == [case]
    assert "1 case in this batch is no longer waiting" in page.content.decode()
    response = client.post(reverse("matching:batch_confirm", kwargs={"pk": batch.pk}))
    assert "already has a live match" in messages_of(response)[-1]
    assert [m.case_id for m in Match.objects.filter(batch=batch)] == [scene["urdu_case"].pk]


def test_discard_proposes_nothing(client, coordinator, scene):
    batch = create(client)
    response = client.post(reverse("matching:batch_discard", kwargs={"pk": batch.pk}))
    assert response["Location"] == reverse("matching:batch_list")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert not Match.objects.exists()
    assert "Nothing in it was proposed" in detail(client, batch).content.decode()


def test_a_decided_batch_can_be_neither_confirmed_again_nor_changed(client, coordinator, scene):
    batch = create(client)
    client.post(reverse("matching:batch_confirm", kwargs={"pk": batch.pk}))
    back = reverse("matching:batch_detail", kwargs={"pk": batch.pk})
    case = scene["english_case"]
    attempts = [
        client.post(reverse("matching:batch_confirm", kwargs={"pk": batch.pk})),
        client.post(reverse("matching:batch_discard", kwargs={"pk": batch.pk})),
        client.post(reverse("matching:batch_remove", kwargs={"pk": batch.pk, "case_pk": case.pk})),
        client.get(change_url(batch, case)),
        client.post(change_url(batch, case), {"mentor": scene["spare_mentor"].pk}),
    ]
    for response in attempts:
        assert response.status_code == 302 and response["Location"] == back
        assert "already confirmed" in messages_of(response)[-1]
    assert Match.objects.filter(batch=batch).count() == 2
    assert batch.pairs.count() == 2


def test_actions_answer_get_with_405(client, coordinator, scene):
    batch = create(client)
    case = scene["urdu_case"]
    for url in (
        reverse("matching:batch_create"),
        reverse("matching:batch_confirm", kwargs={"pk": batch.pk}),
        reverse("matching:batch_discard", kwargs={"pk": batch.pk}),
        reverse("matching:batch_remove", kwargs={"pk": batch.pk, "case_pk": case.pk}),
    ):
        assert client.get(url).status_code == 405
    assert batch.pairs.count() == 2


@pytest.mark.parametrize("role", ["mentor", "referrer", "supervisor", "administrator"])
def test_only_coordinators_reach_batches(client, signed_in, role):
    signed_in(create_user(role))
    made = BatchProposal.objects.create(created_by=create_user("coordinator"))
    case = waiting_case()
    BatchPair.objects.create(batch=made, case=case, mentor=make_mentor(), score=500)
    pages = [
        ("get", reverse("matching:batch_list")),
        ("post", reverse("matching:batch_create")),
        ("get", reverse("matching:batch_detail", kwargs={"pk": made.pk})),
        ("get", change_url(made, case)),
        ("post", reverse("matching:batch_remove", kwargs={"pk": made.pk, "case_pk": case.pk})),
        ("post", reverse("matching:batch_confirm", kwargs={"pk": made.pk})),
        ("post", reverse("matching:batch_discard", kwargs={"pk": made.pk})),
    ]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url
    made.refresh_from_db()
    assert made.status == BatchStatus.DRAFT and not Match.objects.exists()


# Query counts --------------------------------------------------------------------------


def _batch_with(n_pairs: int, n_unplaced: int, *, confirmed: bool = False) -> BatchProposal:
    by = create_user("coordinator")
    batch = BatchProposal.objects.create(created_by=by, cases_waiting=n_pairs + n_unplaced)
    for _ in range(n_pairs):
        case = make_case(status=CaseStatus.AWAITING_MATCH)
        mentor = make_mentor()
        BatchPair.objects.create(batch=batch, case=case, mentor=mentor, score=600)
        if confirmed:
            Match.objects.create(case=case, mentor=mentor, score=600, batch=batch, proposed_by=by)
    for _ in range(n_unplaced):
        make_case(status=CaseStatus.AWAITING_MATCH)
    if confirmed:
        batch.status = BatchStatus.CONFIRMED
        batch.decided_by = by
        batch.save()
    return batch


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("confirmed", [False, True])
def test_batch_page_queries_do_not_grow_with_pairs(client, coordinator, confirmed):
    small = _batch_with(2, 1, confirmed=confirmed)
    small_count = _queries(client, reverse("matching:batch_detail", kwargs={"pk": small.pk}))
    large = _batch_with(8, 4, confirmed=confirmed)
    large_count = _queries(client, reverse("matching:batch_detail", kwargs={"pk": large.pk}))
    assert small_count == large_count


def test_list_queries_do_not_grow_with_batches(client, coordinator):
    for _ in range(2):
        _batch_with(1, 0)
    small = _queries(client, reverse("matching:batch_list"))
    for _ in range(6):
        _batch_with(2, 0, confirmed=True)
    assert _queries(client, reverse("matching:batch_list")) == small


def test_delta_words():
    assert delta_text(12) == "+12"
    assert delta_text(-30) == "\u221230"
    assert delta_text(0) == "no change"
    assert delta_text(1200) == "+1,200"
