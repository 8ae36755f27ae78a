"""Questionnaires as data: validating an instrument's definition and scoring answers.

An instrument version is a JSON document (``InstrumentVersion.definition``):

```
{
  "scale": {"min": 0, "max": 10,
            "labels": {"min": {"en": "Not at all"}, "max": {"en": "Completely"}}},
  "items": [
    {"code": "satisfied", "kind": "scale", "reverse": false, "subscale": "life_satisfaction",
     "text": {"en": "Overall, how satisfied are you with your life nowadays?", "cy": "…"}},
    {"code": "comment", "kind": "text", "text": {"en": "Anything else?"}}
  ],
  "subscales": [
    {"code": "life_satisfaction", "name": "Life satisfaction", "method": "mean",
     "min_answered": 1, "higher_is_better": true}
  ],
  "total": {"name": "Trust", "method": "mean", "min_answered": 4, "higher_is_better": true}
}
```

- One response scale per instrument: whole points from ``min`` to ``max``, the two ends
  labelled in each language the wording is held in.
- A ``scale`` item is answered with a point on the scale; a ``text`` item with words
  (never scored). A reverse-scored item counts as ``min + max - answer``.
- Each subscale and the total score the (reversed) answers of their items by ``mean``
  or by ``sum``; a sum with unanswered items is prorated (the mean times the number of
  items), the usual convention. Fewer answered items than ``min_answered`` give no
  score (``None``), never a misleading one.
- ``total`` is optional (the ONS questions are reported one by one); when present it
  scores every scale item.

Pure: no Django, no database. ``validate`` turns a document into a ``Definition`` or
raises ``DefinitionError`` with a message a coordinator can act on; ``score`` turns
answers into ``Scores``, raising ``AnswerError`` for an answer outside the scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "AnswerError",
    "Definition",
    "DefinitionError",
    "Item",
    "Scores",
    "Subscale",
    "score",
    "to_document",
    "validate",
]

METHODS = ("mean", "sum")
KINDS = ("scale", "text")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ITEMS = 60
MAX_TEXT = 500
MAX_ANSWER_TEXT = 2000
SCALE_LIMITS = (-100, 100)
MAX_POINTS = 21
DEFAULT_LANGUAGE = "en"


class DefinitionError(ValueError):
    """An instrument definition that cannot be used; the message says what to change."""


class AnswerError(ValueError):
    """An answer that the instrument cannot take."""


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    kind: str
    text: Mapping[str, str]
    reverse: bool = False
    subscale: str = ""

    def wording(self, language: str) -> str:
        return self.text.get(language) or self.text[DEFAULT_LANGUAGE]


@dataclass(frozen=True, slots=True)
class Subscale:
    code: str
    name: str
    method: str
    min_answered: int
    higher_is_better: bool = True
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Definition:
    scale_min: int
    scale_max: int
    labels: Mapping[str, Mapping[str, str]]
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...]
    total: Subscale | None

    @property
    def scale_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == "scale")

    @property
    def points(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages every item's wording (and both scale labels, where any) is held in,
        English first."""
        held = set.intersection(*(set(i.text) for i in self.items))
        for end in self.labels.values():
            if end:
                held &= set(end)
        return (DEFAULT_LANGUAGE, *sorted(held - {DEFAULT_LANGUAGE}))

    def label(self, end: str, language: str) -> str:
        words = self.labels.get(end) or {}
        return words.get(language) or words.get(DEFAULT_LANGUAGE, "")


@dataclass(frozen=True, slots=True)
class Scores:
    """Each subscale's score (None when too few of its items were answered), the total
    (None likewise, or when the instrument has none) and how many scale items were
    answered."""

    subscales: Mapping[str, float | None]
    total: float | None
    answered: int
    items: int
    errors: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "subscales": dict(self.subscales),
            "total": self.total,
            "answered": self.answered,
            "items": self.items,
        }


# Validation ----------------------------------------------------------------------------


def _int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{what} must be a whole number.")
    return value


