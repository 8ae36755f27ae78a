"""No page answers 500 for an id beyond the database's integer range.

For every named URL of the access matrix, as a user the matrix lets in (with their own
object where the URL takes one): the URL with each id replaced by a huge number, and
every form on the page sent with every field set to a huge number, must answer a form
error, a redirect, a refusal or a 404, never a server error. The fix is shared
(``tandem.core.forms.guard_id_range`` for model choices; Django's integer lookups for
URL ids), so a new form or URL is covered without code of its own."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.core.access import PUBLIC, SIGN_IN, SIGNED_IN, Scope, matrix

from .objects import OBJECT_BUILDERS, ROLE_CONTEXT, STATIC_KWARGS
from .test_matrix import ROUTES, Route

HUGE = "99999999999999999999999"
BEYOND_BIGINT = str(2**63)
SENTINEL = 73737373
# Sending these would end the session the rest of the page is tested with.
SKIPPED_ACTIONS = ("accounts:logout",)


class _Forms(HTMLParser):
    """The forms of a page: method, action and field names (with submit buttons)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
                "choices": set(),
                "values": {},
                "csrf": "",
            }
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if not name:
                return
            kind = (attrs.get("type") or "").lower()
            if name == "csrfmiddlewaretoken":
                self._current["csrf"] = attrs.get("value", "")
            elif kind == "file":
                return
            elif tag == "button" or kind == "submit":
                self._current["fields"].setdefault(name, attrs.get("value", ""))
                self._current["values"].setdefault(name, attrs.get("value", ""))
            else:
                self._current["fields"][name] = HUGE
                if tag == "select" or kind in ("checkbox", "radio"):
                    self._current["choices"].add(name)
                elif kind != "checkbox":
                    self._current["values"][name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _role_for(rule: str) -> str | None:
    """A role that reaches the URL, preferring one that reaches every record."""
    if rule in (PUBLIC, SIGN_IN):
        return None
    if rule == SIGNED_IN:
        return "coordinator"
    resource, action = rule.split(".")
    allowed = [r for r in matrix().roles if matrix().scopes([r], resource, action)]
    allowed.sort(key=lambda r: Scope.ALL not in matrix().scopes([r], resource, action))
    return allowed[0] if allowed else None


def _kwargs(route: Route, rule: str, user) -> dict:
    kwargs = STATIC_KWARGS.get(route.name, {})
    kwargs = dict(kwargs(user) if callable(kwargs) else kwargs)
    if route.params and not kwargs:
        objects = OBJECT_BUILDERS[rule.split(".")[0]](user or create_user())
        kwargs = {k: v for k, v in objects.own.items() if k in route.params}
    return kwargs


def _send(client: Client, method: str, url: str, data: dict) -> int:
    try:
        if method == "post":
            return client.post(url, data).status_code
        return client.get(url, data).status_code
    except Exception as error:  # raise_request_exception: the view itself failed
        pytest.fail(f"{method.upper()} {url} with huge ids raised {error!r}")


def _cases():
    for route in ROUTES:
        if route.name in matrix().urls:
            yield pytest.param(route, id=route.name)


@pytest.mark.django_db
@pytest.mark.parametrize("route", list(_cases()))
def test_huge_ids_in_urls_and_forms_never_answer_a_server_error(route: Route):
    rule = matrix().urls[route.name]
    role = _role_for(rule)
    client = Client(raise_request_exception=True)
    user = None
    if role is not None:
        user = create_user(role)
        if role in ROLE_CONTEXT:
            ROLE_CONTEXT[role](user)
        sign_in(client, user, reauthenticated=True)
    kwargs = _kwargs(route, rule, user)

    # The URL's own ids, huge.
    int_params = {k for k, v in kwargs.items() if isinstance(v, int)}
    if int_params:
        marked = reverse(route.name, kwargs={**kwargs, **dict.fromkeys(int_params, SENTINEL)})
        for huge in (HUGE, BEYOND_BIGINT):
            path = marked.replace(str(SENTINEL), huge)
            for method in ("get", "post"):
                status = _send(client, method, path, {})
                assert status < 500, f"{method.upper()} {path} answered {status}"

    # Every form on the page, every field huge.
    url = reverse(route.name, kwargs=kwargs)
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    parser = _Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        action = urljoin(url, form["action"] or url)
        if any(action.startswith(reverse(name)) for name in SKIPPED_ACTIONS):
            continue
        # Every field huge; then only the choices huge and the rest as the page gave them
        # (a form that stops at its first bad answer, such as a filled-in trap field for
        # robots, still reaches its choices).
        every = dict(form["fields"])
        choices_only = {**form["values"], **dict.fromkeys(form["choices"], HUGE)}
        for data in (every, choices_only):
            if form["csrf"]:
                data["csrfmiddlewaretoken"] = form["csrf"]
            status = _send(client, form["method"], action, data)
            assert status < 500, f"{form['method'].upper()} {action} with huge ids: {status}"
