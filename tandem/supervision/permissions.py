"""Who reaches what in supervision.

A mentor's supervision page, their supervisor assignment, their wellbeing check-ins
and the starting of a supervision record are reached through the mentor record, with
the register's scopes (own: the mentor; supervisees: their supervisor; all:
coordinators) and a resource of their own in the access matrix. The notes of a
supervision record and its agreed actions are the mentor's and their supervisor's
only: coordinators see that a supervision happened, never what was said.
"""

from __future__ import annotations

from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy
from tandem.mentors.permissions import MentorPolicy

from .models import SupervisionAction, SupervisionRecord

supervision = MentorPolicy("supervision")
supervisor_assignment = MentorPolicy("supervisor_assignment")
supervision_notes_of_mentor = MentorPolicy("supervision_notes")
supervision_record = MentorPolicy("supervision_record")
wellbeing = MentorPolicy("wellbeing")
own_supervision = MentorPolicy("own_supervision")


class _MentorsRecordPolicy(PermissionPolicy):
    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(mentor__user=user)
        if scope is Scope.SUPERVISEES:
            return Q(mentor__supervisor=user)
        return super().scope_filter(user, scope)


class SupervisionRecordPolicy(_MentorsRecordPolicy):
    """A supervision record with its notes: the mentor and their current supervisor."""

    resource = "supervision_notes"
    model = SupervisionRecord


class SupervisionActionPolicy(_MentorsRecordPolicy):
    """An action agreed in supervision: the mentor and their current supervisor."""

    resource = "supervision_action"
    model = SupervisionAction


supervision_records = SupervisionRecordPolicy()
supervision_actions = SupervisionActionPolicy()
