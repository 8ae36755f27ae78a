"""Who reaches a case's assessments: the case's relationships (coordinators, the matched
mentor, supervisors) under the assessment rule of the access matrix, ``case_assessment``.
The views load the case through this policy, so a case whose assessments the user may
not see answers 404."""

from tandem.cases.permissions import CasePolicy


class CaseAssessmentPolicy(CasePolicy):
    def __init__(self):
        super().__init__("case_assessment")


case_assessments = CaseAssessmentPolicy()
