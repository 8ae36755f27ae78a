"""The catalogues end to end: a coordinator adds a language and finds it offered on the
referral form; retires an area a case still has, and finds it no longer offered while
the case still shows it; and meets the errors of a form typed wrongly."""

from __future__ import annotations

import pytest

from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area, Language
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e


def test_a_coordinator_maintains_the_catalogues(visit):
    ensure_demo_users()
    walsall = Area.objects.get(name="Walsall")
    case = make_case(area=walsall)
    page = visit.page
    coordinator = next(s for s in DEMO_USERS if "coordinator" in s.roles)
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)

    # 1. From the home page to the languages, and a new one added.
    page.get_by_role("link", name="Areas, languages and other lists").click()
    visit.check()
    page.get_by_role("link", name="Languages", exact=True).click()
    visit.check()
    page.get_by_role("link", name="Add a language").click()
    visit.check()
    page.get_by_label("Name").fill("english")
    page.get_by_role("button", name="Add language").click()
    visit.check()
    assert (
        "There is already a language called English"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Name").fill("Amharic")
    page.get_by_role("button", name="Add language").click()
    visit.check()
    assert Language.objects.get(name="Amharic").is_active

    # 2. It is moved in the list without JavaScript's help.
    row = page.locator("tr", has=page.get_by_role("link", name="Amharic", exact=True))
    row.get_by_role("button", name="Move down").click()
    visit.check()
    assert "Amharic has moved down" in page.locator(".govuk-notification-banner").inner_text()

    # 3. The referral form offers it.
    visit.goto("/cases/refer/")
    assert page.get_by_label("Amharic").count() == 1

    # 4. An area a case still has cannot be deleted; it is retired.
    visit.goto("/catalogues/areas/")
    walsall_row = page.locator("tr", has=page.get_by_role("link", name="Walsall", exact=True))
    assert walsall_row.locator("td").nth(1).inner_text() == "1"
    page.get_by_role("link", name="Walsall", exact=True).click()
    visit.check()
    assert "1 case" in page.locator(".govuk-summary-list").inner_text()
    assert page.get_by_role("link", name="Delete Walsall").count() == 0
    page.get_by_label("Latitude").fill("95")
    page.get_by_role("button", name="Save changes").click()
    visit.check()
    assert (
        "Enter the latitude as a number from -90 to 90"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_role("button", name="Retire area").click()
    visit.check()
    assert "Walsall has been retired" in page.locator(".govuk-notification-banner").inner_text()

    # 5. The referral form no longer offers it; the case still shows it.
    visit.goto("/cases/refer/")
    assert page.locator("#id_area option", has_text="Walsall").count() == 0
    assert page.locator("#id_area option", has_text="Dudley").count() == 1
    visit.goto(f"/cases/{case.pk}/")
    assert "Walsall" in page.locator("main").inner_text()

    # 6. The unused language is deleted after confirmation.
    visit.goto("/catalogues/languages/")
    page.get_by_role("link", name="Amharic", exact=True).click()
    visit.check()
    page.get_by_role("link", name="Delete Amharic").click()
    visit.check()
    page.get_by_role("button", name="Delete language").click()
    visit.check()
    assert not Language.objects.filter(name="Amharic").exists()