def _words(value, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{what} must give wording by language.")
    words = {}
    for language, text in value.items():
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(-[a-z]{2,4})?", language):
            raise DefinitionError(f"{what} names a language code that is not valid.")
        if not isinstance(text, str):
            raise DefinitionError(f"{what} must be words.")
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise DefinitionError(f"{what} must be {MAX_TEXT} characters or fewer.")
        if text:
            words[language] = text
    return words


def _method(value, what: str) -> str:
    if value not in METHODS:
        raise DefinitionError(f"{what} must be scored by mean or by sum.")
    return value


def validate(document) -> Definition:
    """The definition in ``document``, or DefinitionError saying what is wrong."""
    if not isinstance(document, Mapping):
        raise DefinitionError("The definition must be a set of named parts.")
    scale = document.get("scale")
    if not isinstance(scale, Mapping):
        raise DefinitionError("The instrument needs a response scale.")
    low = _int(scale.get("min"), "The lowest point of the scale")
    high = _int(scale.get("max"), "The highest point of the scale")
    if not SCALE_LIMITS[0] <= low < high <= SCALE_LIMITS[1]:
        raise DefinitionError("The highest point of the scale must be above the lowest.")
    if high - low + 1 > MAX_POINTS:
        raise DefinitionError(f"A scale can have at most {MAX_POINTS} points.")
    raw_labels = scale.get("labels") or {}
    if not isinstance(raw_labels, Mapping):
        raise DefinitionError("The scale's labels must be given for its lowest and highest point.")
    labels = {
        end: _words(raw_labels.get(end) or {}, f"The label of the {end}imum")
        for end in ("min", "max")
    }

    raw_items = document.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise DefinitionError("The instrument needs at least one item.")
    if len(raw_items) > MAX_ITEMS:
        raise DefinitionError(f"An instrument can have at most {MAX_ITEMS} items.")
    items: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items, start=1):
        what = f"Item {n}"
        if not isinstance(raw, Mapping):
            raise DefinitionError(f"{what} must be a set of named parts.")
        code = raw.get("code")
        if not isinstance(code, str) or not CODE.match(code):
            raise DefinitionError(
                f"{what} needs a code of lower-case letters, digits and underscores, "
                "starting with a letter (at most 40)."
            )
        if code in seen:
            raise DefinitionError(f"{what} repeats the code “{code}”: each code must be unique.")
        seen.add(code)
        kind = raw.get("kind", "scale")
        if kind not in KINDS:
            raise DefinitionError(f"{what} must be answered on the scale or in words.")
        text = _words(raw.get("text"), f"The wording of item {n}")
        if DEFAULT_LANGUAGE not in text:
            raise DefinitionError(f"{what} needs its wording in English.")
        reverse = raw.get("reverse", False)
        if not isinstance(reverse, bool):
            raise DefinitionError(f"{what} must say whether it is reverse-scored.")
        subscale = raw.get("subscale") or ""
        if kind == "text" and (reverse or subscale):
            raise DefinitionError(f"{what} is answered in words, so it cannot be scored.")
        items.append(Item(code=code, kind=kind, text=text, reverse=reverse, subscale=subscale))

    scale_codes = [i.code for i in items if i.kind == "scale"]
    raw_subscales = document.get("subscales") or []
    if not isinstance(raw_subscales, list):
        raise DefinitionError("The subscales must be a list.")
    subscales: list[Subscale] = []
    for n, raw in enumerate(raw_subscales, start=1):
        if not isinstance(raw, Mapping):
            raise DefinitionError(f"Subscale {n} must be a set of named parts.")
        code = raw.get("code")
        if not isinstance(code, str) or not CODE.match(code):
            raise DefinitionError(f"Subscale {n} needs a code of lower-case letters and digits.")
        if any(s.code == code for s in subscales):
            raise DefinitionError(f"Subscale {n} repeats the code “{code}”.")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise DefinitionError(f"Subscale {n} needs a name.")
        members = tuple(i.code for i in items if i.subscale == code)
        if not members:
            raise DefinitionError(f"No item belongs to the subscale “{name.strip()}”.")
        subscales.append(
            _scored(raw, code=code, name=name.strip(), members=members, what=f"Subscale {n}")
        )
    known = {s.code for s in subscales}
    for n, item in enumerate(items, start=1):
        if item.subscale and item.subscale not in known:
            raise DefinitionError(
                f"Item {n} belongs to the subscale “{item.subscale}”, which is not defined."
            )

    total = None
    raw_total = document.get("total")
    if raw_total is not None:
        if not isinstance(raw_total, Mapping):
            raise DefinitionError("The total must be a set of named parts.")
        if not scale_codes:
            raise DefinitionError("A total needs items answered on the scale.")
        name = raw_total.get("name") or "Total"
        if not isinstance(name, str):
            raise DefinitionError("The total's name must be words.")
        total = _scored(
            raw_total, code="total", name=name.strip(), members=tuple(scale_codes), what="The total"
        )
    return Definition(
        scale_min=low,
        scale_max=high,
        labels=labels,
        items=tuple(items),
        subscales=tuple(subscales),
        total=total,
    )


