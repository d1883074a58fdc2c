"""Erase my account: personal data removed or irreversibly anonymised everywhere it lives.

What is kept, and why, is written up in docs/privacy.md: the anonymised candidate row (so that
placements, which accounting and working-time law require us to keep, still point at something),
the placements themselves (without their free text), shortlist entries (matching logs, kept at
least six months, holding only codes and numbers) and audit rows stripped of their data.

Rows that do not point at the person can still hold their values in free text: a recruiter's
reason, a client's note, an email in the outbox, an admin log line. After the structured part,
`personal_values_scrub` walks every text and JSON column of every model (so a column added later
is covered without anyone remembering it) and replaces the person's name, email and phone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import ProtectedError, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from candidates.models import Candidate, CandidateCV, Invitation
from candidates.services.consent import candidate_benches_refresh_enqueue
from candidates.services.cv import cv_storage
from candidates.services.export import relations_to_person
from staffing.base.audit import audit_record
from staffing.base.models import AuditEvent, OutboundEmail, User
from staffing.models import Placement, ShortlistEntry

# Rows pointing at the person that are kept (pointing at the anonymised row): the law requires
# placements; matching logs hold no personal values; audit rows lose their data.
KEPT_MODELS = {Placement, ShortlistEntry, AuditEvent}
# Free text on kept rows, cleared whatever it says (a cancellation reason may be about health).
KEPT_FREE_TEXT = {Placement: ["cancel_reason"]}
ERASED_NAME = "–"

# Columns the scrub does not search, each for a reason:
# - the people tables' own identity columns: another person's name is theirs, not a mention
#   (the erased person's own row is anonymised above);
# - reference data no person's values can reach (permissions, content types, schedules, the
#   skill taxonomy, clients' companies and sites);
# - the matching engine's output (explanations, inputs, coverage): codes and numbers only, by
#   construction, since the engine never reads names or contact details;
# - sessions: the person's are deleted; the others are signed blobs of other people;
# - the sweeps' bookkeeping (a sweep's name and a time), workers' heartbeats (host and pid).
SCRUB_SKIPPED_MODELS = {
    "staffing.sweepmark",
    "staffing.workerheartbeat",
    "auth.permission",
    "auth.group",
    "contenttypes.contenttype",
    "sessions.session",
    "account.emailconfirmation",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.periodictask",
    "django_celery_beat.periodictasks",
    "candidates.skill",
    "clients.clientcompany",
    "clients.site",
}
SCRUB_SKIPPED_FIELDS = {
    ("candidates.candidate", "first_name"),
    ("candidates.candidate", "last_name"),
    ("candidates.candidate", "email"),
    ("candidates.candidate", "phone"),
    ("candidates.candidate", "postal_code"),
    ("staffing.user", "first_name"),
    ("staffing.user", "last_name"),
    ("staffing.user", "email"),
    ("staffing.user", "password"),
    ("account.emailaddress", "email"),
    ("clients.clientmembership", "phone"),
    ("candidates.invitation", "email"),
    ("staffing.shortlistentry", "explanation"),
    ("staffing.benchentry", "explanation"),
    ("staffing.shortlist", "inputs"),
    ("staffing.bench", "coverage"),
    ("staffing.outboundemail", "key"),
    ("candidates.candidatecv", "stored_name"),
}


@transaction.atomic
def candidate_erase(*, candidate: Candidate, by: User | None) -> None:
    """Erase the person. Idempotent: erasing an erased person does nothing more."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    user = candidate.user
    values = personal_values(candidate=candidate, user=user)
    cv_names = list(
        CandidateCV.objects.filter(candidate=candidate).values_list("stored_name", flat=True)
    )
    _outbox_delete(candidate, user)
    _admin_log_delete(candidate, user)
    _delete_related(candidate, user)
    AuditEvent.objects.filter(candidate=candidate).update(data={})
    if user is not None:
        AuditEvent.objects.filter(actor=user).update(data={})
        # Failed logins against the account carry the email typed (docs/security.md).
        AuditEvent.objects.filter(target_type="staffing.user", target_id=user.pk).update(data={})
    for model, fields in KEPT_FREE_TEXT.items():
        model._default_manager.filter(candidate=candidate).update(**dict.fromkeys(fields, ""))
    Candidate.objects.filter(pk=candidate.pk).update(
        user=None,
        first_name=ERASED_NAME,
        last_name=ERASED_NAME,
        email="",
        phone="",
        postal_code="",
        latitude=None,
        longitude=None,
        introduction="",
        availability=0,
        availability_confirmed_at=None,
        matching_consent=False,
        presentation_consent=False,
        works_retail=False,
        works_office=False,
        status=Candidate.Status.ERASED,
    )
    Candidate.objects.filter(pk__in=[candidate.pk]).touch()
    candidate_benches_refresh_enqueue(candidate=candidate)
    if user is not None:
        _sessions_delete(user.pk)
        User.objects.filter(pk=user.pk).delete()
    personal_values_scrub(values=values)
    actor = None if by is None or user is None or by.pk in (None, user.pk) else by
    audit_record(
        actor=actor, action="candidate.erased", target=candidate, candidate_id=candidate.pk
    )
    storage = cv_storage()
    transaction.on_commit(lambda: _files_delete(storage, cv_names))
    transaction.on_commit(lambda: cache.delete_many(_cache_keys(candidate.pk)))
    transaction.on_commit(lambda: _development_mail_delete(values))


