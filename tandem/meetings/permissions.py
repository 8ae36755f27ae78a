"""Who reaches what in meetings: sessions, their private notes, a case's sessions and
the meeting brief; contact monitoring, lone working and the calendar feed; claims.

A mentor reaches the sessions of their own working match (accepted or active); a
supervisor the sessions of their supervisees' working matches; a coordinator every
session, but never the private notes. The private notes have their own resource so
that the access matrix says in one place who reads them.

Extension point: ``private_notes_readers`` lets a capability built later (the
safeguarding lead reads the notes of a session a concern refers to) add who else
reaches private notes through a scope, without meetings knowing about it::

    private_notes_readers.register(Scope.MATCHED, lambda user: Q(...))

and a matching line for the role under ``[resources.session_private_notes]`` in the
access matrix. Until a scope is registered it reaches nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from tandem.cases.models import Case
from tandem.cases.permissions import CasePolicy
from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy
from tandem.matching.models import WORKING
from tandem.mentors.models import MentorSpecialism, MentorStatus

from .models import AdviceQuestion, CalendarFeed, Claim, ClaimRate, Session


class PrivateNotesReaders:
    """Extra readers of private notes: for a scope, the sessions it reaches for a user."""

    def __init__(self):
        self._rules: dict[Scope, Callable] = {}

    def register(self, scope: Scope, rule: Callable) -> None:
        self._rules[scope] = rule

    def unregister(self, scope: Scope) -> None:
        self._rules.pop(scope, None)

    def condition(self, user, scope: Scope) -> Q | None:
        rule = self._rules.get(scope)
        return rule(user) if rule is not None else None


private_notes_readers = PrivateNotesReaders()


class SessionPolicy(PermissionPolicy):
    """A session: its mentor (working match), their supervisor, coordinators."""

    model = Session

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(mentor__user=user, match__status__in=WORKING)
        if scope is Scope.SUPERVISEES:
            return Q(mentor__supervisor=user, match__status__in=WORKING)
        return super().scope_filter(user, scope)


class PrivateNotesPolicy(SessionPolicy):
    """The private working notes of a session: the session's mentor, their supervisor,
    and whoever ``private_notes_readers`` adds. Never coordinators as such."""

    def scope_filter(self, user, scope):
        if scope in (Scope.OWN, Scope.SUPERVISEES):
            return super().scope_filter(user, scope)
        return private_notes_readers.condition(user, scope)


sessions = SessionPolicy("session")
private_notes = PrivateNotesPolicy("session_private_notes")
# A case's sessions (the mentor's workspace, the Sessions tab, logging and scheduling).
case_sessions = CasePolicy("case_sessions")
# What a mentor needs to meet the person: coordinators and the matched mentor only.
meeting_briefs = CasePolicy("meeting_brief")


# Contact monitoring, lone working and the calendar feed ---------------------------------


class ContactPolicy(PermissionPolicy):
    """The contact record of a case: the overdue list and coordinator check-ins."""

    resource = "contact_monitoring"
    model = Case


class MentorsOwnPolicy(PermissionPolicy):
    """A record that is a mentor's own, whatever the state of the match it came from (a
    session to check in to or to claim for, a claim): ``own`` is the mentor's."""

    def __init__(self, resource: str, model):
        self.resource = resource
        self.model = model

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(mentor__user=user)
        return super().scope_filter(user, scope)


class LoneWorkingAlertPolicy(PermissionPolicy):
    """Missed check-outs: seen and acknowledged by coordinators (and safeguarding leads,
    to whom they escalate)."""

    resource = "lone_working_alert"
    model = Session


class CalendarFeedPolicy(PermissionPolicy):
    resource = "calendar_feed"
    model = CalendarFeed

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(user=user)
        return super().scope_filter(user, scope)


contact = ContactPolicy()
# A session's lone-working check-in and check-out.
lone_working = MentorsOwnPolicy("lone_working", Session)
lone_working_alerts = LoneWorkingAlertPolicy()
calendar_feeds = CalendarFeedPolicy()


# Claims --------------------------------------------------------------------------------


class ClaimRatePolicy(PermissionPolicy):
    resource = "claim_rate"
    model = ClaimRate


claims = MentorsOwnPolicy("claim", Claim)
claim_queue = MentorsOwnPolicy("claim_queue", Claim)
# Claiming for a session: the mentor whose session it was.
session_claims = MentorsOwnPolicy("session_claim", Session)
claim_rates = ClaimRatePolicy()


# Specialist advice ---------------------------------------------------------------------


def held_specialisms(user):
    """The specialisms ``user`` holds as an active mentor (a subquery)."""
    return MentorSpecialism.objects.filter(
        mentor__user=user, mentor__status=MentorStatus.ACTIVE
    ).values("specialism_id")


class AdviceQuestionPolicy(PermissionPolicy):
    """A question for specialist advice. ``own`` is the adviser's reach: questions in a
    specialism the user holds as an active mentor, asked by someone else. ``matched``
    and ``supervisees`` reach the questions of the cases the user may see."""

    resource = "advice_question"
    model = AdviceQuestion

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(specialism__in=held_specialisms(user)) & ~Q(asked_by=user)
        if scope is Scope.MATCHED:
            return Q(case__matches__mentor__user=user, case__matches__status__in=WORKING)
        if scope is Scope.SUPERVISEES:
            return Q(case__matches__mentor__supervisor=user, case__matches__status__in=WORKING)
        return super().scope_filter(user, scope)


# The case whose questions are read or asked about: the same rule as the case record's.
case_advice = CasePolicy("advice_question")
questions = AdviceQuestionPolicy()
