"""Every write to accounts goes through these functions; each records its audit event
in the same transaction and sends email only after commit."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import login as otp_login

from tandem.audit.services import record_event

from . import mfa
from .models import Role, RoleGrant, User, UserSession
from .session_keys import REAUTH_SESSION_KEY, SESSION_SEEN_KEY, SESSION_STARTED_KEY


class AccountError(Exception):
    """A request that the account rules refuse; the message is safe to show."""


def _start_session_clock(request) -> None:
    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


def _retrack_session(request, user) -> None:
    """After the session key changes, keep the user's session register pointing at it."""
    UserSession.objects.filter(user=user).exclude(
        session_key__in=Session.objects.values("session_key")
    ).delete()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "user_agent": request.headers.get("User-Agent", "")[:200]},
    )


@transaction.atomic
def password_accept(*, actor: User, request) -> None:
    """The first factor passed; the session is not yet trusted for anything but sign-in."""
    login(request, actor)
    _start_session_clock(request)
    record_event(actor=actor, action="auth.password_accepted", obj=actor, request=request)


@transaction.atomic
def sign_in_fail(*, request, username: str, locked: bool) -> None:
    """Nobody is signed in to act: the event names the account tried, if there is one."""
    user = User.objects.filter(email__iexact=username.strip()).first()
    record_event(
        actor=None,
        action="auth.locked_out" if locked else "auth.login_failed",
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        request=request,
    )


@transaction.atomic
def second_factor_accept(*, actor: User, request, device) -> None:
    otp_login(request, device)
    # A new session id once fully signed in, against session fixation.
    request.session.cycle_key()
    _start_session_clock(request)
    request.session[REAUTH_SESSION_KEY] = time.time()
    _retrack_session(request, actor)
    record_event(
        actor=actor,
        action="auth.login",
        obj=actor,
        request=request,
        reason="backup code used" if device.__class__.__name__ == "StaticDevice" else "",
    )


@transaction.atomic
def second_factor_reject(*, actor: User, request) -> None:
    record_event(actor=actor, action="auth.mfa_failed", obj=actor, request=request)


@transaction.atomic
def totp_enrol(*, actor: User, request, device) -> list[str]:
    """Confirm a newly scanned authenticator and issue backup codes (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = mfa.new_backup_codes(actor)
    record_event(actor=actor, action="auth.mfa_enrolled", obj=actor, request=request)
    second_factor_accept(actor=actor, request=request, device=device)
    return codes


@transaction.atomic
def backup_codes_regenerate(*, actor: User, request) -> list[str]:
    codes = mfa.new_backup_codes(actor)
    record_event(actor=actor, action="auth.backup_codes_regenerated", obj=actor, request=request)
    return codes


@transaction.atomic
def reauthentication_accept(*, actor: User, request) -> None:
    request.session[REAUTH_SESSION_KEY] = time.time()
    record_event(actor=actor, action="auth.reauthenticated", obj=actor, request=request)


@transaction.atomic
def password_change(*, actor: User, password: str, request) -> User:
    """The signed-in user's new password; this session stays signed in, no other does."""
    actor.set_password(password)
    actor.save(update_fields=["password"])
    update_session_auth_hash(request, actor)
    _retrack_session(request, actor)
    record_event(
        actor=actor,
        action="user.password_change",
        obj=actor,
        request=request,
        changed_fields=["password"],
    )
    return actor


@transaction.atomic
def password_reset(*, actor: User, password: str, request) -> User:
    """A password set from a reset link by its owner: every session of theirs ends, as
    whoever knew the old password may be signed in."""
    actor.set_password(password)
    actor.save(update_fields=["password"])
    record_event(
        actor=actor,
        action="user.password_reset",
        obj=actor,
        request=request,
        changed_fields=["password"],
    )
    user_sessions_end(user=actor)
    return actor


@transaction.atomic
def sign_out(*, actor: User, request) -> None:
    record_event(actor=actor, action="auth.logout", obj=actor, request=request)
    logout(request)


@transaction.atomic
def session_expire(*, actor: User, request, reason: str) -> None:
    """End a session that was idle or open too long (``reason``: "idle" or "absolute")."""
    record_event(
        actor=actor,
        action="auth.session_timeout",
        obj=actor,
        request=request,
        reason=f"{reason} timeout",
    )
    logout(request)


def user_sessions_end(*, user: User) -> int:
    """Delete every server-side session of ``user``; returns how many were ended."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def _set_roles(*, actor: User | None, user: User, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise AccountError(f"Unknown role: {', '.join(sorted(unknown))}")
    current = set(user.role_grants.values_list("role", flat=True))
    user.role_grants.filter(role__in=current - wanted).delete()
    RoleGrant.objects.bulk_create(
        RoleGrant(user=user, role=role, granted_by=actor) for role in sorted(wanted - current)
    )
    user.__dict__.pop("roles", None)
    return wanted != current


def _send_set_password_email(user: User, *, base_url: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    body = render_to_string(
        "accounts/email/account_created.txt",
        {"user": user, "url": f"{base_url}{path}", "scheme_name": settings.TANDEM_SCHEME_NAME},
    )
    send_mail("Your Tandem account", body, None, [user.email])


@transaction.atomic
def user_create(
    *, actor: User, email: str, full_name: str, roles: Iterable[str], request=None
) -> User:
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError("A user with this email address already exists.")
    user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    _set_roles(actor=actor, user=user, roles=roles)
    record_event(
        actor=actor,
        action="user.create",
        obj=user,
        request=request,
        changed_fields=["email", "full_name", "roles"],
    )
    base_url = request.build_absolute_uri("/").rstrip("/") if request else ""
    transaction.on_commit(lambda: _send_set_password_email(user, base_url=base_url))
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, full_name: str, roles: Iterable[str], request=None
) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = []
    if user.full_name != full_name.strip():
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
        changed.append("full_name")
    if _set_roles(actor=actor, user=user, roles=roles):
        changed.append("roles")
        if user == actor and Role.ADMINISTRATOR not in set(roles):
            raise AccountError("You cannot remove your own administrator role.")
    if changed:
        record_event(
            actor=actor, action="user.update", obj=user, request=request, changed_fields=changed
        )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str, request=None) -> User:
    if user == actor:
        raise AccountError("You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise AccountError("This account is already deactivated.")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    ended = user_sessions_end(user=user)
    record_event(
        actor=actor,
        action="user.deactivate",
        obj=user,
        request=request,
        reason=f"{reason.strip()} ({ended} session(s) ended)",
        changed_fields=["is_active"],
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User, reason: str, request=None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise AccountError("This account is already active.")
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    record_event(
        actor=actor,
        action="user.reactivate",
        obj=user,
        request=request,
        reason=reason.strip(),
        changed_fields=["is_active"],
    )
    return user


@transaction.atomic
def user_reset_mfa(*, actor: User, user: User, reason: str, request=None) -> User:
    """Remove every second factor (a lost phone): the user enrols again at next sign-in."""
    if user == actor:
        raise AccountError("You cannot reset your own second factor here.")
    mfa.remove_all_devices(user)
    ended = user_sessions_end(user=user)
    record_event(
        actor=actor,
        action="user.mfa_reset",
        obj=user,
        request=request,
        reason=f"{reason.strip()} ({ended} session(s) ended)",
    )
    return user
