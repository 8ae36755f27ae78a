"""The one server-side sort of list pages without a filter form (``sort_list``): the
order asked for when the list offers it, the default otherwise, headers whose links keep
the filters and go back to the first page, on querysets and on rows alike."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from tandem.core.filters import By, sort_list

ROWS = [{"name": "Bryn", "n": 2}, {"name": "Alys", "n": 3}, {"name": "Cai", "n": 1}]
ROW_ORDERS = {
    "given": By(),
    "name": By(lambda r: r["name"]),
    "n_desc": By(lambda r: r["n"], reverse=True),
}
COLUMNS = [("Name", "name"), ("Number", ("given", "n_desc"), "numeric"), ("Notes", None)]


def request(query: str = ""):
    return RequestFactory().get(f"/list/?{query}")


def names(result) -> list[str]:
    return [row["name"] for row in result.items]


def test_rows_are_sorted_by_the_order_asked_for():
    assert names(sort_list(request("sort=name"), ROWS, orderings=ROW_ORDERS, columns=COLUMNS)) == [
        "Alys",
        "Bryn",
        "Cai",
    ]
    result = sort_list(request("sort=n_desc"), ROWS, orderings=ROW_ORDERS, columns=COLUMNS)
    assert names(result) == ["Alys", "Bryn", "Cai"]
    assert result.current == "n_desc"


@pytest.mark.parametrize("query", ["", "sort=", "sort=surname", "sort=name%27--", "sort=NAME"])
def test_an_order_the_list_does_not_offer_gives_the_default(query):
    result = sort_list(request(query), ROWS, orderings=ROW_ORDERS, columns=COLUMNS)
    assert result.current == "given"
    assert names(result) == ["Bryn", "Alys", "Cai"]  # as they came


def test_headers_keep_the_filters_drop_the_page_and_mark_the_current_order():
    result = sort_list(
        request("status=open&sort=given&page=3"), ROWS, orderings=ROW_ORDERS, columns=COLUMNS
    )
    name, number, notes = result.headers
    assert name == {
        "label": "Name",
        "aria_sort": "none",
        "href": "?status=open&sort=name",
        "numeric": False,
    }
    # A pair switches between its two orders.
    assert number == {
        "label": "Number",
        "aria_sort": "ascending",
        "href": "?status=open&sort=n_desc",
        "numeric": True,
    }
    assert notes == {"label": "Notes", "aria_sort": "none", "href": None, "numeric": False}
    descending = sort_list(request("sort=n_desc"), ROWS, orderings=ROW_ORDERS, columns=COLUMNS)
    assert descending.headers[1]["aria_sort"] == "descending"
    assert descending.headers[1]["href"] == "?sort=given"


@pytest.mark.django_db
def test_a_queryset_is_ordered_by_the_database(django_assert_num_queries):
    User = get_user_model()
    for email in ("b@example.org", "a@example.org", "c@example.org"):
        User.objects.create_user(email=email, password="correct horse battery")
    orders = {"newest": ("-pk",), "email": ("email", "pk")}
    result = sort_list(
        request("sort=email"), User.objects.all(), orderings=orders, columns=[("Email", "email")]
    )
    with django_assert_num_queries(1):
        assert [u.email for u in result.items] == [
            "a@example.org",
            "b@example.org",
            "c@example.org",
        ]


def test_rows_need_a_by_order():
    with pytest.raises(TypeError):
        sort_list(request("sort=x"), ROWS, orderings={"x": ("name",)}, columns=[])
