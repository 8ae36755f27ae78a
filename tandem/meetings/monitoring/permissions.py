"""Policies for contact monitoring, lone working and the calendar feed.

Each names its resource in the access matrix: coordinators reach every case's contact
record and every lone-working alert; a mentor reaches the lone-working check-in of their
own sessions and their own calendar feed, nothing else.
"""

from __future__ import annotations

from django.db.models import Q

from tandem.cases.models import Case
from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from ..models import CalendarFeed, Session


class ContactPolicy(PermissionPolicy):
    """The contact record of a case: the overdue list and coordinator check-ins."""

    resource = "contact_monitoring"
    model = Case


class LoneWorkingPolicy(PermissionPolicy):
    """A session's lone-working check-in and check-out: the mentor's own sessions."""

    resource = "lone_working"
    model = Session

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
lone_working = LoneWorkingPolicy()
lone_working_alerts = LoneWorkingAlertPolicy()
calendar_feeds = CalendarFeedPolicy()
