"""Catalogues' audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "catalogue_entry.create": "Added a catalogue entry",
        "catalogue_entry.change": "Changed a catalogue entry",
        "catalogue_entry.move": "Moved a catalogue entry",
        "catalogue_entry.retire": "Retired a catalogue entry",
        "catalogue_entry.reinstate": "Reinstated a catalogue entry",
        "catalogue_entry.delete": "Deleted a catalogue entry",
    }
)
