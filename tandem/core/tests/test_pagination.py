import pytest
from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory

from tandem.core.templatetags.govuk import pagination_items


@pytest.mark.parametrize(
    ("number", "pages", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 9, 10]),
        (2, 10, [1, 2, 3, None, 10]),
    ],
)
def test_page_numbers_show_first_last_and_neighbours(number, pages, expected):
    page = Paginator(range(pages * 10), 10).page(number)
    assert pagination_items(page) == expected


def test_links_keep_other_filters_including_repeated_ones():
    request = RequestFactory().get("/x/", {"status": ["a", "b"], "page": "2"})
    page = Paginator(range(50), 10).page(2)
    html = Template('{% include "core/includes/pagination.html" %}').render(
        RequestContext(request, {"page": page})
    )
    assert "status=a&amp;status=b&amp;page=3" in html
    assert 'aria-current="page">2</a>' in html
