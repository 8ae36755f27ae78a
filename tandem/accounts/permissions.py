from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import User


class UserAccountPolicy(PermissionPolicy):
    """Other people's accounts: administrators manage all of them."""

    resource = "user_account"
    model = User

    def base_queryset(self):
        return User.objects.prefetch_related("role_grants")


class OwnAccountPolicy(PermissionPolicy):
    resource = "own_account"
    model = User

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(pk=user.pk)
        return super().scope_filter(user, scope)


user_accounts = UserAccountPolicy()
own_account = OwnAccountPolicy()
