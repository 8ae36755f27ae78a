"""Every change matching makes goes through here: matches, batch proposals, a case's
matching needs and the matching policy, each audited in its own transaction.

Capacity is decided under a lock on the mentor's row: ``match_propose`` locks the mentor,
counts their live matches and only then creates the proposal, inside one
transaction. Two coordinators proposing the mentor's last place at the same moment
are therefore serialised, and the second sees the first's proposal and is refused.
The database backs this up: a case can never have two live matches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.cases.lifecycle import ENDED
from tandem.cases.models import Case, CaseStatus
from tandem.cases.services.lifecycle import case_event_add, case_transition, case_version_claim
from tandem.cases.services.referrals import case_referral_needs_update
from tandem.core.links import url_if_installed
from tandem.core.models import assign_changes
from tandem.core.notifications import notify
from tandem.mentors.models import Mentor

from . import engine, scoring
from .features import load_cases, load_pool, weights_of
from .fit import fit_label
from .guards import case_hold, held_cases
from .models import (
    LIVE,
    BatchPair,
    BatchProposal,
    BatchStatus,
    CaseNeeds,
    DeclineReason,
    EndReason,
    Match,
    MatchingPolicy,
    MatchStatus,
    MeetingPlace,
)
from .needs import CASE_NEEDS_FIELDS, NEEDS_LABELS
from .selectors import PairVerdict, evaluate_pair, waiting_cases
from .signals import match_started


class MatchRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


class NeedsRefused(Exception):
    """The needs cannot be changed; the message is safe to show."""


# The match lifecycle -------------------------------------------------------------------


def _mentor_users(mentor: Mentor):
    return [mentor.user] if mentor.user_id and mentor.user.is_active else []


def _lock_match(match: Match, *expected: str) -> Match:
    locked = Match.objects.select_for_update().select_related("case", "mentor").get(pk=match.pk)
    if locked.status not in expected:
        raise MatchRefused(
            f"This match is now “{locked.get_status_display().lower()}”, so that is no longer "
            "possible. The page shows it as it is now."
        )
    return locked


def match_list_audit(*, actor, filters: Iterable[str] = (), request=None) -> None:
    """Who listed matches, and with which filters (names only, never the values)."""
    record_event(
        actor=actor,
        action="match.list",
        object_type="matching.match",
        changed_fields=filters,
        request=request,
    )


@transaction.atomic
def match_propose(
    *,
    actor,
    case: Case,
    mentor: Mentor,
    expected_version: int | None = None,
    batch: BatchProposal | None = None,
    request=None,
) -> Match:
    """Propose ``mentor`` for ``case``; the proposal holds one of the mentor's places."""
    # Lock the mentor first: every capacity decision for this mentor queues here.
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    case = case_version_claim(case=case, expected_version=expected_version)
    if case.status != CaseStatus.AWAITING_MATCH:
        raise MatchRefused(
            f"The status of this case is “{CaseStatus(case.status).label}”: only a case awaiting a "
            "match can be matched."
        )
    if Match.objects.filter(case=case, status__in=LIVE).exists():
        raise MatchRefused("This case already has a live match or proposal.")
    if hold := case_hold(case):
        raise MatchRefused(hold)
    verdict = evaluate_pair(case, mentor)
    if not verdict.allowed:
        raise MatchRefused(verdict.reason)
    try:
        with transaction.atomic():
            match = Match.objects.create(
                case=case,
                mentor=mentor,
                score=verdict.score,
                explanation=verdict.explanation,
                batch=batch,
                proposed_by=actor,
            )
    except IntegrityError:
        raise MatchRefused("This case already has a live match or proposal.") from None
    case_event_add(
        case=case,
        kind="match.proposed",
        summary=(
            f"Match proposed to {mentor.full_name} "
            f"({fit_label(verdict.score).lower()}, {verdict.score} points)"
        ),
        actor=actor,
    )
    record_event(
        actor=actor,
        action="match.propose",
        obj=match,
        request=request,
        changed_fields=["case", "mentor", "status", "score"],
    )
    notify(
        users=_mentor_users(mentor),
        message=f"You have been proposed as the mentor for {case.reference}. Accept or "
        "decline the proposal.",
        link=url_if_installed("matching:match_detail", pk=match.pk),
    )
    return match


@transaction.atomic
def match_accept(*, actor, match: Match, request=None) -> Match:
    match = _lock_match(match, MatchStatus.PROPOSED)
    match.status = MatchStatus.ACCEPTED
    match.responded_at = timezone.now()
    match.save(update_fields=["status", "responded_at"])
    case_transition(
        actor=actor,
        case=match.case,
        action="match",
        request=request,
        summary=f"Match accepted by {match.mentor.full_name}",
    )
    record_event(
        actor=actor, action="match.accept", obj=match, request=request, changed_fields=["status"]
    )
    notify(
        users=[match.proposed_by, *active_coordinators()],
        message=f"The mentor accepted the match for {match.case.reference}. Arrange the "
        "first meeting to start it.",
        link=url_if_installed("matching:match_detail", pk=match.pk),
    )
    return match


