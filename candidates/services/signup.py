"""Joining: self sign-up (allauth) and a recruiter's single-use invitation."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateActivity, Invitation
from candidates.services.consent import PRIVACY_NOTICE_VERSION, consent_give
from staffing.base import invitations
from staffing.base.audit import audit_event, audit_record
from staffing.base.invitations import known_language
from staffing.base.models import AuditEvent, User
from staffing.base.outbox import email_queue_written, emails_queue_written

INVITATION_SALT = "candidates.invitation"


@transaction.atomic
def candidate_signup(
    *,
    user: User,
    first_name: str,
    last_name: str,
    purposes: Iterable[str],
    notice_version: str = PRIVACY_NOTICE_VERSION,
    language: str | None = None,
    candidate: Candidate | None = None,
) -> Candidate:
    """Give a new user the candidate role and profile, and record the consents they ticked
    (with the version of the notice they read).

    A self-signed-up person starts inactive (out of matching) until their email is verified;
    an invited one (`candidate` given) is active at once: the link proved the address. The
    language they signed up in is theirs: emails and the export use it.
    """
    user.role = User.Role.CANDIDATE
    user.first_name, user.last_name = first_name, last_name
    user.language = known_language(language or get_language())
    user.save(update_fields=["role", "first_name", "last_name", "language"])
    if candidate is None:
        candidate = Candidate.objects.create(
            user=user,
            first_name=first_name,
            last_name=last_name,
            email=user.email,
            status=Candidate.Status.INACTIVE,
        )
    else:
        candidate.user = user
        candidate.first_name, candidate.last_name = first_name, last_name
        candidate.email = user.email
        candidate.status = Candidate.Status.ACTIVE
        candidate.save(update_fields=["user", "first_name", "last_name", "email", "status"])
    CandidateActivity.objects.get_or_create(candidate=candidate)
    consent_give(candidate=candidate, by=user, purposes=purposes, version=notice_version)
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    audit_record(
        actor=user, action="candidate.signed_up", target=candidate, candidate_id=candidate.pk
    )
    return candidate


@transaction.atomic
def candidate_email_verified(*, user: User) -> None:
    """A verified email activates a self-signed-up person (enters matching if they consented)."""
    updated = Candidate.objects.filter(user=user, status=Candidate.Status.INACTIVE).update(
        status=Candidate.Status.ACTIVE
    )
    if updated:
        Candidate.objects.filter(pk__in=[user.candidate.pk]).touch()


def email_verification_pending(*, user: User) -> bool:
    """True while the person has an unverified address and no verified one."""
    addresses = list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
    return bool(addresses) and not any(addresses)


@transaction.atomic
def invitation_create(
    *,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    base_url: str,
    language: str | None = None,
) -> Invitation:
    """Pre-create the candidate and email them a signed, single-use link to join, written in
    the language the recruiter chose for them (not the recruiter's own)."""
    email = email.strip().lower()
    candidate = Candidate.objects.create(
        first_name=first_name, last_name=last_name, email=email, status=Candidate.Status.INACTIVE
    )
    return invitation_send(candidate=candidate, by=by, base_url=base_url, language=language)


@transaction.atomic
def invitation_send(
    *, candidate: Candidate, by: User | None, base_url: str, language: str | None = None
) -> Invitation:
    """Email a person already in the pool (an imported one, say) a signed, single-use link to
    make their login and give their consents; until then they are not matched."""
    email = candidate.email.strip().lower()
    invitation = Invitation.objects.create(candidate=candidate, email=email, invited_by=by)
    language = known_language(language)
    token = invitations.invitation_token(
        salt=INVITATION_SALT, invitation_id=invitation.pk, language=language
    )
    with translation.override(language):
        link = base_url + reverse("candidate_join", args=[token])
        subject = _("You are invited to Service Staff Now")
        body = render_to_string(
            "candidates/email/invitation.txt", {"first_name": candidate.first_name, "link": link}
        )
    email_queue_written(
        key=f"invitation:{invitation.pk}", to=email, language=language, subject=subject, body=body
    )
    audit_record(actor=by, action="candidate.invited", target=invitation, candidate_id=candidate.pk)
    return invitation


def invitations_send_many(
    *, candidates: list[Candidate], by: User | None, base_url: str, language: str | None = None
) -> list[Invitation]:
    """`invitation_send` for many people at once (an imported list): the same invitations,
    emails and audit rows, written with one insert per table."""
    language = known_language(language)
    created = Invitation.objects.bulk_create(
        [Invitation(candidate=c, email=c.email.strip().lower(), invited_by=by) for c in candidates],
        batch_size=1000,
    )
    emails = []
    with translation.override(language):
        subject = _("You are invited to Service Staff Now")
        for invitation, candidate in zip(created, candidates, strict=True):
            token = invitations.invitation_token(
                salt=INVITATION_SALT, invitation_id=invitation.pk, language=language
            )
            link = base_url + reverse("candidate_join", args=[token])
            body = render_to_string(
                "candidates/email/invitation.txt",
                {"first_name": candidate.first_name, "link": link},
            )
            emails.append(
                {
                    "key": f"invitation:{invitation.pk}",
                    "to": invitation.email,
                    "language": language,
                    "subject": subject,
                    "body": body,
                }
            )
    emails_queue_written(emails=emails)
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by, action="candidate.invited", target=inv, candidate_id=inv.candidate_id
            )
            for inv in created
        ],
        batch_size=1000,
    )
    return created


def invitation_from_token(*, token: str) -> Invitation | None:
    """The open invitation a link points at; None when bad, expired or already used."""
    pk = invitations.invitation_id(salt=INVITATION_SALT, token=token)
    if pk is None:
        return None
    return (
        Invitation.objects.filter(pk=pk, accepted_at__isnull=True)
        .select_related("candidate")
        .first()
    )


def invitation_language(*, token: str) -> str | None:
    """The language the recruiter chose for the invited person (carried in the link), in which
    the join page is shown and the account is made; None for a bad link or one without it."""
    return invitations.invitation_language(salt=INVITATION_SALT, token=token)


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    password: str,
    first_name: str,
    last_name: str,
    purposes: Iterable[str],
    notice_version: str = PRIVACY_NOTICE_VERSION,
    language: str | None = None,
) -> User | None:
    """Create the login for an invited person. Single use: a second acceptance returns None."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        return None
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if not claimed:
        return None
    user = User.objects.create_user(email=invitation.email, password=password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    candidate_signup(
        user=user,
        first_name=first_name,
        last_name=last_name,
        purposes=purposes,
        notice_version=notice_version,
        language=language,
        candidate=invitation.candidate,
    )
    return user
