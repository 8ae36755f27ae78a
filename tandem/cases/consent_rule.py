"""Who may consent to mentoring, by the person's age on the day of the decision.

Support is voluntary and consent must come from someone entitled to give it. The rule is
data, read from settings so a scheme can set its own ages:

- **adult** (18 or over): the person consents for themself.
- **older child** (``TANDEM_CONSENT_SELF_AGE``, 16 by default, to 17): a young person
  with the capacity to decide consents for themself; the coordinator confirms that
  capacity. A parent or guardian may still consent instead, for example when the young
  person lacks capacity.
- **competent child** (``TANDEM_CONSENT_COMPETENCE_AGE``, 13 by default, up to the self
  age): a parent or guardian consents; where a named professional has judged the child
  competent to understand what mentoring involves, the child's own agreement is recorded
  alongside, and a competent child who does not agree is not taken on.
- **younger child** (below the competence age): a parent or guardian consents; the
  child's views go in the capacity note.

``band_for(age)`` gives the band and ``reasons(band)`` the sentences the consent page
shows; the service (``services.screening``) enforces the rule and the form explains it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

ADULT_AGE = 18

ADULT = "adult"
OLDER_CHILD = "older_child"
COMPETENT_CHILD = "competent_child"
YOUNGER_CHILD = "younger_child"


@dataclass(frozen=True)
class ConsentRule:
    self_age: int
    competence_age: int

    def __post_init__(self):
        if not (0 < self.competence_age <= self.self_age <= ADULT_AGE):
            raise ValueError(
                "The consent ages must satisfy 0 < competence age <= self-consent age <= 18."
            )

    def band_for(self, age: int) -> str:
        if age >= ADULT_AGE:
            return ADULT
        if age >= self.self_age:
            return OLDER_CHILD
        if age >= self.competence_age:
            return COMPETENT_CHILD
        return YOUNGER_CHILD

    def person_may_consent(self, band: str) -> bool:
        return band in (ADULT, OLDER_CHILD)

    def reasons(self, band: str) -> list[str]:
        """Why the rule asks what it asks, in the words the consent page shows."""
        if band == ADULT:
            return [
                "The person is 18 or over: they decide for themself whether to take part.",
                "Record anything about their capacity to decide in the capacity note.",
            ]
        if band == OLDER_CHILD:
            return [
                f"The person is {self.self_age} or 17: a young person of this age who has the "
                "capacity to decide can consent for themself.",
                "If they consent themself, confirm that they have that capacity: they "
                "understand what mentoring involves, what is recorded and shared, and that "
                "they can stop at any time.",
                "If they lack capacity, a parent or a guardian or carer with parental "
                "responsibility consents instead.",
            ]
        if band == COMPETENT_CHILD:
            return [
                f"The person is under {self.self_age}: consent must come from a parent or a "
                "guardian or carer with parental responsibility.",
                f"From {self.competence_age}, a child judged competent by a named "
                "professional (for example their teacher, social worker or the referring "
                "officer) to understand what mentoring involves has their own agreement "
                "recorded alongside, with who judged them competent and when.",
                "Mentoring is voluntary: a competent child who does not agree is not taken "
                "on, whatever the parent's decision.",
            ]
        return [
            f"The person is under {self.competence_age}: consent must come from a parent or "
            "a guardian or carer with parental responsibility.",
            "Note the child's own views in the capacity note.",
        ]


def current_rule() -> ConsentRule:
    return ConsentRule(
        self_age=getattr(settings, "TANDEM_CONSENT_SELF_AGE", 16),
        competence_age=getattr(settings, "TANDEM_CONSENT_COMPETENCE_AGE", 13),
    )
