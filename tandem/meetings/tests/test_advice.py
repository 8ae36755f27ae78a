"""Questions for specialist advice: asked without naming the person, answered by the
people who hold the specialism without seeing the case, read with the case by the
mentor, their supervisor and coordinators; every ask, answer and read audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.catalogues.models import Specialism
from tandem.core.models import Notification
from tandem.meetings.models import AdviceAnswer, AdviceQuestion
from tandem.meetings.names import names_in
from tandem.meetings.selectors import advice as selectors
from tandem.meetings.services import advice as services
from tandem.mentors.models import MentorSpecialism, MentorStatus

from .factories import advice_world, adviser, answer, ask

pytestmark = pytest.mark.django_db


def client_for(client, user):
    sign_in(client, user)
    return client


# Names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Should I talk to aisha about prayer?", ["aisha"]),
        ("AISHA, my mentee, asked…", ["AISHA"]),
        ("Aishah asked about prayer", []),  # another word, not the name
        ("Her brother is a Begum-supporter", ["Begum"]),
        ("She says the Begums next door…", []),
        ("Nothing identifying here", []),
    ],
)
def test_names_are_found_as_whole_words_whatever_the_case(text, found):
    assert names_in(text, ["Aisha", "Begum"]) == found


def test_each_word_of_a_name_of_several_words_counts_but_not_short_particles():
    names = ["Mary Ann", "de la Cruz"]
    assert names_in("mary said", names) == ["mary"]
    assert names_in("Mary Ann said", names) == ["Mary Ann", "Mary", "Ann"]
    assert names_in("the cruz family", names) == ["cruz"]
    assert names_in("a question de facto about la liga", names) == []


# Asking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Aisha", "begum", "Ash"])
def test_a_question_naming_the_person_is_refused(name):
    world = advice_world(preferred_name="Ash")
    with pytest.raises(services.AdviceRefused) as refused:
        services.advice_question_ask(
            actor=world.mentor_user,
            case=world.case,
            specialism=world.specialism,
            question=f"{name} asked me whether music is forbidden.",
        )
    assert refused.value.field == "question"
    assert "name" in str(refused.value)
    assert not AdviceQuestion.objects.exists()
    assert not AuditEvent.objects.filter(action="advice_question.ask").exists()


def test_asking_keeps_the_question_audits_and_notifies_advisers_without_the_text(
    django_capture_on_commit_callbacks,
):
    world = advice_world()
    other = adviser(Specialism.objects.get(code="youth-work"))
    paused = adviser(world.specialism, status=MentorStatus.PAUSED)
    text = "He asked whether music is forbidden. How do scholars answer that?"
    with django_capture_on_commit_callbacks(execute=True):
        question = services.advice_question_ask(
            actor=world.mentor_user, case=world.case, specialism=world.specialism, question=text
        )
    question.refresh_from_db()
    assert question.question == text
    event = AuditEvent.objects.get(action="advice_question.ask")
    assert event.actor == world.mentor_user and event.object_id == str(question.pk)
    assert "music" not in " ".join([event.reason, *event.changed_fields])
    told = Notification.objects.get()
    assert told.user == world.adviser
    assert "music" not in told.message and world.case.reference not in told.message
    assert told.link == reverse("meetings:advice_answer", kwargs={"pk": question.pk})
    assert not Notification.objects.filter(user__in=[other, paused]).exists()


def test_with_no_specialist_the_coordinators_are_told(django_capture_on_commit_callbacks):
    world = advice_world()
    coordinator = create_user("coordinator")
    nobody_holds = Specialism.objects.get(code="gangs-exploitation")
    with django_capture_on_commit_callbacks(execute=True):
        services.advice_question_ask(
            actor=world.mentor_user, case=world.case, specialism=nobody_holds, question="How?"
        )
    told = set(Notification.objects.values_list("user", flat=True))
    assert coordinator.pk in told and world.adviser.pk not in told
    assert told <= {u.pk for u in User.objects.filter(role_grants__role="coordinator")}


def test_the_ask_page_refuses_a_name_and_keeps_what_was_typed(client):
    world = advice_world()
    client_for(client, world.mentor_user)
    url = reverse("meetings:advice_ask", kwargs={"case_pk": world.case.pk})
    typed = "Aisha asked me whether she must cover her hair at college."
    response = client.post(url, {"specialism": world.specialism.pk, "question": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "uses the person" in page
    assert typed in page  # nothing typed is lost
    assert "checked" in page  # the specialism chosen stays chosen
    assert not AdviceQuestion.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"specialism": "99999999999999999999", "question": "How?"},
        {"specialism": "x", "question": "How?"},
        {"question": "How?"},
        {"specialism": "", "question": ""},
    ],
)
def test_the_ask_page_answers_tampered_input_with_an_error_not_a_crash(client, data):
    world = advice_world()
    client_for(client, world.mentor_user)
    url = reverse("meetings:advice_ask", kwargs={"case_pk": world.case.pk})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_the_ask_page_sends_the_question_and_shows_it_with_the_case(client):
    world = advice_world()
    client_for(client, world.mentor_user)
    url = reverse("meetings:advice_ask", kwargs={"case_pk": world.case.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"specialism": world.specialism.pk, "question": "What does tawhid mean?"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:advice_case", args=[world.case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "What does tawhid mean?" in page and "Waiting for an answer" in page


def test_only_the_matched_mentor_may_ask(client):
    world = advice_world()
    url = reverse("meetings:advice_ask", kwargs={"case_pk": world.case.pk})
    assert client_for(client, world.adviser).get(url).status_code == 404  # not their case
    client.logout()
    assert client_for(client, world.supervisor).get(url).status_code == 403
    huge = reverse("meetings:advice_ask", kwargs={"case_pk": 10**15})
    client.logout()
    assert client_for(client, world.mentor_user).get(huge).status_code == 404


# Advisers --------------------------------------------------------------------------------


def test_advisers_see_questions_for_their_specialism_without_the_case(client):
    world = advice_world()
    question = ask(world, text="Is it true that the caliphate is an obligation?")
    elsewhere = ask(world, specialism=Specialism.objects.get(code="youth-work"))
    client_for(client, world.adviser)
    queue = client.get(reverse("meetings:advice_queue")).content.decode()
    assert reverse("meetings:advice_answer", args=[question.pk]) in queue
    assert reverse("meetings:advice_answer", args=[elsewhere.pk]) not in queue
    assert world.case.reference not in queue
    page = client.get(reverse("meetings:advice_answer", args=[question.pk])).content.decode()
    assert "caliphate is an obligation" in page
    assert world.case.concern_type.name in page
    for identifying in (world.case.reference, "Aisha", "Begum", world.mentor_user.full_name):
        assert identifying not in page
    assert AuditEvent.objects.filter(
        action="meetings.advicequestion.view", object_id=str(question.pk), actor=world.adviser
    ).exists()
    # A question in a specialism they do not hold, and a huge id, do not exist for them.
    assert client.get(reverse("meetings:advice_answer", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("meetings:advice_answer", args=[10**15])).status_code == 404


def test_the_asking_mentor_does_not_answer_their_own_question(client):
    world = advice_world()
    # The asking mentor holds the specialism too.
    MentorSpecialism.objects.create(
        mentor=world.mentor_user.mentor_profile, specialism=world.specialism
    )
    question = ask(world)
    client_for(client, world.mentor_user)
    assert client.get(reverse("meetings:advice_answer", args=[question.pk])).status_code == 404


def test_a_mentor_who_is_not_active_is_not_an_adviser(client):
    world = advice_world()
    question = ask(world)
    paused = adviser(world.specialism, status=MentorStatus.PAUSED)
    client_for(client, paused)
    assert client.get(reverse("meetings:advice_answer", args=[question.pk])).status_code == 404


def test_answering_keeps_the_answer_audits_and_tells_the_mentor(
    client, django_capture_on_commit_callbacks
):
    world = advice_world()
    question = ask(world)
    client_for(client, world.adviser)
    url = reverse("meetings:advice_answer", args=[question.pk])
    empty = client.post(url, {"answer": "  "})
    assert empty.status_code == 200 and "Enter your answer" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "Most scholars read it as inner struggle."})
    assert response.status_code == 302
    given = AdviceAnswer.objects.get()
    assert given.answer == "Most scholars read it as inner struggle." and given.question == question
    assert AuditEvent.objects.filter(
        action="advice_question.answer", object_id=str(given.pk)
    ).exists()
    told = Notification.objects.get(user=world.mentor_user)
    assert "inner struggle" not in told.message
    assert told.link == reverse("meetings:advice_case", args=[world.case.pk])


def test_coordinators_answer_every_question(client):
    world = advice_world()
    question = ask(world, specialism=Specialism.objects.get(code="youth-work"))
    coordinator = create_user("coordinator")
    client_for(client, coordinator)
    assert client.get(reverse("meetings:advice_queue")).status_code == 200
    response = client.post(
        reverse("meetings:advice_answer", args=[question.pk]), {"answer": "Try the youth club."}
    )
    assert response.status_code == 302 and question.answers.count() == 1


# Reading with the case ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor_user", "supervisor", "coordinator"])
def test_the_case_page_shows_questions_and_answers_and_audits_the_read(client, who):
    world = advice_world()
    question = ask(world, text="What is the difference between jihad and terrorism?")
    answer(question, world.adviser, text="Scholars distinguish them sharply.")
    user = create_user("coordinator") if who == "coordinator" else getattr(world, who)
    client_for(client, user)
    response = client.get(reverse("meetings:advice_case", args=[world.case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "jihad and terrorism" in page and "Scholars distinguish them sharply." in page
    assert AuditEvent.objects.filter(
        action="advice_question.list", object_type="cases.case", object_id=str(world.case.pk)
    ).exists()


@pytest.mark.parametrize("pk", [10**15, 10**20, 2**63])
def test_huge_ids_are_not_found(client, pk):
    world = advice_world()
    client_for(client, create_user("coordinator"))
    for name, kwargs in [
        ("meetings:advice_case", {"case_pk": pk}),
        ("meetings:advice_answer", {"pk": pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    client.logout()
    client_for(client, world.mentor_user)
    assert client.get(reverse("meetings:advice_ask", kwargs={"case_pk": pk})).status_code == 404


def test_the_case_page_is_not_found_for_others(client):
    world = advice_world()
    ask(world)
    url = reverse("meetings:advice_case", args=[world.case.pk])
    # The adviser holds the specialism but does not work with the person.
    assert client_for(client, world.adviser).get(url).status_code == 404


def test_an_empty_case_page_says_so_and_offers_to_ask(client):
    world = advice_world()
    client_for(client, world.mentor_user)
    page = client.get(reverse("meetings:advice_case", args=[world.case.pk])).content.decode()
    assert "No questions have been asked about this case yet." in page
    assert reverse("meetings:advice_ask", args=[world.case.pk]) in page


def test_the_workspace_include_renders_the_latest_questions(rf):
    from django.template.loader import render_to_string

    world = advice_world()
    for n in range(4):
        ask(world, text=f"Question number {n}")
    summary = selectors.case_advice_summary(world.mentor_user, world.case)
    assert summary.total == 4 and len(summary.questions) == 3 and summary.can_ask
    html = render_to_string("meetings/includes/advice.html", {"advice": summary})
    assert "Question number 3" in html and "Question number 0" not in html
    assert "See all 4 questions and answers" in html


# Query counts ----------------------------------------------------------------------------------


def _count(client, url) -> int:
    """Queries to answer ``url``, leaving out data-key look-ups: outside a test's open
    transaction each key is unwrapped once and cached, so in use they do not repeat."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if "core_datakey" not in q["sql"])


def test_query_counts_do_not_grow_with_the_number_of_questions(client):
    world = advice_world()
    for _ in range(2):
        answer(ask(world), world.adviser)
    case_url = reverse("meetings:advice_case", args=[world.case.pk])
    queue_url = reverse("meetings:advice_queue")
    client_for(client, world.mentor_user)
    case_small = _count(client, case_url)
    client.logout()
    client_for(client, world.adviser)
    queue_small = _count(client, queue_url)
    for _ in range(12):
        question = ask(world)
        answer(question, world.adviser)
        answer(question, create_user("coordinator"))
        ask(world)
    queue_large = _count(client, queue_url)
    client.logout()
    client_for(client, world.mentor_user)
    assert _count(client, case_url) == case_small
    assert queue_large == queue_small
