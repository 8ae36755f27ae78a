"""For each resource with object URLs: how to make an object the user owns and one
they do not; and what each role's user needs to exist for its own pages.
Later capabilities add their resources here."""

from __future__ import annotations

from conftest import create_user


def _user_accounts(user):
    other = create_user("mentor")
    return {"pk": user.pk}, {"pk": other.pk}


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

    return {"pk": _own_mentor(user).pk}, {"pk": make_mentor().pk}


OBJECT_BUILDERS = {
    "user_account": _user_accounts,
    "mentor": _mentors,
    "mentor_vetting": _mentors,
    "mentor_training": _mentors,
}

# What a role's user needs to exist so that its own pages have something to show.
ROLE_CONTEXT = {
    "mentor": _own_mentor,
}

# URLs whose parameters are not objects of a resource (for example tokens).
STATIC_KWARGS = {
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
}