@transaction.atomic
def match_decline(*, actor, match: Match, reason: str, note: str = "", request=None) -> Match:
    if reason not in DeclineReason.values:
        raise MatchRefused("Choose why you are declining.")
    match = _lock_match(match, MatchStatus.PROPOSED)
    match.status = MatchStatus.DECLINED
    match.responded_at = timezone.now()
    match.decline_reason = reason
    match.decline_note = note.strip()
    match.save(update_fields=["status", "responded_at", "decline_reason", "decline_note"])
    case_event_add(
        case=match.case,
        kind="match.declined",
        # The reasons are the mentor's own words ("I cannot take on …"): quoted as they are.
        summary=f"Match declined by {match.mentor.full_name}: “{DeclineReason(reason).label}”",
        actor=actor,
        reason=note.strip(),
    )
    record_event(
        actor=actor,
        action="match.decline",
        obj=match,
        request=request,
        changed_fields=["status", "decline_reason", "decline_note"],
    )
    notify(
        users=[match.proposed_by],
        message=f"The mentor declined the match for {match.case.reference}. Choose another mentor.",
        link=url_if_installed("matching:suggestions", pk=match.case_id),
    )
    return match


@transaction.atomic
def match_withdraw(*, actor, match: Match, reason: str, request=None) -> Match:
    """A coordinator takes back a proposal the mentor has not answered."""
    if not reason.strip():
        raise MatchRefused("Give the reason for withdrawing the proposal.")
    match = _lock_match(match, MatchStatus.PROPOSED)
    match.status = MatchStatus.WITHDRAWN
    match.withdrawn_reason = reason.strip()
    match.responded_at = timezone.now()
    match.save(update_fields=["status", "withdrawn_reason", "responded_at"])
    case_event_add(
        case=match.case,
        kind="match.withdrawn",
        summary=f"Proposal to {match.mentor.full_name} withdrawn",
        actor=actor,
        reason=reason.strip(),
    )
    record_event(
        actor=actor,
        action="match.withdraw",
        obj=match,
        request=request,
        changed_fields=["status", "withdrawn_reason"],
    )
    notify(
        users=_mentor_users(match.mentor),
        message=f"The proposal for {match.case.reference} was withdrawn.",
        link=url_if_installed("matching:my_matches"),
    )
    return match


@transaction.atomic
def match_start(
    *, actor, match: Match, first_meeting_at: dt.datetime, place: str, request=None
) -> Match:
    """Start an accepted match by arranging the first meeting."""
    if place not in MeetingPlace.values:
        raise MatchRefused("Choose how the first meeting will take place.")
    match = _lock_match(match, MatchStatus.ACCEPTED)
    match.status = MatchStatus.ACTIVE
    match.started_at = timezone.now()
    match.first_meeting_at = first_meeting_at
    match.first_meeting_place = place
    match.save(update_fields=["status", "started_at", "first_meeting_at", "first_meeting_place"])
    when = timezone.localtime(first_meeting_at)
    case_transition(
        actor=actor,
        case=match.case,
        action="start_support",
        request=request,
        summary=f"Match started: first meeting {when:%-d %B %Y at %H:%M} "
        f"({MeetingPlace(place).label.lower()})",
    )
    record_event(
        actor=actor,
        action="match.start",
        obj=match,
        request=request,
        changed_fields=["status", "first_meeting_at", "first_meeting_place"],
    )
    match_started.send(sender=Match, match=match, actor=actor, request=request)
    notify(
        users=[*_mentor_users(match.mentor), match.proposed_by],
        message=f"The match for {match.case.reference} has started: first meeting "
        f"{when:%-d %B %Y at %H:%M}.",
        link=url_if_installed("matching:match_detail", pk=match.pk),
    )
    return match


