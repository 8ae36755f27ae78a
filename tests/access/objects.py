"""For each resource with object URLs: how to make an object the user owns and one
they do not. Later capabilities add their resources here."""

from __future__ import annotations

from conftest import create_user


def _user_accounts(user):
    other = create_user("mentor")
    return {"pk": user.pk}, {"pk": other.pk}


OBJECT_BUILDERS = {
    "user_account": _user_accounts,
}

# URLs whose parameters are not objects of a resource (for example tokens).
STATIC_KWARGS = {
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
}
