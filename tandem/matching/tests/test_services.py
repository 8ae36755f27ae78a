"""The match lifecycle and batch proposals, through the services: every step on the
case's timeline and in the audit log, every hard constraint refusing a proposal in
words a coordinator understands, and places held and freed exactly."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter

import pytest
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus, MentorGenderPreference, Urgency
from tandem.cases.services.lifecycle import CaseConflict, case_change_status
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Language
from tandem.core.dates import long_date
from tandem.core.models import Notification
from tandem.matching import selectors, services
from tandem.matching.features import load_pool
from tandem.matching.fit import fit_label
from tandem.matching.models import (
    BatchStatus,
    DeclineReason,
    EndReason,
    Match,
    MatchStatus,
    MeetingPlace,
)
from tandem.matching.services import MatchRefused
from tandem.mentors.matchability import (
    Rules,
    annotate_matchable,
    mentor_matchability,
    prefetch_for_matchability,
)
from tandem.mentors.models import (
    AccreditationLevel,
    ConflictDeclaration,
    ConflictKind,
    Mentor,
    MentorStatus,
    Proficiency,
    VettingCheck,
)
from tandem.mentors.tests.factories import accredit

from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db

ENGLISH = (("English", Proficiency.FIRST),)


@pytest.fixture
def coordinator():
    return create_user("coordinator")


def audited(match) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="matching.match", object_id=str(match.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def timeline(case) -> list[tuple[str, str]]:
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("occurred_at", "pk")
        .values_list("kind", "summary")
    )


def spare(mentor) -> int:
    pool = load_pool(mentor_ids=[mentor.pk])
    return int(pool.arrays.spare[0])


def first_meeting():
    return timezone.make_aware(dt.datetime(2030, 3, 4, 14, 30))


def started(match, coordinator):
    services.match_accept(actor=match.mentor.user or coordinator, match=match)
    return services.match_start(
        actor=coordinator, match=match, first_meeting_at=first_meeting(), place=MeetingPlace.ONLINE
    )


# The lifecycle -------------------------------------------------------------------------


def test_propose_accept_start_end_on_the_timeline_and_in_the_audit_log(
    coordinator, django_capture_on_commit_callbacks
):
    mentor = matching_mentor(with_account=True, full_name="Grace Adebayo", caseload_cap=2)
    case = waiting_case()

    with django_capture_on_commit_callbacks(execute=True):
        match = services.match_propose(
            actor=coordinator, case=case, mentor=mentor, expected_version=case.version
        )
    assert match.status == MatchStatus.PROPOSED and match.proposed_by == coordinator
    assert 0 < match.score <= 1000
    assert {part["criterion"] for part in match.explanation} >= {"specialism", "distance"}
    assert all(part["words"] for part in match.explanation)
    assert timeline(case)[-1] == (
        "match.proposed",
        f"Match proposed to Grace Adebayo ({fit_label(match.score).lower()}, {match.score} points)",
    )
    assert Notification.objects.filter(user=mentor.user, message__contains=case.reference)
    assert spare(mentor) == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH

    with django_capture_on_commit_callbacks(execute=True):
        services.match_accept(actor=mentor.user, match=match)
    match.refresh_from_db()
    case.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED and match.responded_at is not None
    assert case.status == CaseStatus.MATCHED
    assert timeline(case)[-1] == ("status.match", "Match accepted by Grace Adebayo")
    assert Notification.objects.filter(user=coordinator, message__contains="accepted")

    services.match_start(
        actor=coordinator, match=match, first_meeting_at=first_meeting(), place="in_person"
    )
    match.refresh_from_db()
    case.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE
    assert match.first_meeting_at == first_meeting()
    assert match.first_meeting_place == MeetingPlace.IN_PERSON
    assert case.status == CaseStatus.ACTIVE
    assert timeline(case)[-1] == (
        "status.start_support",
        "Match started: first meeting 4 March 2030 at 14:30 (in person)",
    )

    services.match_end(
        actor=coordinator, match=match, reason=EndReason.COMPLETED, note="Goals met.", rematch=False
    )
    match.refresh_from_db()
    case.refresh_from_db()
    assert match.status == MatchStatus.ENDED
    assert (match.end_reason, match.end_note, match.rematch) == ("completed", "Goals met.", False)
    assert match.ended_by == coordinator and match.ended_at is not None
    assert case.status == CaseStatus.CLOSING
    assert timeline(case)[-1] == (
        "status.start_closing",
        "Match with Grace Adebayo ended: support completed; the case moves to closing",
    )
    assert audited(match) == ["match.propose", "match.accept", "match.start", "match.end"]
    assert spare(mentor) == 2


def test_ending_with_a_rematch_sends_the_case_back_to_awaiting_a_match(coordinator):
    mentor = matching_mentor(with_account=True, full_name="Grace Adebayo")
    case = waiting_case()
    match = started(
        services.match_propose(actor=coordinator, case=case, mentor=mentor), coordinator
    )

    services.match_end(
        actor=coordinator, match=match, reason=EndReason.MENTOR_UNAVAILABLE, rematch=True
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH
    assert timeline(case)[-1] == (
        "status.break_match",
        "Match with Grace Adebayo ended: the mentor is no longer available; a new mentor is needed",
    )
    # It ended well enough: the same mentor may be proposed again, and counts as continuity.
    again = services.match_propose(actor=coordinator, case=case, mentor=mentor)
    assert any(
        part["criterion"] == "continuity" and part["points"] > 0 for part in again.explanation
    )


def test_an_accepted_match_can_end_before_it_starts(coordinator):
    match = services.match_propose(actor=coordinator, case=waiting_case(), mentor=matching_mentor())
    services.match_accept(actor=coordinator, match=match)
    services.match_end(actor=coordinator, match=match, reason=EndReason.OTHER, rematch=True)
    match.case.refresh_from_db()
    assert match.case.status == CaseStatus.AWAITING_MATCH


def test_decline_frees_the_place_and_tells_the_coordinator(
    coordinator, django_capture_on_commit_callbacks
):
    mentor = matching_mentor(with_account=True, full_name="Grace Adebayo", caseload_cap=1)
    case = waiting_case()
    match = services.match_propose(actor=coordinator, case=case, mentor=mentor)
    assert spare(mentor) == 0

    with pytest.raises(MatchRefused, match="Choose why you are declining"):
        services.match_decline(actor=mentor.user, match=match, reason="bored")
    with django_capture_on_commit_callbacks(execute=True):
        services.match_decline(
            actor=mentor.user,
            match=match,
            reason=DeclineReason.CONFLICT,
            note="I know the family.",
        )
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert (match.decline_reason, match.decline_note) == ("conflict", "I know the family.")
    assert spare(mentor) == 1
    kind, summary = timeline(case)[-1]
    assert kind == "match.declined"
    assert summary == (
        "Match declined by Grace Adebayo: “I have a connection with this person or their family”"
    )
    assert CaseEvent.objects.get(case=case, kind="match.declined").reason == "I know the family."
    assert Notification.objects.filter(user=coordinator, message__contains="declined")
    assert audited(match) == ["match.propose", "match.decline"]
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH


def test_withdraw_frees_the_place_and_needs_a_reason(
    coordinator, django_capture_on_commit_callbacks
):
    mentor = matching_mentor(with_account=True, full_name="Grace Adebayo", caseload_cap=1)
    case = waiting_case()
    match = services.match_propose(actor=coordinator, case=case, mentor=mentor)

    with pytest.raises(MatchRefused, match="Give the reason"):
        services.match_withdraw(actor=coordinator, match=match, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.match_withdraw(actor=coordinator, match=match, reason="A better fit came free.")
    match.refresh_from_db()
    assert match.status == MatchStatus.WITHDRAWN
    assert match.withdrawn_reason == "A better fit came free."
    assert spare(mentor) == 1
    assert timeline(case)[-1] == ("match.withdrawn", "Proposal to Grace Adebayo withdrawn")
    assert Notification.objects.filter(user=mentor.user, message__contains="withdrawn")
    assert audited(match) == ["match.propose", "match.withdraw"]
    # A withdrawn proposal is no bar to proposing the same mentor again.
    assert services.match_propose(actor=coordinator, case=case, mentor=mentor).is_live


def test_each_step_only_from_the_right_state(coordinator):
    match = services.match_propose(actor=coordinator, case=waiting_case(), mentor=matching_mentor())
    with pytest.raises(MatchRefused, match="now “proposed to the mentor”"):
        services.match_start(
            actor=coordinator, match=match, first_meeting_at=first_meeting(), place="online"
        )
    with pytest.raises(MatchRefused, match="now “proposed to the mentor”"):
        services.match_end(actor=coordinator, match=match, reason=EndReason.OTHER, rematch=True)
    services.match_accept(actor=coordinator, match=match)
    with pytest.raises(MatchRefused, match="now “accepted by the mentor”"):
        services.match_accept(actor=coordinator, match=match)
    with pytest.raises(MatchRefused, match="now “accepted by the mentor”"):
        services.match_withdraw(actor=coordinator, match=match, reason="Too late")
    with pytest.raises(MatchRefused, match="Choose how the first meeting"):
        services.match_start(
            actor=coordinator, match=match, first_meeting_at=first_meeting(), place="garden"
        )
    with pytest.raises(MatchRefused, match="Choose why the match is ending"):
        services.match_end(
            actor=coordinator, match=match, reason=EndReason.CASE_ENDED, rematch=False
        )
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED


# Refusals ------------------------------------------------------------------------------


def refused(coordinator, case, mentor, message):
    """``propose`` refuses with ``message`` and changes nothing."""
    case.refresh_from_db()
    version, events = case.version, CaseEvent.objects.filter(case=case).count()
    matches = Match.objects.count()
    with pytest.raises(MatchRefused) as refusal:
        services.match_propose(actor=coordinator, case=case, mentor=mentor)
    assert str(refusal.value) == message
    case.refresh_from_db()
    assert case.version == version
    assert CaseEvent.objects.filter(case=case).count() == events
    assert Match.objects.count() == matches


def test_no_shared_language(coordinator):
    mentor = matching_mentor(full_name="Ola Nowak", languages=(("Polish", Proficiency.FIRST),))
    refused(
        coordinator,
        waiting_case(languages=("Urdu",)),
        mentor,
        "Ola Nowak cannot take this case: no Urdu.",
    )
    refused(
        coordinator,
        waiting_case(languages=("Urdu", "Punjabi")),
        mentor,
        "Ola Nowak cannot take this case: none of Punjabi or Urdu.",
    )
    # With an interpreter, the language is no bar.
    case = waiting_case(languages=("Urdu",), interpreter_needed=True)
    assert services.match_propose(actor=coordinator, case=case, mentor=mentor).is_live


def test_mentor_gender(coordinator):
    mentor = matching_mentor(full_name="Tom Reid", gender="male")
    case = waiting_case(mentor_gender_preference=MentorGenderPreference.FEMALE)
    refused(coordinator, case, mentor, "Tom Reid cannot take this case: not female.")
    assert services.match_propose(actor=coordinator, case=case, mentor=matching_mentor()).is_live


def test_declared_conflict_of_interest(coordinator):
    mentor = matching_mentor(full_name="Tom Reid")
    ConflictDeclaration.objects.create(mentor=mentor, kind=ConflictKind.FAMILY, name="Okafor")
    case = waiting_case(last_name="Okafor")
    refused(coordinator, case, mentor, "Tom Reid cannot take this case: conflict of interest.")


def test_travel_distance_unless_both_can_meet_online(coordinator):
    mentor = matching_mentor(full_name="Tom Reid", areas=("Coventry",), travel_radius_km=10)
    far = waiting_case(area="Birmingham")
    refused(coordinator, far, mentor, "Tom Reid cannot take this case: outside travel distance.")
    online_case = waiting_case(area="Birmingham", accepts_online=True)
    refused(
        coordinator, online_case, mentor, "Tom Reid cannot take this case: outside travel distance."
    )
    Mentor.objects.filter(pk=mentor.pk).update(offers_online=True)
    refused(coordinator, far, mentor, "Tom Reid cannot take this case: outside travel distance.")
    assert services.match_propose(actor=coordinator, case=online_case, mentor=mentor).is_live
    Mentor.objects.filter(pk=mentor.pk).update(travel_radius_km=30)
    assert services.match_propose(actor=coordinator, case=far, mentor=mentor).is_live


def test_experience_an_urgent_case_requires(coordinator):
    trainee = matching_mentor(full_name="Tom Reid")
    trainee.accreditations.update(level=AccreditationLevel.objects.get(code="trainee"))
    urgent = waiting_case(urgency=Urgency.URGENT)
    refused(
        coordinator,
        urgent,
        trainee,
        "Tom Reid cannot take this case: below the accreditation level required.",
    )
    assert services.match_propose(
        actor=coordinator, case=waiting_case(urgency=Urgency.ROUTINE), mentor=trainee
    ).is_live
    senior = matching_mentor()
    accredit(senior, level_code="senior")
    assert services.match_propose(actor=coordinator, case=urgent, mentor=senior).is_live


def test_a_match_that_ended_badly_or_was_declined_is_never_proposed_again(coordinator):
    ended_badly = matching_mentor(full_name="Tom Reid")
    declined = matching_mentor(full_name="Ann Lee")
    case = waiting_case()
    live_match(case, ended_badly, status=MatchStatus.ENDED, end_reason=EndReason.CONDUCT)
    live_match(case, declined, status=MatchStatus.DECLINED)
    refused(
        coordinator,
        case,
        ended_badly,
        "Tom Reid cannot take this case: declined or ended badly with this person before.",
    )
    refused(
        coordinator,
        case,
        declined,
        "Ann Lee cannot take this case: declined or ended badly with this person before.",
    )


def test_a_mentor_at_capacity(coordinator):
    mentor = matching_mentor(full_name="Tom Reid", caseload_cap=2)
    services.match_propose(actor=coordinator, case=waiting_case(), mentor=mentor)
    services.match_accept(actor=coordinator, match=Match.objects.get(mentor=mentor))
    services.match_propose(actor=coordinator, case=waiting_case(), mentor=mentor)
    refused(coordinator, waiting_case(), mentor, "Tom Reid cannot take this case: at capacity.")


def test_a_mentor_the_register_says_cannot_take_a_case(coordinator):
    expired = matching_mentor(full_name="Tom Reid")
    VettingCheck.objects.filter(mentor=expired, check_type__code="enhanced-dbs").update(
        expires_on=timezone.localdate()
    )
    refused(
        coordinator,
        waiting_case(),
        expired,
        # The register's own reason, in words.
        "Tom Reid cannot take this case: Enhanced criminal-records check with barred list "
        f"expired on {long_date(timezone.localdate())}.",
    )
    paused = matching_mentor(full_name="Ann Lee")
    Mentor.objects.filter(pk=paused.pk).update(status=MentorStatus.PAUSED)
    refused(coordinator, waiting_case(), paused, "Ann Lee is not an active mentor.")


def test_only_a_case_awaiting_a_match_without_a_live_proposal(coordinator):
    mentor = matching_mentor(caseload_cap=3)
    in_assessment = make_case(status=CaseStatus.ASSESSMENT)
    refused(
        coordinator,
        in_assessment,
        mentor,
        "The status of this case is “Assessment”: only a case awaiting a match can be matched.",
    )
    case = waiting_case()
    services.match_propose(actor=coordinator, case=case, mentor=mentor)
    refused(coordinator, case, matching_mentor(), "This case already has a live match or proposal.")
    refused(coordinator, case, mentor, "This case already has a live match or proposal.")


def test_a_stale_case_version_is_a_conflict(coordinator):
    mentor = matching_mentor()
    case = waiting_case()
    seen = case.version
    case_change_status(actor=coordinator, case=case, action="hold", reason="Exams")
    case_change_status(actor=coordinator, case=case, action="resume")
    with pytest.raises(CaseConflict):
        services.match_propose(actor=coordinator, case=case, mentor=mentor, expected_version=seen)
    assert not Match.objects.exists()
    case.refresh_from_db()
    match = services.match_propose(
        actor=coordinator, case=case, mentor=mentor, expected_version=case.version
    )
    assert match.is_live


# The case moving on without the match --------------------------------------------------


def test_consent_withdrawn_ends_an_active_match_and_withdraws_a_proposal(
    coordinator, django_capture_on_commit_callbacks
):
    mentor = matching_mentor(with_account=True, caseload_cap=2)
    active_case = waiting_case()
    active = started(
        services.match_propose(actor=coordinator, case=active_case, mentor=mentor), coordinator
    )
    proposed_case = waiting_case()
    proposed = services.match_propose(actor=coordinator, case=proposed_case, mentor=mentor)
    assert spare(mentor) == 0

    for case in (active_case, proposed_case):
        case.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            case_change_status(
                actor=coordinator,
                case=case,
                action="withdraw_consent",
                reason="No longer wishes to take part",
            )
    active.refresh_from_db()
    proposed.refresh_from_db()
    assert active.status == MatchStatus.ENDED
    assert active.end_reason == EndReason.CASE_ENDED and active.ended_by == coordinator
    assert proposed.status == MatchStatus.WITHDRAWN
    assert proposed.withdrawn_reason == "The case became consent withdrawn."
    assert audited(active)[-1] == "match.end" and audited(proposed)[-1] == "match.withdraw"
    assert Notification.objects.filter(user=mentor.user, message__contains="moved on").count() == 2
    assert spare(mentor) == 2


def test_on_hold_withdraws_a_proposal_but_keeps_an_active_match(coordinator):
    mentor = matching_mentor(caseload_cap=2)
    active_case = waiting_case()
    active = started(
        services.match_propose(actor=coordinator, case=active_case, mentor=mentor), coordinator
    )
    proposed_case = waiting_case()
    proposed = services.match_propose(actor=coordinator, case=proposed_case, mentor=mentor)

    for case in (active_case, proposed_case):
        case.refresh_from_db()
        case_change_status(actor=coordinator, case=case, action="hold", reason="Exams")
    active.refresh_from_db()
    proposed.refresh_from_db()
    assert active.status == MatchStatus.ACTIVE
    assert proposed.status == MatchStatus.WITHDRAWN
    assert proposed.withdrawn_reason == "The case became on hold."
    assert spare(mentor) == 1


# Capacity in the mentor register --------------------------------------------------------


def test_live_matches_fill_the_cap_in_the_register_too(coordinator):
    mentor = matching_mentor(caseload_cap=2)

    def register():
        one = prefetch_for_matchability(Mentor.objects.filter(pk=mentor.pk)).get()
        annotated = annotate_matchable(Mentor.objects.filter(pk=mentor.pk)).get()
        return mentor_matchability(one, Rules.load()).reasons, annotated.is_matchable

    first = services.match_propose(actor=coordinator, case=waiting_case(), mentor=mentor)
    assert register() == ((), True)
    started(first, coordinator)
    second = services.match_propose(actor=coordinator, case=waiting_case(), mentor=mentor)
    assert register() == (("No spare capacity (2 of 2 cases)",), False)
    services.match_decline(actor=coordinator, match=second, reason=DeclineReason.NO_CAPACITY)
    assert register() == ((), True)


# Batch proposals -----------------------------------------------------------------------


def best_assignment(cases, mentors):
    """By brute force over every assignment: (most matched, then highest total score),
    with each pair's verdict from ``evaluate_pair`` and each mentor's spare places."""
    verdicts = {
        (i, j): selectors.evaluate_pair(case, mentor)
        for i, case in enumerate(cases)
        for j, mentor in enumerate(mentors)
    }
    places = [spare(mentor) for mentor in mentors]
    options = [
        [-1] + [j for j in range(len(mentors)) if verdicts[(i, j)].allowed]
        for i in range(len(cases))
    ]
    best = (0, 0)
    for choice in itertools.product(*options):
        used = Counter(j for j in choice if j >= 0)
        if any(used[j] > places[j] for j in used):
            continue
        value = (
            sum(j >= 0 for j in choice),
            sum(verdicts[(i, j)].score for i, j in enumerate(choice) if j >= 0),
        )
        best = max(best, value)
    return best, verdicts


def check_batch(batch, cases, mentors):
    best, verdicts = best_assignment(cases, mentors)
    pairs = list(batch.pairs.all())
    assert (batch.optimal_matched, batch.optimal_score) == best
    assert (len(pairs), sum(p.score for p in pairs)) == best
    assert batch.cases_waiting == len(cases)
    index = {m.pk: j for j, m in enumerate(mentors)}
    for pair in pairs:
        verdict = verdicts[([c.pk for c in cases].index(pair.case_id), index[pair.mentor_id])]
        assert verdict.allowed and verdict.score == pair.score
    used = Counter(p.mentor_id for p in pairs)
    assert all(used[m.pk] <= spare(m) for m in mentors)


@pytest.fixture
def contested(coordinator):
    """Four waiting cases and three mentors where the most urgent case's favourite is
    the only mentor another case can have."""
    urdu = matching_mentor(
        full_name="Urdu speaker",
        gender="male",
        languages=(("English", Proficiency.FLUENT), ("Urdu", Proficiency.FIRST)),
        caseload_cap=1,
    )
    english = matching_mentor(full_name="English speaker", gender="male", caseload_cap=3)
    live_match(make_case(status=CaseStatus.MATCHED), english, status=MatchStatus.ACCEPTED)
    somali = matching_mentor(
        full_name="Somali speaker",
        languages=(("English", Proficiency.FLUENT), ("Somali", Proficiency.FIRST)),
        caseload_cap=1,
    )
    for mentor in (urdu, english):  # urgent cases need a senior mentor
        accredit(mentor, level_code="senior")
    urgent = waiting_case(languages=("English", "Urdu"), urgency=Urgency.URGENT)
    urgent.preferred_language = Language.objects.get(name="Urdu")
    urgent.save()
    only_urdu = waiting_case(languages=("Urdu",))
    any_english = waiting_case(languages=("English",))
    only_somali = waiting_case(languages=("Somali",))
    return [urgent, only_urdu, any_english, only_somali], [urdu, english, somali]


def test_a_batch_is_the_optimal_assignment(coordinator, contested):
    cases, mentors = contested
    batch = services.batch_create(actor=coordinator)
    assert batch.status == BatchStatus.DRAFT
    check_batch(batch, cases, mentors)
    chosen = dict(batch.pairs.values_list("case_id", "mentor__full_name"))
    assert chosen[cases[1].pk] == "Urdu speaker"  # not given to the urgent case
    assert chosen[cases[3].pk] == "Somali speaker"
    assert len(chosen) == 4
    # Nothing is proposed until the batch is confirmed.
    assert not Match.objects.filter(status=MatchStatus.PROPOSED).exists()
    assert AuditEvent.objects.filter(
        action="matching.batch_create", object_id=str(batch.pk)
    ).exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_matches_brute_force_on_small_random_instances(coordinator, seed):
    rng = random.Random(seed)
    languages = ["English", "Urdu", "Somali"]
    areas = ["Birmingham", "Sandwell", "Coventry"]
    mentors = []
    for n in range(3):
        spoken = rng.sample(languages, k=rng.randint(1, 2))
        mentors.append(
            matching_mentor(
                full_name=f"Mentor {seed}-{n}",
                gender=rng.choice(["female", "male"]),
                languages=tuple((name, Proficiency.FIRST) for name in spoken),
                areas=(rng.choice(areas),),
                specialisms=tuple(rng.sample(["youth-work", "mental-health", "ete"], k=2)),
                travel_radius_km=rng.choice([5, 15, 40]),
                caseload_cap=rng.randint(1, 2),
            )
        )
    cases = [
        waiting_case(
            languages=tuple(rng.sample(languages, k=rng.randint(1, 2))),
            area=rng.choice(areas),
            mentor_gender_preference=rng.choice(["any", "any", "female", "male"]),
            age_at_referral=rng.randint(14, 40),
        )
        for _ in range(4)
    ]
    batch = services.batch_create(actor=coordinator)
    check_batch(batch, cases, mentors)


def test_change_remove_and_confirm_a_batch(coordinator, contested):
    (urgent, only_urdu, any_english, only_somali), (urdu, english, somali) = contested
    batch = services.batch_create(actor=coordinator)

    # The Urdu speaker's one place is taken by another pair of the batch.
    options = {o.mentor.pk: o for o in selectors.alternatives(batch, any_english)}
    assert options[urdu.pk].places_left == 0
    assert options[english.pk].places_left == 1  # two places, one used by the urgent case
    with pytest.raises(MatchRefused, match="no place left in this batch"):
        services.batch_pair_change(actor=coordinator, batch=batch, case=any_english, mentor=urdu)
    with pytest.raises(MatchRefused, match="English speaker cannot take this case"):
        services.batch_pair_change(actor=coordinator, batch=batch, case=only_urdu, mentor=english)

    services.batch_pair_remove(actor=coordinator, batch=batch, case=only_somali)
    with pytest.raises(MatchRefused, match="no longer in this batch"):
        services.batch_pair_remove(actor=coordinator, batch=batch, case=only_somali)
    option = services.batch_pair_change(
        actor=coordinator, batch=batch, case=any_english, mentor=somali
    )
    pair = batch.pairs.get(case=any_english)
    assert (pair.mentor, pair.score, pair.changed) == (somali, option.score, True)
    assert option.score == selectors.evaluate_pair(any_english, somali).score

    # Meanwhile another coordinator gives the Somali speaker's only place away.
    services.match_propose(actor=create_user("coordinator"), case=only_somali, mentor=somali)

    confirmation = services.batch_confirm(actor=coordinator, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONFIRMED and batch.decided_by == coordinator
    assert sorted(m.case_id for m in confirmation.proposed) == sorted([urgent.pk, only_urdu.pk])
    assert all(m.batch == batch and m.status == MatchStatus.PROPOSED for m in confirmation.proposed)
    ((refused_pair, reason),) = confirmation.refused
    assert refused_pair.case == any_english
    assert reason == "Somali speaker cannot take this case: at capacity."
    assert spare(somali) == 0 and spare(urdu) == 0 and spare(english) == 1
    with pytest.raises(MatchRefused, match="already confirmed"):
        services.batch_confirm(actor=coordinator, batch=batch)
    with pytest.raises(MatchRefused, match="already confirmed"):
        services.batch_pair_remove(actor=coordinator, batch=batch, case=urgent)


def test_a_discarded_batch_proposes_nothing(coordinator, contested):
    batch = services.batch_create(actor=coordinator)
    services.batch_discard(actor=coordinator, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED and batch.decided_at is not None
    assert not Match.objects.filter(status=MatchStatus.PROPOSED).exists()
    with pytest.raises(MatchRefused, match="already discarded"):
        services.batch_confirm(actor=coordinator, batch=batch)
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(batch.pk), object_type="matching.batchproposal"
        ).values_list("action", flat=True)
    )
    assert actions == {"matching.batch_create", "matching.batch_discard"}


def test_cases_with_a_live_proposal_are_not_waiting_for_a_batch(coordinator, contested):
    cases, (_, _, somali) = contested
    services.match_propose(actor=coordinator, case=cases[3], mentor=somali)
    waiting = list(selectors.waiting_cases())
    assert cases[3] not in waiting
    assert waiting[0] == cases[0]  # the urgent case first
    batch = services.batch_create(actor=coordinator)
    assert batch.cases_waiting == 3
    assert not batch.pairs.filter(mentor=somali).exists()  # no place left


def test_the_explanation_is_stored_encrypted(coordinator):
    """Its words speak of the person's needs (here their area), so they are sealed."""
    from django.db import connection

    mentor = matching_mentor()
    case = waiting_case()
    match = services.match_propose(actor=coordinator, case=case, mentor=mentor)
    assert any("Birmingham" in part["words"] for part in match.explanation)
    with connection.cursor() as cursor:
        cursor.execute("SELECT explanation_json FROM matching_match WHERE id = %s", [match.pk])
        (stored,) = cursor.fetchone()
    assert stored and "Birmingham" not in stored and "words" not in stored
    assert Match.objects.get(pk=match.pk).explanation == match.explanation
