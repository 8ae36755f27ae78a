"""How an estimate reads on the analytics page."""

from django import template

register = template.Library()


@register.filter
def estimate(value, unit: str = "") -> str:
    """``value`` (a proportion when ``unit`` is "%", else a mean) to one decimal place."""
    if value is None:
        return ""
    return f"{value * 100:.0f}%" if unit == "%" else f"{value:.1f}"
