"""The access matrix, loaded once from access_matrix.toml.

Everything that decides who may do what reads this module: permission
policies ask it for a scope, the navigation asks it what to show, and the
authorisation-matrix test asks it what every URL should answer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

MATRIX_PATH = Path(__file__).with_name("access_matrix.toml")


class Scope(StrEnum):
    NONE = "none"
    REFERRED = "referred"
    MATCHED = "matched"
    SUPERVISEES = "supervisees"
    OWN = "own"
    ALL = "all"


# Special URL rules that are not resources.
PUBLIC = "public"
SIGNED_IN = "signed-in"
SIGN_IN = "sign-in"
URL_KINDS = {PUBLIC, SIGNED_IN, SIGN_IN}


@dataclass(frozen=True)
class Rule:
    resource: str
    action: str
    scopes: dict[str, Scope]  # role -> scope

    def scopes_for(self, roles: Iterable[str]) -> set[Scope]:
        return {self.scopes[r] for r in roles if r in self.scopes}


@dataclass(frozen=True)
class Matrix:
    roles: dict[str, str]
    descriptions: dict[str, str]
    rules: dict[tuple[str, str], Rule]
    urls: dict[str, str]

    def rule(self, resource: str, action: str) -> Rule:
        try:
            return self.rules[(resource, action)]
        except KeyError:
            raise KeyError(f"The access matrix has no rule for {resource}.{action}") from None

    def scopes(self, roles: Iterable[str], resource: str, action: str) -> set[Scope]:
        return self.rule(resource, action).scopes_for(roles)

    def allows(self, roles: Iterable[str], resource: str, action: str) -> bool:
        return bool(self.scopes(roles, resource, action))

    def url_rule(self, url_name: str) -> str:
        return self.urls[url_name]


def _parse(data: dict) -> Matrix:
    roles = dict(data["roles"])
    rules: dict[tuple[str, str], Rule] = {}
    descriptions: dict[str, str] = {}
    for resource, actions in data.get("resources", {}).items():
        descriptions[resource] = actions.get("description", "")
        for action, mapping in actions.items():
            if action == "description":
                continue
            unknown = set(mapping) - set(roles)
            if unknown:
                raise ValueError(f"{resource}.{action} names unknown roles: {sorted(unknown)}")
            rules[(resource, action)] = Rule(
                resource, action, {role: Scope(scope) for role, scope in mapping.items()}
            )
    urls = dict(data.get("urls", {}))
    for name, rule in urls.items():
        if rule in URL_KINDS:
            continue
        resource, _, action = rule.partition(".")
        if (resource, action) not in rules:
            raise ValueError(f"URL {name} refers to an unknown rule {rule!r}")
    return Matrix(roles=roles, descriptions=descriptions, rules=rules, urls=urls)


@cache
def matrix() -> Matrix:
    with MATRIX_PATH.open("rb") as fh:
        return _parse(tomllib.load(fh))


def render_markdown(m: Matrix | None = None) -> str:
    """The human-readable matrix kept at docs/access-matrix.md."""
    m = m or matrix()
    roles = list(m.roles)
    lines = [
        "# Access matrix",
        "",
        "Generated from `tandem/core/access_matrix.toml` by",
        "`python manage.py access_matrix --write`; a test fails when the two differ.",
        "Deny by default: an empty cell means no access. Scopes: **all** every record,",
        "**own** the user's own, **supervisees** the user's supervisees',",
        "**matched** linked by a live match, **referred** the user's referrals.",
        "",
        "## Resources",
        "",
        "| resource | action | " + " | ".join(m.roles[r] for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for (resource, action), rule in m.rules.items():
        cells = [rule.scopes.get(r, "") for r in roles]
        lines.append(f"| {resource} | {action} | " + " | ".join(str(c) for c in cells) + " |")
    lines += ["", "## Resource descriptions", ""]
    lines += [f"- **{name}**: {text}" for name, text in m.descriptions.items()]
    lines += [
        "",
        "## URLs",
        "",
        "`public`: anyone; `sign-in`: during sign-in (password given, second factor not yet);",
        "`signed-in`: anyone fully signed in; otherwise the resource rule above applies.",
        "",
        "| URL name | rule |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {rule} |" for name, rule in sorted(m.urls.items())]
    return "\n".join(lines) + "\n"
