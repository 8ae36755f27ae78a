"""The audit log's actions in words: one registry that every app fills with the actions
it records, so the log pages say "Recorded a vetting check" rather than
``mentor.check_record``.

An app registers its wording once, from its ``AppConfig.ready()`` (by importing its
``audit_labels`` module, which calls ``register_action_labels``). The audit app names no
app: the registry is filled from above, as the layers require.

``action_label`` gives the registered wording; a record view (``<object_type>.view``,
from ``record_view``) reads "Looked at" and the record type's registered name; an action
nobody registered is still shown in words made from its code ("Mentor: check record"),
so the page never shows a bare code, and a test lists the actions in use without a label.
"""

from __future__ import annotations

from collections.abc import Mapping

_ACTIONS: dict[str, str] = {}
_RECORD_TYPES: dict[str, str] = {}


def register_action_labels(
    actions: Mapping[str, str] = {}, *, record_types: Mapping[str, str] = {}
) -> None:
    """``actions`` maps an action to what it did, as a sentence fragment with a capital
    ("Signed in"); ``record_types`` maps an object type to its name ("a case")."""
    for action, label in actions.items():
        existing = _ACTIONS.get(action)
        if existing is not None and existing != label:
            raise ValueError(f"The audit action {action!r} already reads {existing!r}.")
        _ACTIONS[action] = label
    for object_type, name in record_types.items():
        _RECORD_TYPES[object_type] = name


def registered_actions() -> dict[str, str]:
    return dict(_ACTIONS)


def _humanise(code: str) -> str:
    return code.replace("_", " ")


def record_type_name(object_type: str) -> str:
    if object_type in _RECORD_TYPES:
        return _RECORD_TYPES[object_type]
    return f"a {_humanise(object_type.rsplit('.', 1)[-1])} record" if object_type else "a record"


def action_label(action: str) -> str:
    if action in _ACTIONS:
        return _ACTIONS[action]
    if action.endswith(".view") and action.count(".") >= 2:
        return f"Looked at {record_type_name(action.removesuffix('.view'))}"
    noun, _, verb = action.partition(".")
    if not verb:
        return _humanise(action).capitalize()
    return f"{_humanise(noun).capitalize()}: {_humanise(verb)}"