def personal_values(*, candidate: Candidate, user: User | None) -> list[str]:
    """The person's identifying values, as they may appear in others' free text."""
    emails = {
        candidate.email,
        *Invitation.objects.filter(candidate=candidate).values_list("email", flat=True),
    }
    if user is not None:
        emails |= {
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        }
    names = {candidate.full_name, candidate.last_name}
    if user is not None:
        names |= {user.get_full_name(), user.last_name}
    found = {v.strip() for v in {*emails, *names, candidate.phone} if v}
    # A one-letter value (or the erased marker) would match everywhere.
    return sorted((v for v in found if len(v) > 1 and v != ERASED_NAME), key=len, reverse=True)


def personal_values_scrub(*, values: list[str]) -> int:
    """Replace `values` in every text and JSON column of every model (but the columns named in
    SCRUB_SKIPPED_*). Whole words only, any case. Returns the number of rows changed."""
    if not values:
        return 0
    alternatives = "|".join(re.escape(v) for v in values)
    # PostgreSQL's regular expressions take these escapes too (a backslash before a
    # non-alphanumeric character is that character); the word check is done in Python.
    database_pattern = f"({alternatives})"
    word = re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)
    changed = 0
    for model, field in scrubbed_columns():
        manager = model._default_manager
        if isinstance(field, models.JSONField):
            rows = manager.annotate(_as_text=Cast(field.name, TextField())).filter(
                _as_text__iregex=database_pattern
            )
        else:
            rows = manager.filter(**{f"{field.name}__iregex": database_pattern})
        for pk, value in rows.values_list("pk", field.attname):
            cleaned = _scrubbed(value, word)
            if cleaned != value:
                manager.filter(pk=pk).update(**{field.attname: cleaned})
                changed += 1
    return changed


def scrubbed_columns() -> list[tuple[type[models.Model], models.Field]]:
    """Every text and JSON column the scrub searches (the erasure test plants values in each)."""
    kinds = (models.CharField, models.TextField, models.JSONField)
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.label_lower not in SCRUB_SKIPPED_MODELS and not model._meta.proxy
        for field in model._meta.concrete_fields
        if isinstance(field, kinds)
        and not field.choices
        and not field.primary_key
        and (model._meta.label_lower, field.name) not in SCRUB_SKIPPED_FIELDS
    ]


def _scrubbed(value: Any, word: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return word.sub(ERASED_NAME, value)
    if isinstance(value, list):
        return [_scrubbed(v, word) for v in value]
    if isinstance(value, dict):
        return {_scrubbed(k, word): _scrubbed(v, word) for k, v in value.items()}
    return value


def _files_delete(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _outbox_delete(candidate: Candidate, user: User | None) -> None:
    """Emails to the person, sent or waiting, go: a waiting one has nobody left to reach."""
    addresses = {candidate.email, getattr(user, "email", "")} - {""}
    for address in addresses:
        OutboundEmail.objects.filter(to__iexact=address).delete()


def _admin_log_delete(candidate: Candidate, user: User | None) -> None:
    """The admin's change history of the person's own rows (its lines repeat their name)."""
    rows = [(Candidate, candidate.pk)] + ([(User, user.pk)] if user is not None else [])
    for model, pk in rows:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
        ).delete()


def _development_mail_delete(values: list[str]) -> None:
    """In development every email is also a file (EMAIL_FILE_PATH); those to or about the
    person are removed like any other copy. Production has no such folder."""
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if not folder or "filebased" not in settings.EMAIL_BACKEND or not Path(folder).is_dir():
        return
    needles = [v.lower().encode() for v in values]
    for path in Path(folder).iterdir():
        if path.is_file() and any(n in path.read_bytes().lower() for n in needles):
            path.unlink(missing_ok=True)


def _delete_related(candidate: Candidate, user: User | None) -> None:
    """Delete every other row that points at the person or their login (model walk)."""
    for model, field in relations_to_person():
        if model in KEPT_MODELS or model is Candidate:
            continue
        owner = candidate if field.related_model is Candidate else user
        if owner is None:
            continue
        try:
            model._default_manager.filter(**{field.name: owner}).delete()
        except ProtectedError:
            # Rows another record must keep (e.g. one a placement depends on) stay, pointing
            # at the anonymised person; they hold no personal values of their own.
            continue


def _sessions_delete(user_id: int) -> int:
    """Log the person out everywhere: delete every live session that belongs to them."""
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user_id)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def _cache_keys(candidate_id: int) -> list[str]:
    """Cache entries about one person (none today; listed so that erasure reaches them)."""
    return [f"candidate:{candidate_id}:card", f"candidate:{candidate_id}:completeness"]
