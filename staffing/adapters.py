from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Sends each role to its own home page after login."""

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")
