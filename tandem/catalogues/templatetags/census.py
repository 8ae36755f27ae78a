"""The ethnic group in words on the pages that may show it."""

from django import template

from ..ethnicity import label

register = template.Library()


@register.filter
def ethnicity_label(code) -> str:
    return label(code or "")
