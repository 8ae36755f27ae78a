from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role, User
from .permissions import user_accounts


def active_coordinators() -> QuerySet[User]:
    """The coordinators who can sign in: the people told about new work."""
    return User.objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct()


def user_list(*, actor: User, query: str = "", status: str = "") -> QuerySet[User]:
    users = user_accounts.queryset(actor, "view").annotate(
        mfa_enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        session_count=Count("tracked_sessions", distinct=True),
    )
    if query:
        users = users.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "deactivated":
        users = users.filter(is_active=False)
    return users.order_by("full_name", "email")
