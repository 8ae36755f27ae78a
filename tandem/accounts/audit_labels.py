"""Accounts' audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

from .refusals import ACCESS_REFUSED, REFUSAL_BURST, REFUSALS_LIMITED

register_action_labels(
    {
        "auth.login": "Signed in",
        "auth.login_failed": "Failed to sign in",
        "auth.locked_out": "Locked out after too many failed sign-ins",
        "auth.logout": "Signed out",
        "auth.session_timeout": "Signed out for inactivity",
        "auth.password_accepted": "Gave the right password, second factor still to come",
        "auth.mfa_enrolled": "Set up an authenticator app",
        "auth.mfa_failed": "Gave a wrong security code",
        "auth.backup_codes_regenerated": "Made new backup codes",
        "auth.reauthenticated": "Confirmed their password again",
        "user.create": "Created a user account",
        "user.update": "Changed a user account",
        "user.deactivate": "Deactivated a user account",
        "user.reactivate": "Reactivated a user account",
        "user.mfa_reset": "Reset a user's authenticator app",
        "user.password_change": "Changed their password",
        "user.password_reset": "Reset their password",
        ACCESS_REFUSED: "Was refused access",
        REFUSALS_LIMITED: "Was refused access repeatedly (further refusals counted, not listed)",
        REFUSAL_BURST: "Was refused access many times in a short period (administrators alerted)",
    },
    record_types={"accounts.user": "a user account"},
)
