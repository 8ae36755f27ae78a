"""Permission plumbing: one policy per resource, an object check and a queryset scope
from the same rule in the access matrix.

An app defines a subclass naming its resource and model and saying, for each scope
it supports, which rows that scope reaches for a given user. Views then load
objects only through ``policy.get_object_or_404`` so that what a user may not see
answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .access import Scope, matrix
from .refusals import mark_refused


def user_roles(user) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return user.roles


def has_permission(user, resource: str, action: str) -> bool:
    return matrix().allows(user_roles(user), resource, action)


class PermissionPolicy:
    resource: ClassVar[str]
    model: ClassVar[type[Model]]

    def scope_filter(self, user, scope: Scope) -> Q | None:
        """The rows ``scope`` reaches for ``user``; None when the scope does not apply."""
        if scope is Scope.ALL:
            return Q()
        return None

    def base_queryset(self) -> QuerySet:
        return self.model._default_manager.all()

    def scopes(self, user, action: str) -> set[Scope]:
        return matrix().scopes(user_roles(user), self.resource, action)

    def has_permission(self, user, action: str) -> bool:
        return bool(self.scopes(user, action))

    def queryset(self, user, action: str, queryset: QuerySet | None = None) -> QuerySet:
        queryset = self.base_queryset() if queryset is None else queryset
        combined: Q | None = None
        for scope in self.scopes(user, action):
            condition = self.scope_filter(user, scope)
            if condition is None:
                continue
            if not condition:  # Q() reaches every row
                return queryset
            combined = condition if combined is None else combined | condition
        if combined is None:
            return queryset.none()
        return queryset.filter(combined).distinct()

    def has_object_permission(self, user, action: str, obj: Model) -> bool:
        return self.queryset(user, action).filter(pk=obj.pk).exists()

    def get_object_or_404(self, user, action: str, queryset: QuerySet | None = None, **lookup):
        """The object, or 404 both when it does not exist and when it is out of the user's
        scope; in the second case the 404 is marked as a refusal, which the 404 page
        reports (tandem.core.refusals) so that it reaches the audit log."""
        try:
            return self.queryset(user, action, queryset).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):
            pass
        unscoped = self.base_queryset() if queryset is None else queryset
        try:
            hidden_pk = unscoped.filter(**lookup).values_list("pk", flat=True).first()
        except (ValueError, TypeError):
            hidden_pk = None
        if hidden_pk is None:
            raise Http404
        raise mark_refused(object_type=self.model._meta.label_lower, object_id=hidden_pk)


def permission_required(resource: str, action: str) -> Callable:
    """Refuse (403) a view to users whose roles give no scope at all on resource.action."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_permission(request.user, resource, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = f"{resource}.{action}"
        return wrapped

    return decorator
