from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from candidates.services.activity import activity_record
from candidates.services.consent import PRIVACY_NOTICE_VERSION
from candidates.services.signup import candidate_email_verified, candidate_signup
from staffing.models import User
from staffing.services.account_security import login_failed_record, login_limited_record


class AccountAdapter(DefaultAccountAdapter):
    """Sends each role to its own home page after login; sign-up makes a candidate."""

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")

    def save_user(self, request, user, form, commit=True):
        """Self sign-up is for candidates: create their profile and record their consents."""
        user = super().save_user(request, user, form, commit=True)
        data = form.cleaned_data
        candidate_signup(
            user=user,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            purposes=data.get("purposes", []),
            notice_version=data.get("notice_version") or PRIVACY_NOTICE_VERSION,
        )
        return user

    def format_email_subject(self, subject: str) -> str:
        """Our name before the subject, never the host name ("[127.0.0.1:8765] ...")."""
        return f"{gettext('Service Staff Now')}: {subject}"

    def send_mail(self, template_prefix, email, context):
        """allauth's account emails (verification, password reset) in the language of the
        person they go to, once we know it; before that, the language of the page they used."""
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def confirm_email(self, request, email_address):
        """A verified address activates a self-signed-up candidate."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            candidate_email_verified(user=email_address.user)
        return confirmed

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's login limits; each time one refuses an attempt, it is in the audit log."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login_limited_record(request=request, email=str(credentials.get("email", "")))
            raise

    def authentication_failed(self, request, **credentials) -> None:
        login_failed_record(request=request, email=str(credentials.get("email", "")))

    def login(self, request, user):
        super().login(request, user)
        candidate = getattr(user, "candidate", None)
        if candidate is not None:
            activity_record(candidate=candidate)
