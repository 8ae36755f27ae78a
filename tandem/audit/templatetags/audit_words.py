"""``{% load audit_words %}``: ``{{ event.action|action_label }}`` and
``{{ event.object_type|record_type_name }}`` from the registry in tandem.audit.actions."""

from django import template

from ..actions import action_label, record_type_name

register = template.Library()

register.filter("action_label", action_label)
register.filter("record_type_name", record_type_name)