@transaction.atomic
def match_end(
    *, actor, match: Match, reason: str, note: str = "", rematch: bool, request=None
) -> Match:
    """End an accepted or active match. With ``rematch`` the case goes back to awaiting
    a match; otherwise it moves on to closing."""
    if reason not in EndReason.values or reason == EndReason.CASE_ENDED:
        raise MatchRefused("Choose why the match is ending.")
    match = _lock_match(match, MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
    _close(match, actor=actor, reason=reason, note=note, rematch=rematch)
    action = "break_match" if rematch else "start_closing"
    label = EndReason(reason).label
    case_transition(
        actor=actor,
        case=match.case,
        action=action,
        request=request,
        reason=note.strip(),
        summary=f"Match with {match.mentor.full_name} ended: {label[0].lower()}{label[1:]}"
        + ("; a new mentor is needed" if rematch else "; the case moves to closing"),
    )
    record_event(
        actor=actor,
        action="match.end",
        obj=match,
        request=request,
        changed_fields=["status", "end_reason", "end_note", "rematch"],
    )
    notify(
        users=_mentor_users(match.mentor),
        message=f"Your match for {match.case.reference} has ended.",
        link=url_if_installed("matching:my_matches"),
    )
    return match


def _close(match: Match, *, actor, reason: str, note: str = "", rematch: bool = False) -> None:
    match.status = MatchStatus.ENDED
    match.ended_at = timezone.now()
    match.ended_by = actor
    match.end_reason = reason
    match.end_note = note.strip()
    match.rematch = rematch
    match.save(
        update_fields=["status", "ended_at", "ended_by", "end_reason", "end_note", "rematch"]
    )


def matches_follow_case(*, actor, case: Case, to_status: str, request=None) -> None:
    """Keep live matches in step when the case moves on without them: an ended case ends
    its match and withdraws any proposal; a case put on hold withdraws a proposal."""
    if to_status not in ENDED and to_status != CaseStatus.ON_HOLD:
        return
    for match in Match.objects.select_for_update().filter(case=case, status__in=LIVE):
        if match.status == MatchStatus.PROPOSED:
            match.status = MatchStatus.WITHDRAWN
            match.responded_at = timezone.now()
            match.withdrawn_reason = f"The case became {CaseStatus(to_status).label.lower()}."
            match.save(update_fields=["status", "responded_at", "withdrawn_reason"])
            change = "match.withdraw"
        elif to_status in ENDED:
            _close(match, actor=actor, reason=EndReason.CASE_ENDED)
            change = "match.end"
        else:
            continue  # on hold: the mentor stays matched
        record_event(
            actor=actor, action=change, obj=match, request=request, changed_fields=["status"]
        )
        notify(
            users=_mentor_users(match.mentor),
            message=f"Your match for {case.reference} has ended because the case moved on.",
            link=url_if_installed("matching:my_matches"),
        )


# Batch proposals -----------------------------------------------------------------------


@transaction.atomic
def batch_create(*, actor, request=None) -> BatchProposal:
    """The optimal assignment for every case waiting now, saved for review."""
    policy = MatchingPolicy.load()
    waiting_now = waiting_cases()
    if (held := held_cases()) is not None:
        waiting_now = waiting_now.exclude(held)
    cases = list(waiting_now)
    pool = load_pool()
    waiting = load_cases(cases, pool, policy)
    pair_case, pair_mentor, pair_score = scoring.allowed_pairs(
        waiting.arrays, pool.arrays, weights_of(policy)
    )
    capacity = np.clip(pool.arrays.spare, 0, None) * pool.arrays.matchable
    chosen = engine.assign(len(cases), capacity, pair_case, pair_mentor, pair_score)
    score_of = dict(
        zip(
            zip(pair_case.tolist(), pair_mentor.tolist(), strict=True),
            pair_score.tolist(),
            strict=True,
        )
    )
    batch = BatchProposal.objects.create(created_by=actor, cases_waiting=len(cases))
    pairs = [
        BatchPair(
            batch=batch,
            case=cases[i],
            mentor_id=int(pool.pks[j]),
            score=score_of[(i, int(j))],
        )
        for i, j in enumerate(chosen.tolist())
        if j >= 0
    ]
    BatchPair.objects.bulk_create(pairs)
    batch.optimal_matched = len(pairs)
    batch.optimal_score = sum(p.score for p in pairs)
    batch.save(update_fields=["optimal_matched", "optimal_score"])
    record_event(
        actor=actor,
        action="matching.batch_create",
        obj=batch,
        request=request,
        changed_fields=["pairs"],
    )
    return batch


def _draft(batch: BatchProposal) -> BatchProposal:
    locked = BatchProposal.objects.select_for_update().get(pk=batch.pk)
    if locked.status != BatchStatus.DRAFT:
        raise MatchRefused(f"This batch proposal is already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def batch_pair_change(
    *, actor, batch: BatchProposal, case: Case, mentor: Mentor, request=None
) -> PairVerdict:
    batch = _draft(batch)
    if not batch.pairs.filter(case=case).exists() and case.status != CaseStatus.AWAITING_MATCH:
        raise MatchRefused("This case is not waiting for a match.")
    verdict = evaluate_pair(case, mentor)  # this one pair, not every alternative
    if not verdict.allowed:
        raise MatchRefused(verdict.reason)
    in_batch = batch.pairs.filter(mentor=mentor).exclude(case=case).count()
    if verdict.spare - in_batch <= 0:
        raise MatchRefused(
            f"{mentor} has no place left in this batch. Remove or change one of their other "
            "pairs first."
        )
    BatchPair.objects.update_or_create(
        batch=batch, case=case, defaults={"mentor": mentor, "score": verdict.score, "changed": True}
    )
    record_event(
        actor=actor,
        action="matching.batch_change",
        obj=batch,
        request=request,
        changed_fields=["pairs"],
    )
    return verdict


@transaction.atomic
def batch_pair_remove(*, actor, batch: BatchProposal, case: Case, request=None) -> None:
    batch = _draft(batch)
    deleted, _ = batch.pairs.filter(case=case).delete()
    if not deleted:
        raise MatchRefused("That pair is no longer in this batch.")
    record_event(
        actor=actor,
        action="matching.batch_remove",
        obj=batch,
        request=request,
        changed_fields=["pairs"],
    )


@dataclass(frozen=True)
class Confirmation:
    proposed: list[Match]
    refused: list[tuple[BatchPair, str]]


def batch_confirm(*, actor, batch: BatchProposal, request=None) -> Confirmation:
    """Propose every pair of the batch to its mentor. Each pair is proposed on its own
    (so one that is no longer possible, say because the mentor's place went meanwhile,
    is reported and the others still go ahead)."""
    with transaction.atomic():
        batch = _draft(batch)
        batch.status = BatchStatus.CONFIRMED
        batch.decided_by = actor
        batch.decided_at = timezone.now()
        batch.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            actor=actor,
            action="matching.batch_confirm",
            obj=batch,
            request=request,
            changed_fields=["status"],
        )
    proposed, refused = [], []
    for pair in batch.pairs.select_related("case", "mentor"):
        try:
            proposed.append(
                match_propose(
                    actor=actor, case=pair.case, mentor=pair.mentor, batch=batch, request=request
                )
            )
        except MatchRefused as refusal:
            refused.append((pair, str(refusal)))
    return Confirmation(proposed=proposed, refused=refused)


