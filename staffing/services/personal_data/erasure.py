"""Erase my account: personal data removed or irreversibly anonymised everywhere it lives.

What is kept, and why, is written up in docs/privacy.md: the anonymised candidate row (so that
placements, which accounting and working-time law require us to keep, still point at something),
the placements themselves (without their free text), shortlist entries (matching logs, kept at
least six months, holding only codes and numbers) and audit rows stripped of their data.

Rows that do not point at the person can still hold their values in free text: a recruiter's
reason, a client's note, an email in the outbox, an admin log line. After the structured part,
`personal_values_scrub` walks every text and JSON column of every model (so a column added later
is covered without anyone remembering it) and replaces the person's full name, email and phone
(in any spelling) everywhere, and their bare surname in the rows about them only (a surname is
often a place name too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
from django.db.models import BooleanField, F, Func, ProtectedError, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from candidates.models import Candidate, CandidateCV, Invitation
from candidates.services.consent import candidate_benches_refresh_enqueue
from candidates.services.cv import cv_storage
from staffing.base.audit import audit_record
from staffing.base.models import AuditEvent, OutboundEmail, User
from staffing.models import Placement, ShortlistEntry
from staffing.services.personal_data.export import relations_to_person

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
    # Written by code, never by a person: an action's or a type's name, a sniffed file type,
    # a rules or notice version, a profile's weights. Searching them cost seconds per erasure
    # on a big audit table (docs/privacy.md) and can find nothing.
    ("staffing.auditevent", "action"),
    ("staffing.auditevent", "target_type"),
    ("candidates.candidatecv", "content_type"),
    ("candidates.consent", "version"),
    ("staffing.shortlist", "rules_version"),
    ("staffing.bench", "rules_version"),
    ("clients.serviceprofile", "weights"),
    ("admin.logentry", "object_id"),
    ("staffing.outboundemail", "language"),
    ("staffing.user", "language"),
    ("staffing.workerheartbeat", "hostname"),
    ("staffing.taskfailure", "task_name"),
    ("staffing.taskfailure", "task_id"),
    ("staffing.taskfailure", "exception_type"),
}


@dataclass(frozen=True)
class PersonalValues:
    """One person's identifying values, as they may appear in others' free text.

    `strong` values (full names, email addresses) and `phones` (matched by their digits in any
    spelling) identify the person wherever they appear and are scrubbed in every row. A bare
    surname (`weak`) is also a place, a shop or another person (Salo, Lahti, Korhonen): it is
    scrubbed only in rows about the person (`person_rows`)."""

    candidate_id: int
    user_id: int | None
    strong: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()


@transaction.atomic
def candidate_erase(*, candidate: Candidate, by: User | None) -> None:
    """Erase the person. Idempotent: erasing an erased person does nothing more."""
    candidates_erase(candidate_ids=[candidate.pk], by=by)


@transaction.atomic
def candidates_erase(*, candidate_ids: list[int], by: User | None) -> int:
    """Erase several people in one transaction, with one scrub of the other tables for all of
    them (one scan per column, whatever their number). Already erased people are skipped.
    Returns the number erased."""
    people = []
    cv_names: list[str] = []
    candidates = (
        Candidate.objects.select_for_update(of=("self",))
        .filter(pk__in=candidate_ids)
        .exclude(status=Candidate.Status.ERASED)
        .select_related("user")
        .order_by("pk")
    )
    erased: list[tuple[Candidate, User | None]] = []
    for candidate in candidates:
        user = candidate.user
        people.append(personal_values(candidate=candidate, user=user))
        cv_names += CandidateCV.objects.filter(candidate=candidate).values_list(
            "stored_name", flat=True
        )
        _person_erase(candidate, user)
        erased.append((candidate, user))
    personal_values_scrub(people=people)
    for candidate, user in erased:
        actor = None if by is None or user is None or by.pk in (None, user.pk) else by
        audit_record(
            actor=actor, action="candidate.erased", target=candidate, candidate_id=candidate.pk
        )
    storage = cv_storage()
    ids = [candidate.pk for candidate, _user in erased]
    needles = [v for person in people for v in (*person.strong, *person.phones)]
    transaction.on_commit(lambda: _files_delete(storage, cv_names))
    transaction.on_commit(lambda: cache.delete_many([k for pk in ids for k in _cache_keys(pk)]))
    transaction.on_commit(lambda: _development_mail_delete(needles))
    return len(erased)


def _person_erase(candidate: Candidate, user: User | None) -> None:
    """The structured part: delete what points at the person, anonymise what is kept."""
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


def personal_values(*, candidate: Candidate, user: User | None) -> PersonalValues:
    """The person's identifying values, sorted longest first."""
    emails = {
        candidate.email,
        *Invitation.objects.filter(candidate=candidate).values_list("email", flat=True),
    }
    full_names = {candidate.full_name}
    surnames = {candidate.last_name}
    if user is not None:
        emails |= {
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        }
        full_names.add(user.get_full_name())
        surnames.add(user.last_name)

    def usable(values: set[str]) -> tuple[str, ...]:
        # A one-letter value (or the erased marker) would match everywhere.
        found = {v.strip() for v in values if v and v.strip()}
        kept = (v for v in found if len(v) > 1 and ERASED_NAME not in v.split())
        return tuple(sorted(kept, key=len, reverse=True))

    strong = usable(emails | full_names)
    return PersonalValues(
        candidate_id=candidate.pk,
        user_id=user.pk if user is not None else None,
        strong=strong,
        phones=usable({candidate.phone}),
        weak=tuple(v for v in usable(surnames) if v not in strong),
    )


