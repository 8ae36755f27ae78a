from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tandem.accounts.models import Role, RoleGrant, User
from tandem.audit.services import record_event


class Command(BaseCommand):
    help = (
        "Create an administrator account (the first one, typically) and print a one-time "
        "link to set its password. The administrator enrols an authenticator at first sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where Tandem is served, for the link (default: %(default)s).",
        )

    def handle(self, *args, email, full_name, base_url, **options):
        email = email.strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the address {email} already exists.")
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=None, full_name=full_name)
            RoleGrant.objects.create(user=user, role=Role.ADMINISTRATOR)
            record_event(
                actor=None,
                action="user.create",
                obj=user,
                reason="created from the command line",
                changed_fields=["email", "roles"],
            )
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        self.stdout.write(f"Administrator {email} created. Set the password here (once):")
        self.stdout.write(f"{base_url.rstrip('/')}{path}")
