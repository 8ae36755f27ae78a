"""A cheap accessibility guard for the profile pages (axe runs in the browser tests):
ids are unique, every visible input has a label, there is one h1, no inline styles."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tandem.mentors.services import profile as services

from .factories import coordinator
from .factories_profile import mentor_with_account

pytestmark = pytest.mark.django_db


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.inputs: list[str] = []
        self.h1 = 0
        self.styles = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if "style" in a:
            self.styles += 1
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.inputs.append(a.get("id", f"<{tag} name={a.get('name')} without id>"))


def check(html: str):
    page = _Collector()
    page.feed(html)
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, duplicates
    unlabelled = [i for i in page.inputs if i not in page.label_for]
    assert not unlabelled, unlabelled
    assert page.h1 == 1
    assert page.styles == 0


def test_the_mentors_pages_are_well_formed(client, signed_in):
    user, mentor = mentor_with_account(matchable=True)
    services.conflict_declare(actor=user, mentor=mentor, kind="person", name="A Person")
    signed_in(user)
    for name in [
        "mentors:my_profile",
        "mentors:my_profile_edit",
        "mentors:my_declarations",
        "mentors:my_code",
        "mentors:my_change_request",
    ]:
        check(client.get(reverse(name)).content.decode())
    check(
        client.post(reverse("mentors:my_profile_edit"), {"travel_radius_km": "x"}).content.decode()
    )
    check(client.post(reverse("mentors:my_declarations"), {}).content.decode())


def test_the_coordinators_pages_are_well_formed(client, signed_in):
    user, mentor = mentor_with_account()
    for field, value in [("full_name", "New Name"), ("email", "new@example.org")]:
        services.change_request_create(actor=user, mentor=mentor, field=field, new_value=value)
    signed_in(coordinator())
    check(client.get(reverse("mentors:edit", args=[mentor.pk])).content.decode())
    queue = reverse("mentors:change_requests")
    check(client.get(queue).content.decode())
    pending = mentor.change_requests.first()
    check(client.post(queue, {"request_id": pending.pk, "decision": "reject"}).content.decode())
    check(client.get(reverse("core:notifications")).content.decode())
