"""Keeping matches in step with their case."""

from django.dispatch import receiver

from tandem.cases.signals import case_status_changed

from .services import matches_follow_case


@receiver(case_status_changed, dispatch_uid="matching.case_status_changed")
def case_moved(sender, *, case, to_status, actor, request=None, **kwargs):
    matches_follow_case(actor=actor, case=case, to_status=to_status, request=request)
