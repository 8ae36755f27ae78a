from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.audit.services import record_view
from tandem.core.decorators import mfa_not_required
from tandem.core.filters import sort_list
from tandem.core.permissions import permission_required

from . import mfa, services
from .decorators import reauthentication_required
from .forms import (
    EnrolForm,
    PasswordChangeForm,
    PasswordResetForm,
    ReasonForm,
    ReauthenticateForm,
    SetPasswordForm,
    SignInForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from .permissions import user_accounts
from .selectors import user_list as select_users
from .session_policy import absolute_seconds_left

NEXT_SESSION_KEY = "_tandem_next"


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _after_sign_in(request):
    target = _safe_next(request, request.session.pop(NEXT_SESSION_KEY, None))
    return redirect(target or "site:home")


# Signing in ---------------------------------------------------------------------------


@login_not_required
@mfa_not_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated and request.user.is_verified():
        return redirect("site:home")
    form = SignInForm(request.POST or None, request=request)
    if request.method == "POST":
        if form.is_valid():
            next_url = _safe_next(request, request.GET.get("next"))
            services.password_accept(actor=form.user, request=request)
            if next_url:
                request.session[NEXT_SESSION_KEY] = next_url
            if mfa.has_confirmed_device(form.user):
                return redirect("accounts:mfa_verify")
            return redirect("accounts:mfa_enrol")
        if form.has_error("__all__"):
            services.sign_in_fail(
                request=request, username=request.POST.get("email", ""), locked=form.locked
            )
    return render(request, "accounts/sign_in.html", {"form": form})


@mfa_not_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    user = request.user
    if user.is_verified():
        return redirect("site:home")
    if not mfa.has_confirmed_device(user):
        return redirect("accounts:mfa_enrol")
    form = TokenForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            services.second_factor_accept(actor=user, request=request, device=form.device)
            if form.device.__class__.__name__ == "StaticDevice":
                remaining = mfa.remaining_backup_codes(user)
                messages.warning(
                    request,
                    f"You signed in with a backup code. You have {remaining} left: "
                    "create new ones from your account page if you are running out.",
                )
            return _after_sign_in(request)
        services.second_factor_reject(actor=user, request=request)
    return render(request, "accounts/mfa_verify.html", {"form": form})


@mfa_not_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request):
    user = request.user
    if mfa.has_confirmed_device(user):
        return redirect("site:home" if user.is_verified() else "accounts:mfa_verify")
    device = mfa.pending_totp_device(user)
    form = EnrolForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_enrol(actor=user, request=request, device=device)
        return render(
            request,
            "accounts/backup_codes.html",
            {"codes": codes, "continue_url": reverse("site:home"), "first_time": True},
        )
    secret = mfa.base32_secret(device)
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "qr_data_uri": mfa.provisioning_qr_svg(device),
            "secret": mfa.grouped(secret),
        },
    )


@login_not_required
@mfa_not_required
@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.sign_out(actor=request.user, request=request)
    response = redirect("accounts:signed_out")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@login_not_required
@mfa_not_required
@require_GET
def signed_out(request):
    response = render(request, "accounts/signed_out.html")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_not_required
@mfa_not_required
@require_GET
def timed_out(request):
    return render(request, "accounts/timed_out.html")


@require_POST
def session_keep_alive(request):
    """ "Stay signed in" from the timeout-warning dialog. Reaching this view renews the
    idle timer (``SessionPolicyMiddleware`` notes every request); the answer tells the
    page how long the session now lasts when idle, and how long it has left before the
    absolute limit, which nothing extends. A browser without JavaScript never
    shows the dialog; a plain form post is sent back to the home page."""
    if "application/json" not in request.headers.get("Accept", ""):
        return redirect("site:home")
    return JsonResponse(
        {
            "idle_seconds": settings.TANDEM_SESSION_IDLE_TIMEOUT,
            "warning_seconds": settings.TANDEM_SESSION_WARNING,
            # Renewing never moves the absolute limit: the page warns before it anyway.
            "absolute_seconds_left": absolute_seconds_left(request.session),
        }
    )


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@permission_required("own_account", "change")
def reauthenticate(request):
    next_url = _safe_next(request, request.GET.get("next")) or reverse("accounts:account")
    form = ReauthenticateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.reauthentication_accept(actor=request.user, request=request)
        return redirect(next_url)
    return render(request, "accounts/reauthenticate.html", {"form": form, "next": next_url})


# Own account --------------------------------------------------------------------------


