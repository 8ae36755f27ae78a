"""Demo accounts: one per role, with a known password and a known TOTP secret.

Only for local evaluation and tests; the demo_data command refuses to run unless
settings.TANDEM_ALLOW_DEMO_DATA is true (never in production).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.accounts.mfa import TOTP_DEVICE_NAME
from tandem.accounts.models import Role, RoleGrant, User

DEMO_PASSWORD = "tandem-demo-password"
DEMO_DOMAIN = "tandem.example"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    roles: tuple[str, ...]

    @property
    def key_bytes(self) -> bytes:
        # Deterministic so the README can list each secret; 20 bytes as RFC 6238 suggests.
        return hashlib.sha256(f"tandem-demo-totp:{self.email}".encode()).digest()[:20]

    @property
    def totp_secret(self) -> str:
        return base64.b32encode(self.key_bytes).decode("ascii").rstrip("=")


DEMO_USERS: list[DemoUser] = [
    DemoUser(f"coordinator@{DEMO_DOMAIN}", "Amara Okafor", (Role.COORDINATOR,)),
    DemoUser(f"mentor@{DEMO_DOMAIN}", "Imran Qureshi", (Role.MENTOR,)),
    DemoUser(f"supervisor@{DEMO_DOMAIN}", "Helen Price", (Role.SUPERVISOR,)),
    DemoUser(f"safeguarding@{DEMO_DOMAIN}", "Daniel Kowalski", (Role.SAFEGUARDING_LEAD,)),
    # The deputy named in the safeguarding policy (tandem/site/demo/safeguarding.py).
    DemoUser(f"deputy-safeguarding@{DEMO_DOMAIN}", "Grace Mensah", (Role.SAFEGUARDING_LEAD,)),
    DemoUser(f"referrer@{DEMO_DOMAIN}", "Priya Sandhu", (Role.REFERRER,)),
    DemoUser(f"board@{DEMO_DOMAIN}", "Margaret Ellis", (Role.BOARD_MEMBER,)),
    DemoUser(f"evaluator@{DEMO_DOMAIN}", "Dr Tomasz Nowak", (Role.EVALUATOR,)),
    DemoUser(f"admin@{DEMO_DOMAIN}", "Sam Adeyemi", (Role.ADMINISTRATOR,)),
    DemoUser(f"dpo@{DEMO_DOMAIN}", "Ruth Achterberg", (Role.DATA_PROTECTION_OFFICER,)),
]


@transaction.atomic
def ensure_demo_user(spec: DemoUser) -> tuple[User, bool]:
    """Create the demo user if missing; an existing one is left exactly as it is."""
    user = User.objects.filter(email__iexact=spec.email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=spec.email, password=DEMO_PASSWORD, full_name=spec.full_name
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in spec.roles)
    TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, confirmed=True, key=spec.key_bytes.hex()
    )
    return user, True


def ensure_demo_users() -> int:
    return sum(ensure_demo_user(spec)[1] for spec in DEMO_USERS)
