"""Client managers (a client's contacts): invited by email to their company, signed up through
the single-use link (the same signed-link mechanism as a candidate's invitation,
`staffing.base.invitations`), tied to some or all of the company's sites, and deactivated with
their sessions ended at once."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.models import ClientCompany, ClientInvitation, ClientMembership, Site
from staffing.base import invitations
from staffing.base.audit import audit_record
from staffing.base.outbox import email_queue
from staffing.models import User
from staffing.services.account_security import user_sessions_end

INVITATION_SALT = "clients.invitation"


def _company_sites(company: ClientCompany, sites: Iterable[Site]) -> list[Site]:
    sites = list(sites)
    if any(site.company_id != company.pk for site in sites):
        raise ValidationError(_("Choose among this client's own sites."))
    return sites


@transaction.atomic
def contact_invite(
    *,
    company: ClientCompany,
    email: str,
    first_name: str,
    last_name: str,
    sites: Iterable[Site],
    language: str | None,
    base_url: str,
    by: User,
) -> ClientInvitation:
    """Email a client manager a signed, single-use link to join `company` (in the language
    chosen for them); `sites` are the sites they will see (none: all of them)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Someone with this email address already has an account."))
    chosen = _company_sites(company, sites)
    invitation = ClientInvitation.objects.create(
        company=company, email=email, first_name=first_name, last_name=last_name, invited_by=by
    )
    invitation.sites.set(chosen)
    language = invitations.known_language(language)
    token = invitations.invitation_token(
        salt=INVITATION_SALT, invitation_id=invitation.pk, language=language
    )
    with translation.override(language):
        link = base_url + reverse("client_join", args=[token])
    email_queue(
        key=f"client-invitation:{invitation.pk}",
        to=email,
        language=language,
        template="client_invitation",
        context={"first_name": first_name, "company": company, "link": link, "sites": chosen},
    )
    audit_record(
        actor=by,
        action="client.contact_invited",
        target=invitation,
        data={"company": company.pk, "sites": [s.pk for s in chosen]},
    )
    return invitation


def contact_invitation_from_token(*, token: str) -> ClientInvitation | None:
    """The open invitation a link points at; None when bad, expired or already used."""
    pk = invitations.invitation_id(salt=INVITATION_SALT, token=token)
    if pk is None:
        return None
    return (
        ClientInvitation.objects.filter(pk=pk, accepted_at__isnull=True)
        .select_related("company")
        .first()
    )


def contact_invitation_language(*, token: str) -> str | None:
    return invitations.invitation_language(salt=INVITATION_SALT, token=token)


@transaction.atomic
def contact_invitation_accept(
    *,
    invitation: ClientInvitation,
    password: str,
    first_name: str,
    last_name: str,
    language: str | None = None,
) -> User | None:
    """Create the client manager's login and membership. Single use: a second acceptance (or
    an address that has an account meanwhile) returns None."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        return None
    claimed = ClientInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if not claimed:
        return None
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        role=User.Role.CLIENT_MANAGER,
        first_name=first_name,
        last_name=last_name,
        language=invitations.known_language(language),
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    membership = ClientMembership.objects.create(user=user, company=invitation.company)
    membership.sites.set(invitation.sites.all())
    audit_record(
        actor=user,
        action="client.contact_joined",
        target=membership,
        data={"invitation": invitation.pk, "company": invitation.company_id},
    )
    return user


@transaction.atomic
def contact_deactivate(*, membership: ClientMembership, by: User) -> None:
    """The contact can no longer log in, and every session they have ends at its next request."""
    user = membership.user
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    user_sessions_end(user=user, by=by, reason="contact_deactivated")
    audit_record(actor=by, action="client.contact_deactivated", target=membership)


@transaction.atomic
def contact_activate(*, membership: ClientMembership, by: User) -> None:
    """Let a deactivated contact log in again."""
    User.objects.filter(pk=membership.user_id).update(is_active=True)
    membership.user.is_active = True
    audit_record(actor=by, action="client.contact_activated", target=membership)


@transaction.atomic
def contact_update(
    *, membership: ClientMembership, sites: Iterable[Site], phone: str, by: User
) -> None:
    """The contact's phone, and the sites whose requests they see and order for (none: every
    site)."""
    chosen = _company_sites(membership.company, sites)
    membership.sites.set(chosen)
    membership.phone = phone.strip()
    membership.save(update_fields=["phone"])
    audit_record(
        actor=by,
        action="client.contact_changed",
        target=membership,
        data={"sites": [s.pk for s in chosen]},
    )
