from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import Mentor


class MentorPolicy(PermissionPolicy):
    """A mentor record and what hangs off it. The resource names the part of the record
    (profile, vetting, training) so each can have its own rule in the access matrix."""

    model = Mentor

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(user=user)
        if scope is Scope.SUPERVISEES:
            return Q(supervisor=user)
        return super().scope_filter(user, scope)


mentors = MentorPolicy("mentor")
mentor_vetting = MentorPolicy("mentor_vetting")
mentor_training = MentorPolicy("mentor_training")
mentor_profile = MentorPolicy("mentor_profile")


def own_mentor_or_404(user, action: str = "view"):
    """The signed-in mentor's own record (404 when the user has none)."""
    return mentor_profile.get_object_or_404(user, action, user_id=user.pk)
