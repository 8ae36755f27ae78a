"""What apps above cases add to a referrer's status page without cases knowing them.

A section is a function of the case and the signed-in referrer that returns a
``ReferralSection`` (a heading and links, each already limited to what the referrer may
see) or None. Privacy registers the released progress reports this way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReferralLink:
    text: str
    href: str
    detail: str = ""


@dataclass(frozen=True)
class ReferralSection:
    heading: str
    empty: str
    links: list[ReferralLink] = field(default_factory=list)


Section = Callable[[object, object], ReferralSection | None]
_SECTIONS: list[Section] = []


def register_referral_section(section: Section) -> None:
    """Add ``section`` to every referral status page; registering twice has no effect."""
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def referral_sections(case, user) -> list[ReferralSection]:
    return [made for section in _SECTIONS if (made := section(case, user)) is not None]