def _scored(raw: Mapping, *, code: str, name: str, members: tuple[str, ...], what: str):
    method = _method(raw.get("method", "mean"), what)
    minimum = _int(raw.get("min_answered", len(members)), f"The minimum answered for {what}")
    if not 1 <= minimum <= len(members):
        raise DefinitionError(
            f"{what} needs between 1 and {len(members)} answered items for a score."
        )
    higher = raw.get("higher_is_better", True)
    if not isinstance(higher, bool):
        raise DefinitionError(f"{what} must say whether a higher score is better.")
    return Subscale(
        code=code,
        name=name,
        method=method,
        min_answered=minimum,
        higher_is_better=higher,
        items=members,
    )


def to_document(definition: Definition) -> dict:
    """The JSON document of ``definition`` (``validate(to_document(d)) == d``)."""

    def scored(s: Subscale) -> dict:
        return {
            "method": s.method,
            "min_answered": s.min_answered,
            "higher_is_better": s.higher_is_better,
        }

    items = []
    for i in definition.items:
        row = {"code": i.code, "kind": i.kind, "text": dict(i.text)}
        if i.kind == "scale":
            row["reverse"] = i.reverse
            if i.subscale:
                row["subscale"] = i.subscale
        items.append(row)
    return {
        "scale": {
            "min": definition.scale_min,
            "max": definition.scale_max,
            "labels": {end: dict(words) for end, words in definition.labels.items()},
        },
        "items": items,
        "subscales": [{"code": s.code, "name": s.name, **scored(s)} for s in definition.subscales],
        "total": (
            None
            if definition.total is None
            else {"name": definition.total.name, **scored(definition.total)}
        ),
    }


# Scoring -------------------------------------------------------------------------------


def clean_answers(definition: Definition, answers: Mapping[str, object]) -> dict[str, object]:
    """``answers`` checked against the instrument: scale answers as whole points on the
    scale (or None, unanswered), text answers as trimmed words. Unknown codes are
    refused, so an answer cannot be filed under an item the version does not have."""
    by_code = {i.code: i for i in definition.items}
    unknown = set(answers) - set(by_code)
    if unknown:
        raise AnswerError("An answer was given to a question this questionnaire does not have.")
    cleaned: dict[str, object] = {}
    for item in definition.items:
        value = answers.get(item.code)
        if item.kind == "text":
            text = "" if value is None else str(value).strip()
            if len(text) > MAX_ANSWER_TEXT:
                raise AnswerError(
                    f"Answers in words must be {MAX_ANSWER_TEXT} characters or fewer."
                )
            cleaned[item.code] = text
            continue
        if value is None or value == "":
            cleaned[item.code] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError("Each answer must be one of the points on the scale.")
        if value not in definition.points:
            raise AnswerError(
                f"Each answer must be from {definition.scale_min} to {definition.scale_max}."
            )
        cleaned[item.code] = value
    return cleaned


def _combine(scale: Subscale, values: list[float]) -> float | None:
    if len(values) < scale.min_answered:
        return None
    mean = math.fsum(values) / len(values)
    result = mean if scale.method == "mean" else mean * len(scale.items)
    return round(result, 2)


def score(definition: Definition, answers: Mapping[str, object]) -> Scores:
    """Score ``answers`` ({item code: point, words or None}) under ``definition``."""
    cleaned = clean_answers(definition, answers)
    counted: dict[str, float] = {}
    for item in definition.scale_items:
        value = cleaned[item.code]
        if value is None:
            continue
        counted[item.code] = (
            definition.scale_min + definition.scale_max - value if item.reverse else value
        )
    subscales = {
        s.code: _combine(s, [counted[c] for c in s.items if c in counted])
        for s in definition.subscales
    }
    total = None
    if definition.total is not None:
        total = _combine(
            definition.total, [counted[c] for c in definition.total.items if c in counted]
        )
    return Scores(
        subscales=subscales,
        total=total,
        answered=len(counted),
        items=len(definition.scale_items),
    )
