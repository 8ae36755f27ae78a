"""The filters of a list page: django-filter does the filtering, GOV.UK draws the form.

A list declares a ``GovUKFilterSet`` over the queryset its policy lets the user see.
Each filter carries its form field's wording (label, hint, error messages) and the
form is a ``GovUKFilterForm``, so the page shows GOV.UK fields and MoJ filter tags.
A value that fails validation is explained and left out; the other filters still apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import QuerySet

from .forms import GovUKFilterForm

# The value of a choice list's first option, which filters nothing.
ANY = ""


def with_any(label: str, choices) -> list[tuple]:
    """``choices`` after a first option, ``label``, that filters nothing."""
    return [(ANY, label), *choices]


class SortFilter(django_filters.ChoiceFilter):
    """The order of the list. ``orderings`` maps each choice to its label and its
    ``order_by()`` arguments; the first choice is the default."""

    def __init__(self, *, orderings: dict[str, tuple[str, Sequence]], **kwargs):
        self.orderings = {value: order for value, (_label, order) in orderings.items()}
        self.default = next(iter(orderings))
        super().__init__(
            label="Sort by",
            choices=[(value, label) for value, (label, _order) in orderings.items()],
            empty_label=None,
            error_messages={"invalid_choice": "Select a sort order from the list"},
            **kwargs,
        )

    def filter(self, qs, value):
        return qs.order_by(*self.orderings[value or self.default])


class GovUKFilterSet(django_filters.FilterSet):
    class Meta:
        form = GovUKFilterForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        for name, filter_ in self.filters.items():
            # A sort order that is not valid is explained; the list keeps the default.
            if isinstance(filter_, SortFilter) and name not in self.form.cleaned_data:
                queryset = filter_.filter(queryset, "")
        return queryset

    @property
    def used(self) -> list[str]:
        """The names of the filters that narrow the list: valid, given, the order aside."""
        return [
            name
            for name, value in self.form.cleaned_data.items()
            if value and not isinstance(self.filters[name], SortFilter)
        ]


# Sortable columns ------------------------------------------------------------------------

# A column's server-side order: none, one order, or a pair (ascending, descending)
# that its header link switches between.
ColumnSort = str | tuple[str, str] | None


def sort_headers(request, *, current: str, columns: Sequence[tuple[str, ColumnSort]]):
    """The column headers of a sortable table (MoJ sortable table): each with its
    label, ``aria_sort`` and, when the list can be sorted by that column on the server,
    the link that does so, keeping the filters and going back to the first page. A
    column given as ``(label, sort, "numeric")`` is aligned as a number.

    Without JavaScript the links sort the whole list on the server; with it, the MoJ
    component turns every header with ``aria-sort`` into a button that sorts the rows
    shown."""
    headers = []
    for label, sort, *options in columns:
        aria, target = "none", None
        if isinstance(sort, tuple):
            ascending, descending = sort
            if current == ascending:
                aria, target = "ascending", descending
            elif current == descending:
                aria, target = "descending", ascending
            else:
                target = ascending
        elif sort:
            target = sort
            if current == sort:
                aria = "ascending"
        href = None
        if target:
            query = request.GET.copy()
            query["sort"] = target
            query.pop("page", None)
            href = f"?{query.urlencode()}"
        headers.append(
            {"label": label, "aria_sort": aria, "href": href, "numeric": "numeric" in options}
        )
    return headers


@dataclass(frozen=True)
class By:
    """The order of a list of rows built in Python: ``sorted(rows, key=key,
    reverse=reverse)``. A key must never compare None with a value (put it in a tuple)."""

    key: Callable[[Any], Any] | None = None  # None: the order the rows came in
    reverse: bool = False


# A list's server-side orders, by the ``sort`` value that asks for each: ``order_by()``
# arguments for a queryset, ``By`` for rows. The first is the default.
Orderings = dict[str, Sequence[str] | By]


@dataclass(frozen=True)
class SortedList:
    items: Any  # the queryset or the rows, in order
    current: str  # the sort value applied
    headers: list[dict]  # for core/includes/sort_headers.html


def sort_list(
    request, items, *, orderings: Orderings, columns: Sequence[tuple[str, ColumnSort]]
) -> SortedList:
    """Sort a list page's queryset or rows by the ``sort`` value in the query string,
    and give the headers of its sortable table. The one server-side sort for lists
    without a filter form (those with one use ``SortFilter``).

    A ``sort`` value the list does not offer (typed, or from an old link) gives the
    default order, never an error. Orderings of a queryset are applied by the database
    before pagination, so the query count does not change; every header link keeps the
    other query parameters (filters) and goes back to the first page."""
    default = next(iter(orderings))
    requested = request.GET.get("sort", "")
    current = requested if requested in orderings else default
    order = orderings[current]
    if isinstance(order, By):
        items = list(items) if order.key is None else sorted(items, key=order.key)
        if order.reverse:
            items.reverse()
    elif isinstance(items, QuerySet):
        items = items.order_by(*order)
    else:
        raise TypeError("Rows built in Python are sorted with By, not order_by() arguments.")
    return SortedList(items, current, sort_headers(request, current=current, columns=columns))
