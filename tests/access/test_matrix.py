"""The authorisation-matrix test.

Walks every named URL pattern of the project and requests it anonymously, half
signed in (password but no second factor), and as each role, with the user's
own object and someone else's where the URL takes one, and compares each answer
with tandem/core/access_matrix.toml. A URL missing from the matrix fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import create_user, sign_in
from tandem.core.access import PUBLIC, SIGN_IN, SIGNED_IN, Scope, matrix

from .objects import OBJECT_BUILDERS, ROLE_CONTEXT, STATIC_KWARGS

ROLES = list(matrix().roles)
ANONYMOUS = "anonymous"
HALF_SIGNED_IN = "password-only"


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]


def _walk(resolver: URLResolver, namespace: str = "", params: tuple = ()) -> list[Route]:
    routes = []
    for entry in resolver.url_patterns:
        converters = tuple(getattr(entry.pattern, "converters", {}).keys())
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += _walk(entry, ns, params + converters)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                routes.append(Route(f"<unnamed {entry.pattern}>", params + converters))
            else:
                routes.append(Route(f"{namespace}{entry.name}", params + converters))
    return routes


ROUTES = _walk(get_resolver())


def test_every_url_pattern_is_in_the_matrix():
    missing = [r.name for r in ROUTES if r.name not in matrix().urls]
    assert not missing, f"URL patterns missing from access_matrix.toml: {missing}"


def test_the_matrix_names_no_url_that_does_not_exist():
    names = {r.name for r in ROUTES}
    stale = sorted(set(matrix().urls) - names)
    assert not stale, f"access_matrix.toml names URLs that do not exist: {stale}"


def test_object_urls_have_object_builders():
    for route in ROUTES:
        rule = matrix().urls.get(route.name, "")
        if route.params and rule not in (PUBLIC, SIGN_IN, SIGNED_IN):
            assert rule.split(".")[0] in OBJECT_BUILDERS, f"No object builder for {route.name}"


def _cases():
    for route in ROUTES:
        if route.name not in matrix().urls:
            continue
        rule = matrix().urls[route.name]
        needs_object = bool(route.params) and rule not in (PUBLIC, SIGN_IN, SIGNED_IN)
        ownerships = ("own", "other") if needs_object else ("-",)
        for who in (ANONYMOUS, HALF_SIGNED_IN, *ROLES):
            for ownership in ownerships:
                yield pytest.param(route, who, ownership, id=f"{route.name}|{who}|{ownership}")


def _expected(rule: str, who: str, ownership: str, own_via=frozenset()) -> str:
    """'allow', 'login' (sent to sign in), 'mfa' (sent to the second factor) or 'deny'."""
    if rule == PUBLIC:
        return "allow"
    if who == ANONYMOUS:
        return "login"
    if rule == SIGN_IN:
        return "allow"
    if who == HALF_SIGNED_IN:
        return "mfa"
    if rule == SIGNED_IN:
        return "allow"
    resource, action = rule.split(".")
    scopes = matrix().scopes([who], resource, action)
    if not scopes:
        return "deny"
    if Scope.ALL in scopes or ownership == "-":
        return "allow"
    if ownership == "other":
        return "deny"
    return "allow" if scopes & own_via else "deny"


def _outcome(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302) and location.startswith(reverse("accounts:login")):
        return "login"
    if status == 302 and location.startswith("/accounts/mfa/"):
        return "mfa"
    if status in (403, 404):
        return "deny"
    if status in (200, 302, 405):
        return "allow"
    return f"unexpected {status}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "who", "ownership"), list(_cases()))
def test_url_answers_as_the_matrix_says(route: Route, who: str, ownership: str):
    rule = matrix().urls[route.name]
    client = Client(raise_request_exception=True)
    if who == ANONYMOUS:
        user = None
    elif who == HALF_SIGNED_IN:
        user = create_user("coordinator", "administrator")
        client.post(
            reverse("accounts:login"),
            {"email": user.email, "password": "correct horse battery"},
        )
    else:
        user = create_user(who)
        if who in ROLE_CONTEXT:
            ROLE_CONTEXT[who](user)
        sign_in(client, user, reauthenticated=True)

    own_via = frozenset()
    kwargs = STATIC_KWARGS.get(route.name, {})
    kwargs = dict(kwargs(user) if callable(kwargs) else kwargs)
    if route.params and not kwargs:
        resource = rule.split(".")[0]
        owner = user or create_user()
        objects = OBJECT_BUILDERS[resource](owner)
        own_via = objects.own_via
        kwargs = objects.own if ownership in ("own", "-") else objects.other
        kwargs = {name: value for name, value in kwargs.items() if name in route.params}
    url = reverse(route.name, kwargs=kwargs)
    response = client.get(url)
    expected = _expected(rule, who, ownership, own_via)
    # Within the sign-in steps, being sent on to the second-factor step is reaching them.
    acceptable = {"allow", "mfa"} if rule == SIGN_IN and expected == "allow" else {expected}
    assert _outcome(response) in acceptable, (
        f"GET {url} as {who} ({ownership}) answered {response.status_code} "
        f"{response.get('Location', '')}; the matrix rule is {rule!r}"
    )
