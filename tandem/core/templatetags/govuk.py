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
    if kind == "date":
        # The first box the error is about (the GOV.UK date input's rule).
        parts = getattr(bound_field.field.widget, "error_parts", ()) or ("day",)
        order = ("day", "month", "year")
        first = min(order.index(part) for part in parts if part in order)
        return f"{bound_field.auto_id}_{first}"
    return bound_field.auto_id


@register.simple_tag
def pagination_items(page, around: int = 1) -> list[int | None]:
    """Page numbers for GOV.UK pagination: the first, the last, and those around the
    current page, with None where the numbers skip (an ellipsis)."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - around, page.number + around + 1)}
    items: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if items and items[-1] is not None and number - items[-1] > 1:
            items.append(None)
        items.append(number)
    return items