# Between a phone number's digits people write spaces, dashes, dots, slashes and parentheses.
PHONE_SEPARATORS = r"[-\s./()]*"


def phone_pattern(phone: str) -> str | None:
    """A regular expression (valid in Python and PostgreSQL) matching `phone` however it is
    spelled: +358 40 555 8523, 00358-40-5558523, 040 555 8523, (040) 555-8523, 040.555.8523.
    None for something too short to be a phone number."""
    digits = re.sub(r"\D", "", phone)
    international = phone.strip().startswith("+") or digits.startswith("00")
    digits = digits.removeprefix("00") if international else digits
    if international and not digits.startswith("358"):
        national = None  # a foreign number: its digits after the + only
    else:
        national = digits.removeprefix("358").removeprefix("0")
    sep = PHONE_SEPARATORS
    if national is None:
        return rf"(\+|00){sep}{sep.join(digits)}" if len(digits) >= 6 else None
    if len(national) < 5:
        return None
    prefix = rf"((\+|00){sep}358{sep}(\(0\){sep})?|\(?0)"
    return prefix + sep + sep.join(national)


def personal_values_scrub(*, people: list[PersonalValues]) -> int:
    """Replace the people's values in every text and JSON column of every model (but the
    columns named in SCRUB_SKIPPED_*): their strong values and phones in every row, with one
    scan per column for all of them; their bare surnames only in the rows about each of them.
    Whole words only, any case. Returns the number of rows changed."""
    strong = [v for p in people for v in p.strong]
    phones = [x for p in people for phone in p.phones if (x := phone_pattern(phone))]
    changed = 0
    columns = scrubbed_columns()
    if strong or phones:
        changed += _columns_scrub(columns, strong, phones, models.Q())
    for person in people:
        if person.weak:
            for model, field in columns:
                rows = person_rows(model, person)
                if rows is not None:
                    changed += _columns_scrub(
                        [(model, field)], [*person.weak, *strong], phones, rows
                    )
    return changed


class _Mentions(Func):
    """`lower(text) LIKE ANY (literals) OR text ~ phones`: the rows that may hold a value, in one
    pass over the column (the exact, whole-word check is done in Python). On a 1M-row audit
    table this is several times faster than one case-insensitive regex of all the values
    (docs/privacy.md has the figures): LIKE ANY reads the lowered text once for every literal."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression: Any, *, literals: list[str], phones: list[str]) -> None:
        super().__init__(expression)
        self.literals = literals
        self.phones = phones

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        parts: list[str] = []
        all_params: list[Any] = []
        if self.literals:
            parts.append(f"LOWER({sql}) LIKE ANY (%s)")
            all_params += [*params, [f"%{_like_escaped(v.lower())}%" for v in self.literals]]
        if self.phones:
            parts.append(f"({sql}) ~ %s")
            all_params += [*params, "|".join(f"({p})" for p in self.phones)]
        return "(" + " OR ".join(parts) + ")", all_params


def _like_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def person_rows(model: type[models.Model], person: PersonalValues) -> models.Q | None:
    """The rows of `model` about the person: those whose foreign key points at them or their
    login, and audit rows naming them as their object. None when no row of `model` can be."""
    owners: dict[Any, int | None] = {Candidate: person.candidate_id, User: person.user_id}
    q = models.Q()
    for field in model._meta.concrete_fields:
        owner = owners.get(field.related_model) if field.is_relation else None
        if owner is not None:
            q |= models.Q(**{field.attname: owner})
    if model is Candidate:
        q |= models.Q(pk=person.candidate_id)
    if model is AuditEvent:
        q |= models.Q(target_type=Candidate._meta.label_lower, target_id=person.candidate_id)
    return q if q else None


def _columns_scrub(
    columns: list[tuple[type[models.Model], models.Field]],
    literals: list[str],
    phones: list[str],
    where: models.Q,
) -> int:
    alternatives = "|".join([*(re.escape(v) for v in literals), *phones])
    word = re.compile(rf"(?<![\w+])({alternatives})(?!\w)", re.IGNORECASE)
    changed = 0
    for model, field in columns:
        manager = model._default_manager
        text = (
            Cast(field.name, TextField()) if isinstance(field, models.JSONField) else F(field.name)
        )
        rows = manager.filter(where, _Mentions(text, literals=literals, phones=phones))
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
