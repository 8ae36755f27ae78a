"""Who reaches what of the information shared outside the scheme.

- ``case_sharing``: a person's sharing page (everything shared about them, the
  requests and reports) and logging a disclosure: coordinators and the
  data-protection officer (every case), the safeguarding lead reads it.
- ``sharing_log``: the scheme's whole sharing log.
- ``information_request``: requests received for information: coordinators and the
  officer log and answer them; the officer decides (``decide``).
- ``mentor_retention``: a legal hold on a mentor, and erasing a mentor the retention
  schedule says is due: the data-protection officer only.
- ``progress_report``: reports to partners: coordinators compose and release them; the
  referrer reads released reports written for the referrer about the people they
  referred (``referred``), never a draft or a report for the panel.
"""

from __future__ import annotations

from django.db.models import Q

from tandem.cases.permissions import CasePolicy
from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy
from tandem.mentors.models import Mentor

from .models import Disclosure, InformationRequest, ProgressReport, ReportAudience, ReportStatus


class SharingLogPolicy(PermissionPolicy):
    resource = "sharing_log"
    model = Disclosure


class RequestPolicy(PermissionPolicy):
    resource = "information_request"
    model = InformationRequest


class ReportPolicy(PermissionPolicy):
    resource = "progress_report"
    model = ProgressReport

    def scope_filter(self, user, scope):
        if scope is Scope.REFERRED:
            return Q(
                case__referred_by=user,
                status=ReportStatus.RELEASED,
                audience=ReportAudience.REFERRER,
            )
        return super().scope_filter(user, scope)


class MentorRetentionPolicy(PermissionPolicy):
    resource = "mentor_retention"
    model = Mentor


case_sharing = CasePolicy("case_sharing")
case_retention = CasePolicy("retention")
case_restriction = CasePolicy("restriction")
case_subject_access = CasePolicy("subject_access")
case_rectification = CasePolicy("rectification")
mentor_retention = MentorRetentionPolicy()
sharing_log = SharingLogPolicy()
requests = RequestPolicy()
reports = ReportPolicy()
