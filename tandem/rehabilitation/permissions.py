"""Who reaches what on the rehabilitation pathway.

- ``case_rehabilitation``: custody, release, licence conditions, the panel's decisions
  and the visit bookings of one case. Coordinators reach every case and change them;
  the matched mentor and their supervisor read them (the case's own relationship
  scopes); nobody else, so a mentor not matched to the person never sees the licence.
- ``custody_visit``: recording the visit booking of a session in custody: the session's
  own mentor (working match).
- ``rehabilitation_overview``: the coordinators' list of releases, first meetings after
  release, contact alerts and panel reviews.
- ``rehabilitation_policy``: the pathway's settings.
"""

from __future__ import annotations

from tandem.cases.permissions import CasePolicy
from tandem.core.permissions import PermissionPolicy
from tandem.meetings.permissions import SessionPolicy

from .models import RehabilitationPolicy


class PolicyPolicy(PermissionPolicy):
    resource = "rehabilitation_policy"
    model = RehabilitationPolicy


class OverviewPolicy(PermissionPolicy):
    resource = "rehabilitation_overview"
    model = RehabilitationPolicy


case_rehabilitation = CasePolicy("case_rehabilitation")
custody_visits = SessionPolicy("custody_visit")
overview = OverviewPolicy()
policy = PolicyPolicy()
