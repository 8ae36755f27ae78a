"""Does a text name the person? Whole words, case-insensitive, after Unicode
normalisation, so that "aisha" and "AISHA," match "Aisha" and "Aishah" does not."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def name_variants(names: Iterable[str]) -> list[str]:
    """Each name as given, and each word of a name of several words (at least three
    letters long, so that "Al" or "de" alone do not refuse ordinary questions)."""
    variants: set[str] = set()
    for name in names:
        folded = " ".join(_fold(name).split())
        if not folded:
            continue
        variants.add(folded)
        words = re.split(r"[\s\-]+", folded)
        if len(words) > 1:
            variants.update(word for word in words if len(word) >= 3)
    return sorted(variants, key=lambda v: (-len(v), v))


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """The names that ``text`` contains as whole words, as they are written in the
    text (so that a refusal can point at them), longest name first."""
    normal = " ".join(unicodedata.normalize("NFKC", text or "").split())
    found: list[str] = []
    for name in name_variants(names):
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in name.split()) + r"(?!\w)"
        match = re.search(pattern, normal, flags=re.IGNORECASE)
        if match and match.group(0) not in found:
            found.append(match.group(0))
    return found