@require_GET
@permission_required("own_account", "view")
def account(request):
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "account": user,
            "backup_codes_left": mfa.remaining_backup_codes(user),
            "session_count": user.tracked_sessions.count(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("own_account", "change")
@reauthentication_required
def backup_codes(request):
    if request.method == "POST":
        codes = services.backup_codes_regenerate(actor=request.user, request=request)
        return render(
            request,
            "accounts/backup_codes.html",
            {"codes": codes, "continue_url": reverse("accounts:account"), "first_time": False},
        )
    return render(request, "accounts/backup_codes_confirm.html")


@method_decorator(permission_required("own_account", "change"), name="dispatch")
@method_decorator(reauthentication_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        services.password_change(
            actor=form.user, password=form.cleaned_data["new_password1"], request=self.request
        )
        messages.success(self.request, "Your password has been changed.")
        return redirect(self.success_url)


# Password reset: after a reset the person still signs in with their second factor. -----


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False  # never: signing in always needs the second factor

    def form_valid(self, form):
        services.password_reset(
            actor=form.user, password=form.cleaned_data["new_password1"], request=self.request
        )
        # The rest of what Django's own form_valid does: the reset link is spent.
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# Django marks the password-reset views login_not_required; MFARequiredMiddleware
# lets such views through as well.


# Administering users ------------------------------------------------------------------


# The user list's server-side orders (the first is the default) and its columns.
USER_ORDERS = {
    "name": ("full_name", "email"),
    "email": ("email",),
    "second_factor": ("mfa_enrolled", "full_name", "email"),
    "status": ("-is_active", "full_name", "email"),
}
USER_COLUMNS = [
    ("Name", "name"),
    ("Email address", "email"),
    ("Roles", None),
    ("Second factor", "second_factor"),
    ("Status", "status"),
]


@require_GET
@permission_required("user_account", "view")
def user_list(request):
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    users = sort_list(
        request,
        select_users(actor=request.user, query=query, status=status),
        orderings=USER_ORDERS,
        columns=USER_COLUMNS,
    )
    page = Paginator(users.items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "users": page.object_list,
            "query": query,
            "status": status,
            "headers": users.headers,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("user_account", "change")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, request=request, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{user.full_name} has been added and sent a link to set a password."
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@require_GET
@permission_required("user_account", "view")
def user_detail(request, pk: int):
    subject = user_accounts.get_object_or_404(request.user, "view", pk=pk)
    record_view(actor=request.user, obj=subject, request=request)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "mfa_enrolled": mfa.has_confirmed_device(subject),
            "session_count": subject.tracked_sessions.count(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("user_account", "change")
def user_edit(request, pk: int):
    subject = user_accounts.get_object_or_404(request.user, "change", pk=pk)
    initial = {"full_name": subject.full_name, "roles": sorted(subject.roles)}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                actor=request.user, user=subject, request=request, **form.cleaned_data
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{subject.full_name}'s details have been updated.")
            return redirect("accounts:user_detail", pk=subject.pk)
    return render(
        request, "accounts/user_form.html", {"form": form, "subject": subject, "creating": False}
    )


@dataclass(frozen=True)
class ReasonAction:
    """A sensitive change to someone's account that needs a recorded reason."""

    service: Callable
    title: str
    explanation: str
    button: str
    done: str
    warning: bool = True


def _reason_action_view(action: ReasonAction):
    @require_http_methods(["GET", "POST"])
    @permission_required("user_account", "change")
    @reauthentication_required
    def view(request, pk: int):
        subject = user_accounts.get_object_or_404(request.user, "change", pk=pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                action.service(
                    actor=request.user,
                    user=subject,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except services.AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, action.done.format(name=subject.full_name))
                return redirect("accounts:user_detail", pk=subject.pk)
        context = {
            "form": form,
            "subject": subject,
            "title": action.title.format(name=subject.full_name),
            "action": action,
        }
        return render(request, "accounts/user_reason_action.html", context)

    return view


user_deactivate = _reason_action_view(
    ReasonAction(
        service=services.user_deactivate,
        title="Deactivate {name}",
        explanation="They will be signed out everywhere at once and will not be able to "
        "sign in. Their records stay.",
        button="Deactivate",
        done="{name} has been deactivated and signed out everywhere.",
    )
)
user_reactivate = _reason_action_view(
    ReasonAction(
        service=services.user_reactivate,
        title="Reactivate {name}",
        explanation="They will be able to sign in again with their password and second factor.",
        button="Reactivate",
        done="{name} can sign in again.",
        warning=False,
    )
)
user_reset_mfa = _reason_action_view(
    ReasonAction(
        service=services.user_reset_mfa,
        title="Reset {name}'s second factor",
        explanation="Use this when someone has lost their phone. Their authenticator app and "
        "backup codes stop working, they are signed out everywhere, and they set up a new app "
        "the next time they sign in. Check who is asking before you do this.",
        button="Reset second factor",
        done="{name}'s second factor has been removed. They will set up a new one "
        "when they next sign in.",
    )
)
