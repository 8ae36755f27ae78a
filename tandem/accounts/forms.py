from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from tandem.core.forms import GovUKForm, GovUKFormMixin

from . import mfa, throttle
from .models import Role, User

SIGN_IN_FAILED = "Enter a correct email address and password."


class SignInForm(GovUKForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        self.locked = False
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or password is None:
            return cleaned
        ip = throttle.client_ip(self.request)
        if throttle.is_locked(email, ip):
            self.locked = True
            raise forms.ValidationError(
                "Too many failed attempts to sign in to this account from this device. "
                f"Wait {throttle.lockout_minutes()} minutes, then try again, "
                "or reset your password.",
                code="locked",
            )
        self.user = authenticate(self.request, username=email, password=password)
        if self.user is None:
            throttle.record_failure(email, ip)
            raise forms.ValidationError(SIGN_IN_FAILED, code="invalid_login")
        throttle.reset(email, ip)
        return cleaned


class TokenForm(GovUKForm):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your 8-digit "
        "backup codes.",
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-10",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.device = None
        super().__init__(*args, **kwargs)

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError("Enter the code using numbers only.")
        self.device = mfa.verify_token(self.user, token)
        if self.device is None:
            raise forms.ValidationError(
                "The code is not correct or has already been used. Wait for a new code "
                "and try again."
            )
        return token


class EnrolForm(GovUKForm):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-10",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, device, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError("Enter the 6-digit code shown in your authenticator app.")
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "The code is not correct. Check the time on your phone is set automatically, "
                "then enter the code shown now."
            )
        return token


class ReauthenticateForm(GovUKForm):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = TokenForm.base_fields["token"]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.device = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password, token = cleaned.get("password"), cleaned.get("token")
        if password is None or not token:
            return cleaned
        if not self.user.check_password(password):
            raise forms.ValidationError("Your password or code is not correct.")
        self.device = mfa.verify_token(self.user, token)
        if self.device is None:
            raise forms.ValidationError("Your password or code is not correct.")
        return cleaned


class RoleChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"required": "Select at least one role"})
        super().__init__(choices=Role.choices, **kwargs)


class UserCreateForm(GovUKForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="They will be sent a link to set their password.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    roles = RoleChoiceField(
        label="Roles",
        help_text="Select every role this person needs. Each role gives access "
        "only to what the access matrix allows.",
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserEditForm(GovUKForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    roles = RoleChoiceField(label="Roles")


class ReasonForm(GovUKForm):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="This is recorded in the audit log. Do not include case details.",
        error_messages={"required": "Enter the reason"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PasswordResetForm(GovUKFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(GovUKFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(GovUKFormMixin, auth_forms.PasswordChangeForm):
    pass
