"""For each resource with object URLs: how to make an object linked to the user and one
that is not, and which scopes the linked object satisfies; and what each role's user
needs to exist for its own pages. Later capabilities add their resources here."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import create_user
from tandem.core.access import Scope


@dataclass(frozen=True)
class Objects:
    own: dict
    other: dict
    # The scopes through which the user reaches ``own`` (ALL reaches both).
    own_via: frozenset[Scope]


def _user_accounts(user):
    other = create_user("mentor")
    return Objects({"pk": user.pk}, {"pk": other.pk}, frozenset({Scope.OWN}))


def _own_mentor(user):
    """The mentor record linked to ``user``: their own if they are a mentor, their
    supervisee if they are a supervisor."""
    from tandem.mentors.models import Mentor
    from tandem.mentors.tests.factories import make_mentor

    mentor = Mentor.objects.filter(user=user).first()
    if mentor is None:
        mentor = make_mentor(user=user, supervisor=user)
    elif mentor.supervisor_id is None:
        Mentor.objects.filter(pk=mentor.pk).update(supervisor=user)
    return mentor


def _mentors(user):
    from tandem.mentors.tests.factories import make_mentor

    return Objects(
        {"pk": _own_mentor(user).pk},
        {"pk": make_mentor().pk},
        frozenset({Scope.OWN, Scope.SUPERVISEES}),
    )


def _cases(user):
    """A case the user referred, and someone else's. No case can be linked to a mentor
    or supervisor until matches exist, so ``own`` reaches them through no scope."""
    from tandem.cases.tests.factories import make_case

    return Objects(
        {"pk": make_case(referred_by=user).pk},
        {"pk": make_case().pk},
        frozenset({Scope.REFERRED}),
    )


OBJECT_BUILDERS = {
    "user_account": _user_accounts,
    "mentor": _mentors,
    "mentor_vetting": _mentors,
    "mentor_training": _mentors,
    "referral": _cases,
    "case": _cases,
    "case_assessment": _cases,
    "case_plan": _cases,
}

# What a role's user needs to exist so that its own pages have something to show.
ROLE_CONTEXT = {
    "mentor": _own_mentor,
}

# URLs whose parameters are not objects of a resource (for example tokens).
STATIC_KWARGS = {
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
}
