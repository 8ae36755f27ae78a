from django import template

register = template.Library()


@register.filter
def widget_kind(bound_field) -> str:
    form = bound_field.form
    if hasattr(form, "widget_kind"):
        return form.widget_kind(bound_field.name)
    return "input"


@register.filter
def first_error_anchor(bound_field) -> str:
    """The id the error summary links to: the field itself, or its first option."""
    kind = widget_kind(bound_field)
    if kind in {"checkboxes", "radios"}:
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id
