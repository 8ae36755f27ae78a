"""The catalogue services: each change, its audit event, and the rules they keep
whatever a form sends."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area, ConcernType, Language, ReferralSource, Specialism
from tandem.catalogues.registry import CATALOGUES
from tandem.catalogues.selectors import catalogue_entries, entry_uses
from tandem.catalogues.services import (
    CatalogueConflict,
    CatalogueRefused,
    entry_create,
    entry_delete,
    entry_move,
    entry_reinstate,
    entry_retire,
    entry_update,
)
from tandem.mentors.models import MentorLanguage
from tandem.mentors.tests.factories import make_mentor

pytestmark = pytest.mark.django_db

AREAS = CATALOGUES["areas"]
LANGUAGES = CATALOGUES["languages"]
SPECIALISMS = CATALOGUES["specialisms"]
CONCERN_TYPES = CATALOGUES["concern-types"]


@pytest.fixture
def coordinator():
    return create_user("coordinator")


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-sequence").first()


def names(catalogue, actor) -> list[str]:
    return [entry.name for entry in catalogue_entries(actor=actor, catalogue=catalogue)]


# Adding ---------------------------------------------------------------------------------


def test_adding_an_entry_is_audited(coordinator):
    language = entry_create(actor=coordinator, catalogue=LANGUAGES, name="  Amharic ", details={})

    assert language.name == "Amharic" and language.is_active
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == (
        "catalogue_entry.create",
        "catalogues.language",
        str(language.pk),
    )
    assert event.actor == coordinator


def test_an_alphabetical_list_stays_alphabetical_and_a_hand_ordered_one_grows_at_the_end(
    coordinator,
):
    entry_create(actor=coordinator, catalogue=LANGUAGES, name="Amharic", details={})
    assert names(LANGUAGES, coordinator)[:2] == ["Amharic", "Arabic"]

    source = entry_create(
        actor=coordinator,
        catalogue=CATALOGUES["referral-sources"],
        name="Charity",
        code="charity",
        details={},
    )
    assert list(ReferralSource.objects.values_list("name", flat=True))[-1] == source.name


def test_a_name_is_unique_whatever_its_case_and_a_retired_one_is_pointed_out(coordinator):
    with pytest.raises(CatalogueRefused, match="already a language called English") as refused:
        entry_create(actor=coordinator, catalogue=LANGUAGES, name="english", details={})
    assert refused.value.field == "name"

    Language.objects.filter(name="Polish").update(is_active=False)
    with pytest.raises(CatalogueRefused, match="retired: reinstate it instead"):
        entry_create(actor=coordinator, catalogue=LANGUAGES, name="POLISH", details={})


def test_codes_are_checked_when_an_entry_is_added(coordinator):
    for code, message in [
        ("", "Enter a code"),
        ("Youth Work", "lower-case letters"),
        ("youth-work", "already a specialism with the code youth-work"),
    ]:
        with pytest.raises(CatalogueRefused, match=message) as refused:
            entry_create(
                actor=coordinator,
                catalogue=SPECIALISMS,
                name="Youth and community work",
                code=code,
                details={"requires_qualification": False, "is_theology": False},
            )
        assert refused.value.field == "code"


def test_an_area_point_needs_both_coordinates_within_range(coordinator):
    for details, field in [
        ({"latitude": Decimal("52.1"), "longitude": None}, "longitude"),
        ({"latitude": Decimal("91"), "longitude": Decimal("0")}, "latitude"),
        ({"latitude": Decimal("0"), "longitude": Decimal("-181")}, "longitude"),
    ]:
        with pytest.raises(CatalogueRefused) as refused:
            entry_create(actor=coordinator, catalogue=AREAS, name="Tamworth", details=details)
        assert refused.value.field == field
    area = entry_create(
        actor=coordinator,
        catalogue=AREAS,
        name="Tamworth",
        details={"latitude": Decimal("52.63399"), "longitude": Decimal("-1.69587")},
    )
    assert (area.latitude, area.longitude) == (Decimal("52.63399"), Decimal("-1.69587"))


# Changing -------------------------------------------------------------------------------


def test_changing_an_entry_records_the_fields_and_bumps_the_version(coordinator):
    concern = ConcernType.objects.get(code="incel")
    youth = Specialism.objects.get(code="youth-work")

    updated = entry_update(
        actor=coordinator,
        catalogue=CONCERN_TYPES,
        entry=concern,
        name="Involuntary celibate (incel)",
        details={"specialisms": [youth]},
        expected_version=concern.version,
    )

    assert updated.name == "Involuntary celibate (incel)"
    assert updated.code == "incel"  # never changes
    assert list(updated.specialisms.all()) == [youth]
    assert updated.version == concern.version + 1
    event = last_event()
    assert event.action == "catalogue_entry.change"
    assert event.changed_fields == ["name", "specialisms"]


def test_saving_without_a_change_writes_nothing(coordinator):
    faith = CATALOGUES["faiths"].model.objects.get(name="Sikh")
    before = AuditEvent.objects.count()

    entry_update(
        actor=coordinator,
        catalogue=CATALOGUES["faiths"],
        entry=faith,
        name="Sikh",
        details={},
        expected_version=faith.version,
    )

    assert AuditEvent.objects.count() == before
    faith.refresh_from_db()
    assert faith.version == 1


def test_a_change_from_a_stale_page_is_refused(coordinator):
    area = Area.objects.get(name="Walsall")
    seen = area.version
    entry_update(
        actor=coordinator,
        catalogue=AREAS,
        entry=area,
        name="Walsall borough",
        details={"latitude": area.latitude, "longitude": area.longitude},
        expected_version=seen,
    )

    with pytest.raises(CatalogueConflict, match="It is now called Walsall borough"):
        entry_update(
            actor=create_user("administrator"),
            catalogue=AREAS,
            entry=area,
            name="Walsall town",
            details={"latitude": None, "longitude": None},
            expected_version=seen,
        )
    area.refresh_from_db()
    assert (area.name, area.latitude) == ("Walsall borough", Decimal("52.58653"))


# Reordering -----------------------------------------------------------------------------


def test_moving_an_entry_swaps_it_with_its_neighbour_and_keeps_the_rest_in_order(coordinator):
    before = names(LANGUAGES, coordinator)
    english = Language.objects.get(name="English")

    entry_move(actor=coordinator, catalogue=LANGUAGES, entry=english, direction="up")

    index = before.index("English")
    expected = [*before]
    expected[index - 1], expected[index] = expected[index], expected[index - 1]
    assert names(LANGUAGES, coordinator) == expected
    assert last_event().action == "catalogue_entry.move"

    entry_move(actor=coordinator, catalogue=LANGUAGES, entry=english, direction="down")
    assert names(LANGUAGES, coordinator) == before


def test_the_first_entry_cannot_move_up_nor_the_last_down(coordinator):
    entries = list(catalogue_entries(actor=coordinator, catalogue=LANGUAGES))
    with pytest.raises(CatalogueRefused, match="already first"):
        entry_move(actor=coordinator, catalogue=LANGUAGES, entry=entries[0], direction="up")
    with pytest.raises(CatalogueRefused, match="already last"):
        entry_move(actor=coordinator, catalogue=LANGUAGES, entry=entries[-1], direction="down")


# Retiring, reinstating, deleting --------------------------------------------------------


def test_retiring_and_reinstating_are_audited(coordinator):
    faith = CATALOGUES["faiths"].model.objects.get(name="Other")

    entry_retire(actor=coordinator, catalogue=CATALOGUES["faiths"], entry=faith)
    faith.refresh_from_db()
    assert not faith.is_active
    assert last_event().action == "catalogue_entry.retire"
    with pytest.raises(CatalogueRefused, match="already retired"):
        entry_retire(actor=coordinator, catalogue=CATALOGUES["faiths"], entry=faith)

    entry_reinstate(actor=coordinator, catalogue=CATALOGUES["faiths"], entry=faith)
    faith.refresh_from_db()
    assert faith.is_active
    assert last_event().action == "catalogue_entry.reinstate"
    with pytest.raises(CatalogueRefused, match="already offered"):
        entry_reinstate(actor=coordinator, catalogue=CATALOGUES["faiths"], entry=faith)


def test_the_last_offered_entry_can_be_neither_retired_nor_deleted(coordinator):
    sources = CATALOGUES["referral-sources"]
    unused = entry_create(
        actor=coordinator, catalogue=sources, name="Charity", code="charity", details={}
    )
    ReferralSource.objects.exclude(pk=unused.pk).update(is_active=False)

    with pytest.raises(CatalogueRefused, match="only referral source offered"):
        entry_retire(actor=coordinator, catalogue=sources, entry=unused)
    with pytest.raises(CatalogueRefused, match="only referral source offered"):
        entry_delete(actor=coordinator, catalogue=sources, entry=unused)


def test_an_entry_nobody_used_is_deleted_and_audited(coordinator):
    language = entry_create(actor=coordinator, catalogue=LANGUAGES, name="Amharic", details={})
    pk = language.pk

    entry_delete(actor=coordinator, catalogue=LANGUAGES, entry=language)

    assert not Language.objects.filter(pk=pk).exists()
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == (
        "catalogue_entry.delete",
        "catalogues.language",
        str(pk),
    )


@pytest.mark.parametrize(
    ("slug", "use"),
    [
        # Many-to-many relations would otherwise take their rows with the entry.
        ("areas", lambda area: make_mentor().areas.add(area)),
        ("languages", lambda language: make_case().languages.add(language)),
        ("specialisms", lambda s: ConcernType.objects.get(code="other").specialisms.add(s)),
        # Rows that belong to a record, and plain foreign keys.
        (
            "languages",
            lambda language: MentorLanguage.objects.create(
                mentor=make_mentor(), language=language, proficiency="fluent"
            ),
        ),
        ("languages", lambda language: make_case(preferred_language=language)),
        ("faiths", lambda faith: make_mentor(faith=faith)),
        ("concern-types", lambda concern: make_case(concern_type=concern)),
        ("referral-sources", lambda source: make_case(referral_source=source)),
    ],
)
def test_an_entry_in_use_through_any_relation_is_not_deleted(coordinator, slug, use):
    catalogue = CATALOGUES[slug]
    entry = entry_create(
        actor=coordinator, catalogue=catalogue, name="New entry", code="new-entry", details={}
    )
    use(entry)
    events = AuditEvent.objects.count()

    with pytest.raises(CatalogueRefused, match="Retire it instead"):
        entry_delete(actor=coordinator, catalogue=catalogue, entry=entry)

    assert catalogue.model.objects.filter(pk=entry.pk).exists()
    assert sum(use.count for use in entry_uses(entry)) == 1
    assert AuditEvent.objects.count() == events


def test_uses_count_each_record_once_whatever_the_relations_it_uses(coordinator):
    english = Language.objects.get(name="English")
    case = make_case(preferred_language=english)
    case.languages.add(english, Language.objects.get(name="Urdu"))
    mentor = make_mentor()
    mentor.languages.create(language=english, proficiency="first")

    entries = {e.name: e for e in catalogue_entries(actor=coordinator, catalogue=LANGUAGES)}

    assert entries["English"].uses == 2
    assert entries["Urdu"].uses == 1
    assert entries["Polish"].uses == 0
    assert {(use.what, use.count) for use in entry_uses(english)} == {
        ("case", 1),
        ("mentor language", 1),
    }
