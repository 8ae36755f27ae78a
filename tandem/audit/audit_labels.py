"""The audit app's own actions in words (tandem.audit.actions)."""

from .actions import register_action_labels

register_action_labels({"audit.search": "Searched the audit log"})
