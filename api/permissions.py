from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


class MayOrder(BasePermission):
    """Reading needs any key; ordering, cancelling and feedback need the "read and order" scope."""

    message = _(
        "This key may only read: ordering, cancelling and feedback need a key with the scope "
        "“read and order”."
    )

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(getattr(request.user, "may_order", False))