@transaction.atomic
def batch_discard(*, actor, batch: BatchProposal, request=None) -> None:
    batch = _draft(batch)
    batch.status = BatchStatus.DISCARDED
    batch.decided_by = actor
    batch.decided_at = timezone.now()
    batch.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        actor=actor,
        action="matching.batch_discard",
        obj=batch,
        request=request,
        changed_fields=["status"],
    )


# A case's matching needs ---------------------------------------------------------------


@transaction.atomic
def case_needs_update(
    *, actor, case: Case, needs: dict, expected_version: int | None, request=None
) -> list[str]:
    """Save ``needs`` (by the names in ``NEEDS_LABELS``: ``languages`` an iterable of
    languages, related fields objects or None) and return the names of the fields that
    changed. The referral's statement is changed through the cases app, the rest in
    ``CaseNeeds``; one timeline line and one audit event name them all.

    Claiming the case's version refuses a form posted from a stale page; nothing is
    written when nothing changed, not even the version."""
    locked = case_version_claim(case=case, expected_version=expected_version)
    if locked.status in ENDED:
        raise NeedsRefused(
            f"This case has ended ({CaseStatus(locked.status).label.lower()}): its matching "
            "needs can no longer be changed."
        )
    stated = case_referral_needs_update(case=locked, needs=needs)
    own, _ = CaseNeeds.objects.get_or_create(case=locked)
    fields = assign_changes(own, {name: needs[name] for name in CASE_NEEDS_FIELDS})
    if fields:
        own.save(update_fields=fields)
    changed = [name for name in NEEDS_LABELS if name in {*stated, *fields}]
    if not changed:
        transaction.set_rollback(True)
        return []
    case_event_add(
        case=locked,
        kind="matching.needs",
        summary="Matching needs changed (" + ", ".join(NEEDS_LABELS[n] for n in changed) + ")",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="case.matching_needs",
        obj=locked,
        request=request,
        changed_fields=changed,
    )
    return changed


# The matching policy -------------------------------------------------------------------


@transaction.atomic
def matching_policy_update(*, actor, policy: MatchingPolicy, data: dict, request=None) -> list[str]:
    """Set the policy's fields in ``data`` (by field name; accreditation levels as objects
    or None) and return the names that changed; nothing is written when none did."""
    policy = MatchingPolicy.objects.select_for_update().get(pk=policy.pk)
    changed = assign_changes(policy, data)
    if not changed:
        return []
    policy.updated_by = actor
    policy.save(update_fields=[*changed, "updated_by", "updated_at"])
    record_event(
        actor=actor,
        action="matching.policy_change",
        obj=policy,
        request=request,
        changed_fields=changed,
    )
    return changed
