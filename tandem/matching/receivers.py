"""Keeping matches in step with their case."""

from django.dispatch import receiver

from tandem.cases.signals import case_status_changed


@receiver(case_status_changed, dispatch_uid="matching.case_status_changed")
def case_moved(sender, *, case, action, from_status, to_status, actor, request=None, **kwargs):
    from .services import follow_case

    follow_case(case=case, action=action, to_status=to_status, actor=actor, request=request)
