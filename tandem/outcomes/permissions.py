"""Who reaches what in outcomes.

- ``questionnaire_instrument``: the scheme's questionnaires, their versions and wording;
  coordinators read, add and revise them.
- ``case_outcomes``: a case's Success tab, every frame of success side by side with the
  person's answers; coordinators and the matched mentor.
- ``case_questionnaire``: asking for answers (making a link for the person or the
  referrer) and answering signed in (the person with their mentor, on the mentor's
  phone, and the mentor's own reflection); coordinators and the matched mentor.
- ``case_list_export``, ``mentor_pool`` and ``claim_queue``: the downloads follow the
  rule of the list they download.
- The answer page a link opens is public: its secret is the key (tandem.outcomes.views).
"""

from __future__ import annotations

from tandem.cases.permissions import CasePolicy
from tandem.core.permissions import PermissionPolicy

from .models import Instrument


class InstrumentPolicy(PermissionPolicy):
    resource = "questionnaire_instrument"
    model = Instrument


instruments = InstrumentPolicy()
case_outcomes = CasePolicy("case_outcomes")
case_questionnaires = CasePolicy("case_questionnaire")
