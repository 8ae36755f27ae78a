"""The consent rule at each age band: a younger child (a parent or guardian decides), a
competent younger child (their own agreement recorded alongside), a 16- or 17-year-old
with capacity (consents for themself), an adult; the rule's reasons on the page; the
ages configurable; the guardian named in the referral pre-filled."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.consent_rule import (
    ADULT,
    COMPETENT_CHILD,
    OLDER_CHILD,
    YOUNGER_CHILD,
    ConsentRule,
    current_rule,
)
from tandem.cases.models import CaseStatus, Consent
from tandem.cases.services.screening import ScreeningRefused, consent_record, screening_record

from .factories_referrals import child_data, coordinator, refer_child, years_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def aged(years, staff, **extra):
    case = refer_child(**child_data(date_of_birth=years_ago(years, days=30), **extra))
    return screening_record(actor=staff, case=case, outcome="clear")


def url(case):
    return reverse("cases:consent", args=[case.pk])


def posted(case, **overrides):
    data = {
        "decision": "given",
        "given_by": "parent",
        "giver_name": "Pat Bloggs",
        "decided_on": TODAY().strftime("%d/%m/%Y"),
        "method": "in_person",
        "version": case.version,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "age, band",
    [
        (5, YOUNGER_CHILD),
        (12, YOUNGER_CHILD),
        (13, COMPETENT_CHILD),
        (15, COMPETENT_CHILD),
        (16, OLDER_CHILD),
        (17, OLDER_CHILD),
        (18, ADULT),
        (60, ADULT),
    ],
)
def test_each_age_falls_in_its_band(age, band):
    assert current_rule().band_for(age) == band


def test_the_ages_come_from_settings(settings):
    settings.TANDEM_CONSENT_SELF_AGE = 17
    settings.TANDEM_CONSENT_COMPETENCE_AGE = 10
    rule = current_rule()
    assert rule.band_for(16) == COMPETENT_CHILD
    assert rule.band_for(10) == COMPETENT_CHILD
    assert rule.band_for(9) == YOUNGER_CHILD
    assert "under 17" in " ".join(rule.reasons(COMPETENT_CHILD))


@pytest.mark.parametrize("self_age, competence_age", [(19, 13), (16, 17), (16, 0)])
def test_an_impossible_rule_is_refused(self_age, competence_age):
    with pytest.raises(ValueError):
        ConsentRule(self_age=self_age, competence_age=competence_age)


# A 16- or 17-year-old ----------------------------------------------------------------------


def test_a_17_year_old_with_capacity_consents_for_themself(client, staff):
    case = aged(17, staff)
    body = client.get(url(case)).content.decode()
    assert "a young person of this age who has the capacity to decide can consent" in body
    assert "The young person has the capacity to decide for themself" in body
    response = client.post(
        url(case),
        posted(case, given_by="person", giver_name="Jo Bloggs", capacity_confirmed="on"),
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.given_by == "person"
    assert consent.capacity_confirmed
    assert consent.rule_band == OLDER_CHILD
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    event = AuditEvent.objects.filter(action="case.consent_record").latest("pk")
    assert "consents.capacity_confirmed" in event.changed_fields


def test_a_16_year_old_consenting_needs_their_capacity_confirmed(client, staff):
    case = aged(16, staff)
    body = client.post(url(case), posted(case, given_by="person")).content.decode()
    assert "Confirm that the young person has the capacity to decide" in body
    assert not Consent.objects.exists()
    with pytest.raises(ScreeningRefused, match="capacity"):
        consent_record(
            actor=staff,
            case=case,
            decision="given",
            given_by="person",
            giver_name="Jo",
            decided_on=TODAY(),
            method="phone",
        )


def test_a_parent_may_still_consent_for_a_17_year_old(client, staff):
    case = aged(17, staff)
    client.post(url(case), posted(case))
    consent = Consent.objects.get(case=case)
    assert consent.given_by == "parent"
    assert not consent.capacity_confirmed


# A competent younger child ---------------------------------------------------------------


def test_a_competent_14_year_olds_agreement_is_recorded_alongside_the_parents(client, staff):
    case = aged(14, staff)
    body = client.get(url(case)).content.decode()
    assert "judged competent by a named professional" in body
    response = client.post(
        url(case),
        posted(
            case,
            child_agreement="agreed",
            competence_assessed_by="Aisha Rahman, designated safeguarding lead",
            competence_assessed_on=TODAY().strftime("%d/%m/%Y"),
        ),
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.given_by == "parent"
    assert consent.child_agreement == "agreed"
    assert consent.competence_assessed_by == "Aisha Rahman, designated safeguarding lead"
    assert consent.rule_band == COMPETENT_CHILD
    assert case.events.filter(summary__contains="with the child's own agreement").exists()


def test_a_competent_child_cannot_consent_alone_nor_be_taken_on_against_their_will(client, staff):
    case = aged(14, staff)
    body = client.post(url(case), posted(case, given_by="person")).content.decode()
    assert "The person is under 16: select a parent" in body
    body = client.post(
        url(case),
        posted(
            case,
            child_agreement="did_not_agree",
            competence_assessed_by="A teacher",
            competence_assessed_on=TODAY().strftime("%d/%m/%Y"),
        ),
    ).content.decode()
    assert "a competent child who does not agree is not taken on" in body.lower()
    body = client.post(url(case), posted(case, child_agreement="agreed")).content.decode()
    assert "Enter who judged the child competent" in body
    assert "Enter the date the child was judged competent" in body
    assert not Consent.objects.exists()


# A younger child and an adult ------------------------------------------------------------


def test_a_younger_child_has_no_agreement_question_and_a_parent_decides(client, staff):
    case = aged(11, staff)
    body = client.get(url(case)).content.decode()
    assert "The person is under 13: consent must come from a parent" in body
    assert "The child&#x27;s own agreement" not in body
    assert "capacity to decide for themself" not in body
    with pytest.raises(ScreeningRefused, match="only for a child aged 13 to 15"):
        consent_record(
            actor=staff,
            case=case,
            decision="given",
            given_by="parent",
            giver_name="Pat",
            decided_on=TODAY(),
            method="phone",
            child_agreement="agreed",
            competence_assessed_by="A teacher",
            competence_assessed_on=TODAY(),
        )
    client.post(url(case), posted(case))
    assert Consent.objects.get(case=case).rule_band == YOUNGER_CHILD


def test_an_adult_is_told_they_decide_for_themself(client, staff):
    case = aged(30, staff, guardian_name="", guardian_relationship="", guardian_contact="")
    body = client.get(url(case)).content.decode()
    assert "The person is 18 or over: they decide for themself" in body
    client.post(url(case), posted(case, given_by="person", giver_name="Jo Bloggs"))
    assert Consent.objects.get(case=case).rule_band == ADULT


# The guardian named in the referral ------------------------------------------------------


def test_the_form_prefills_the_guardian_named_in_the_referral_and_audits_the_read(client, staff):
    case = aged(15, staff)
    body = client.get(url(case)).content.decode()
    assert 'value="Pat Bloggs"' in body
    assert 'value="parent" checked' in body.replace("\n", " ").replace("  ", " ") or (
        'value="parent"' in body and "checked" in body
    )
    assert AuditEvent.objects.filter(action="cases.case.view", reason="consent").exists()
