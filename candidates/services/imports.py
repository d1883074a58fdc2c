"""Bringing a list of people in from a CSV or XLSX file: read, map columns, check, import.

The file is read with tablib (openpyxl for XLSX) into plain cells kept on a `CandidateImport`;
the recruiter maps columns (guessed from Finnish, Swedish or English headings) and sees every
row's problems, then the import runs in the background (`candidates.tasks.candidate_import`),
in one transaction: all the rows it takes, or nothing. Imported people are inactive and have
given no consent, so they are not matched until they accept an invitation and consent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.geo import postal_code_lookup
from candidates.models import Candidate, CandidateImport, Invitation
from candidates.services.duplicates import pool_matches
from candidates.services.signup import invitations_send_many
from staffing.base.audit import audit_event, audit_record
from staffing.base.models import AuditEvent, User
from staffing.base.phones import PhoneNumberInvalid, phone_normalise
from staffing.base.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

IMPORT_TASK = "candidates.tasks.candidate_import"
CHUNK = 1000

# The columns a file can fill, in the order the mapping form shows them.
FIELD_LABELS: dict[str, Promise] = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name (first and last)"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "postal_code": gettext_lazy("Postal code"),
    "max_travel_km": gettext_lazy("Will travel (km)"),
    "works_retail": gettext_lazy("Retail store work"),
    "works_office": gettext_lazy("Office / contact centre work"),
    "introduction": gettext_lazy("Introduction"),
}
FIELDS = tuple(FIELD_LABELS)

# Headings people write, in Finnish, Swedish and English, lower case without punctuation.
HEADINGS: dict[str, set[str]] = {
    "first_name": {"firstname", "first", "givenname", "etunimi", "etunimet", "fornamn"},
    "last_name": {"lastname", "surname", "familyname", "sukunimi", "efternamn"},
    "full_name": {"name", "fullname", "nimi", "kokonimi", "namn", "fullstandigtnamn"},
    "email": {"email", "emailaddress", "mail", "sahkoposti", "sposti", "epost", "epostadress"},
    "phone": {
        "phone",
        "phonenumber",
        "mobile",
        "mobilephone",
        "telephone",
        "puhelin",
        "puhelinnumero",
        "matkapuhelin",
        "gsm",
        "telefon",
        "telefonnummer",
        "mobil",
        "mobilnummer",
    },
    "postal_code": {"postalcode", "postcode", "zip", "zipcode", "postinumero", "postnummer"},
    "max_travel_km": {"maxtravelkm", "travelkm", "willtravelkm", "matkakm", "reseavstandkm"},
    "works_retail": {"retail", "retailwork", "myymalatyo", "kauppa", "butiksarbete", "butik"},
    "works_office": {
        "office",
        "officework",
        "contactcentre",
        "asiakaspalvelu",
        "toimistotyo",
        "kontorsarbete",
        "kundtjanst",
    },
    "introduction": {"introduction", "about", "esittely", "presentation", "beskrivning"},
}
YES = {"1", "x", "yes", "y", "true", "kyllä", "kylla", "k", "ja", "j", "sant"}
NO = {"", "0", "no", "n", "false", "ei", "e", "nej", "falskt"}
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "email": 254, "introduction": 4000}

# Row problems are stored as codes and worded when shown, in the reader's language.
PROBLEM_MESSAGES: dict[str, Promise] = {
    "required": gettext_lazy("%(field)s is missing."),
    "too_long": gettext_lazy("%(field)s is too long."),
    "email_invalid": gettext_lazy("“%(value)s” is not an email address."),
    "phone_invalid": gettext_lazy("“%(value)s” is not a phone number."),
    "postal_code_unknown": gettext_lazy("Postal code “%(value)s” is not known."),
    "km_invalid": gettext_lazy("“%(value)s” is not a distance in km (0–500)."),
    "yes_no": gettext_lazy("“%(value)s” is not yes or no."),
    "email_in_pool": gettext_lazy("Someone in the pool has the email %(value)s."),
    "phone_in_pool": gettext_lazy("Someone in the pool has the phone number %(value)s."),
    "name_in_pool": gettext_lazy("Someone with a similar name has postal code %(value)s."),
    "email_in_file": gettext_lazy("The email %(value)s is on an earlier row too."),
    "phone_in_file": gettext_lazy("The phone number %(value)s is on an earlier row too."),
}
# Of those, the ones that are duplicates: the row is imported and offered for merging.
DUPLICATE_CODES = frozenset(
    {"email_in_pool", "phone_in_pool", "name_in_pool", "email_in_file", "phone_in_file"}
)


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message says why, in the user's language."""


@dataclass
class RowProblem:
    row: int  # the row's number in the spreadsheet (the headings are row 1)
    field: str
    code: str
    value: str = ""

    @property
    def is_duplicate(self) -> bool:
        return self.code in DUPLICATE_CODES

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def message(self) -> str:
        label = self.field_label
        return str(PROBLEM_MESSAGES[self.code]) % {"field": label, "value": self.value}


@dataclass
class ImportCheck:
    """What an import would do with the file under a mapping."""

    people: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row, fields)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def error_rows(self) -> set[int]:
        return {p.row for p in self.problems if not p.is_duplicate}

    @property
    def duplicate_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.is_duplicate} - self.error_rows

    @property
    def valid(self) -> list[tuple[int, dict[str, Any]]]:
        bad = self.error_rows
        return [(row, person) for row, person in self.people if row not in bad]


# Reading the file


def import_file_read(*, name: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """The file's headings and rows as text cells. Raises ImportFileError for a file that is
    empty, too large, of another type, not a spreadsheet, badly encoded or without people."""
    if not content:
        raise ImportFileError(_("The file is empty."))
    if len(content) > settings.CANDIDATE_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large: at most %(mb)d MB.")
            % {"mb": settings.CANDIDATE_IMPORT_MAX_BYTES // 1_000_000}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "xlsx":
        dataset = _xlsx_read(content)
    elif extension == "csv":
        dataset = _csv_read(content)
    else:
        raise ImportFileError(_("Only CSV and XLSX files can be imported."))
    headers = [_cell(h) for h in (dataset.headers or [])]
    rows = [[_cell(v) for v in row] for row in dataset]
    rows = [row for row in rows if any(row)]
    if not any(headers):
        raise ImportFileError(_("The file has no heading row."))
    if not rows:
        raise ImportFileError(_("The file has headings but no people."))
    if len(rows) > settings.CANDIDATE_IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has too many rows: at most %(rows)d.")
            % {"rows": settings.CANDIDATE_IMPORT_MAX_ROWS}
        )
    return headers, rows


def _xlsx_read(content: bytes) -> tablib.Dataset:
    # An XLSX file is a ZIP archive; anything else (an old .xls, a renamed PDF) is not one.
    if not content.startswith(b"PK"):
        raise ImportFileError(_("The file is not an XLSX spreadsheet."))
    try:
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    except tablib.InvalidDimensions as error:
        raise ImportFileError(
            _("The rows do not all have as many columns as the headings.")
        ) from error
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not an XLSX spreadsheet.")) from error


def _csv_read(content: bytes) -> tablib.Dataset:
    text = _csv_text(content)
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file."))
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except tablib.InvalidDimensions as error:
        raise ImportFileError(
            _("The rows do not all have as many columns as the headings.")
        ) from error
    except csv.Error as error:
        raise ImportFileError(_("The file is not a CSV text file.")) from error


def _csv_text(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not in UTF-8: in Excel, save it as “CSV UTF-8”, or upload the "
                "XLSX file itself."
            )
        ) from error


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps 0401234567 as the number 401234567.0
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


def _heading_key(heading: str) -> str:
    plain = heading.lower().translate(str.maketrans("äåöé", "aaoe"))
    return re.sub(r"[^a-z]", "", plain)


def mapping_guess(*, headers: list[str]) -> dict[str, int]:
    """Which column each field comes from, guessed from the headings (each column once)."""
    mapping: dict[str, int] = {}
    for index, heading in enumerate(headers):
        key = _heading_key(heading)
        for name in FIELDS:
            if name not in mapping and key in HEADINGS[name]:
                mapping[name] = index
                break
    if "first_name" in mapping and "last_name" in mapping:
        mapping.pop("full_name", None)
    return mapping


def mapping_from_params(*, params: Any, headers: list[str]) -> dict[str, int]:
    """The mapping chosen in the form (`col_<field>` = column number, or empty)."""
    mapping: dict[str, int] = {}
    for name in FIELDS:
        raw = params.get(f"col_{name}")
        if isinstance(raw, str) and raw.isdigit() and int(raw) < len(headers):
            mapping[name] = int(raw)
    return mapping


# Uploading and checking


@transaction.atomic
def candidate_import_upload(*, by: User, name: str, content: bytes) -> CandidateImport:
    """Read the file and keep its cells for the mapping and the preview."""
    headers, rows = import_file_read(name=name, content=content)
    batch = CandidateImport.objects.create(
        created_by=by,
        file_name=name[:200],
        headers=headers,
        rows=rows,
        mapping=mapping_guess(headers=headers),
        total=len(rows),
    )
    audit_record(
        actor=by, action="candidates.import_uploaded", target=batch, data={"rows": len(rows)}
    )
    return batch


def import_check(
    *, rows: list[list[str]], mapping: dict[str, int], pool_rows: int | None = None
) -> ImportCheck:
    """Every row's fields and problems under `mapping`, including duplicates of earlier rows
    and of the pool (those are imported and offered for merging; the others keep a row out).
    The pool is compared for the first `pool_rows` rows only (0: none, None: all): the
    preview of a big file shows the first ones, the import's page then lists all of them."""
    check = ImportCheck()
    for index, cells in enumerate(rows):
        number = index + 2
        person, problems = _row_clean(number, cells, mapping)
        check.problems += problems
        check.people.append((number, person))
    check.problems += _duplicates_in_file(check.people)
    if pool_rows != 0:
        check.problems += _duplicates_in_pool(check.people[:pool_rows])
    check.problems.sort(key=lambda p: p.row)
    return check


def _row_clean(
    number: int, cells: list[str], mapping: dict[str, int]
) -> tuple[dict[str, Any], list[RowProblem]]:
    raw = {name: (cells[i] if i < len(cells) else "") for name, i in mapping.items()}
    problems: list[RowProblem] = []
    person: dict[str, Any] = {}
    first, last = raw.get("first_name", ""), raw.get("last_name", "")
    if "full_name" in raw and not (first or last):
        first, _sep, last = raw["full_name"].strip().rpartition(" ")
        if not first:
            first, last = last, ""
    person["first_name"], person["last_name"] = first, last
    for name in ("first_name", "last_name"):
        if not person[name]:
            problems.append(RowProblem(number, name, "required"))
    email = raw.get("email", "").lower()
    if not email:
        problems.append(RowProblem(number, "email", "required"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(RowProblem(number, "email", "email_invalid", email[:100]))
    person["email"] = email
    person["phone"] = ""
    if raw.get("phone"):
        try:
            person["phone"] = phone_normalise(raw["phone"])
        except PhoneNumberInvalid:
            problems.append(RowProblem(number, "phone", "phone_invalid", raw["phone"][:40]))
    person["postal_code"] = ""
    if raw.get("postal_code"):
        code = raw["postal_code"].replace(" ", "")
        code = code.zfill(5) if code.isdigit() and len(code) < 5 else code
        place = postal_code_lookup(code) if len(code) == 5 else None
        if place is None:
            problems.append(RowProblem(number, "postal_code", "postal_code_unknown", code[:10]))
        else:
            person.update(postal_code=code, latitude=place.latitude, longitude=place.longitude)
    if raw.get("max_travel_km"):
        km = raw["max_travel_km"].removesuffix("km").strip()
        if km.isdigit() and int(km) <= 500:
            person["max_travel_km"] = int(km)
        else:
            problems.append(RowProblem(number, "max_travel_km", "km_invalid", km[:10]))
    for name in ("works_retail", "works_office"):
        if name in raw:
            value = raw[name].lower()
            if value in YES | NO:
                person[name] = value in YES
            else:
                problems.append(RowProblem(number, name, "yes_no", raw[name][:20]))
    if raw.get("introduction"):
        person["introduction"] = raw["introduction"]
    for name, limit in MAX_LENGTHS.items():
        if len(person.get(name, "")) > limit:
            problems.append(RowProblem(number, name, "too_long"))
    return person, problems


def _duplicates_in_file(people: list[tuple[int, dict[str, Any]]]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, person in people:
        for name, code in (("email", "email_in_file"), ("phone", "phone_in_file")):
            value = person.get(name, "")
            if not value:
                continue
            if (name, value) in seen:
                problems.append(RowProblem(number, name, code, value))
            else:
                seen[(name, value)] = number
    return problems


def _duplicates_in_pool(people: list[tuple[int, dict[str, Any]]]) -> list[RowProblem]:
    """Rows like someone already in the pool: same email, same phone (E.164), or a similar
    name (trigram similarity) with the same postal code."""
    if not people:
        return []
    found = pool_matches(
        emails=[p["email"] for _n, p in people],
        phones=[p["phone"] for _n, p in people],
        names=[f"{p['first_name']} {p['last_name']}".strip() for _n, p in people],
        postal_codes=[p["postal_code"] for _n, p in people],
    )
    problems = []
    for index, kinds in found.items():
        number, person = people[index]
        for kind in sorted(kinds):
            value = person["postal_code"] if kind == "name" else person[kind]
            problems.append(
                RowProblem(
                    number, kind if kind != "name" else "first_name", f"{kind}_in_pool", value
                )
            )
    return problems


# Queueing and running


@transaction.atomic
def candidate_import_queue(
    *,
    batch: CandidateImport,
    by: User,
    mapping: dict[str, int],
    skip_invalid: bool,
    invite: bool,
    language: str,
    base_url: str,
) -> CandidateImport:
    """Fix the mapping and the choices, and hand the import to the background. The queued state
    is the record: the sweep queues it again if the message is lost."""
    claimed = CandidateImport.objects.filter(
        pk=batch.pk, status__in=(CandidateImport.Status.UPLOADED, CandidateImport.Status.FAILED)
    ).update(
        status=CandidateImport.Status.QUEUED,
        mapping=mapping,
        skip_invalid=skip_invalid,
        invite=invite,
        language=language,
        base_url=base_url,
        failure="",
        queued_at=timezone.now(),
    )
    batch.refresh_from_db()
    if claimed:
        audit_record(
            actor=by,
            action="candidates.import_queued",
            target=batch,
            data={"skip_invalid": skip_invalid, "invite": invite},
        )
        enqueue_on_commit(IMPORT_TASK, batch.pk)
    return batch


def import_progress_key(import_id: int) -> str:
    return f"candidate-import:{import_id}:progress"


def import_progress(*, batch: CandidateImport) -> int:
    """Percent done (the running import writes it to the cache: its rows are not visible to
    others before its one transaction commits)."""
    if batch.status == CandidateImport.Status.DONE:
        return 100
    if batch.status != CandidateImport.Status.RUNNING:
        return 0
    return int(cache.get(import_progress_key(batch.pk)) or 0)


def _progress(batch: CandidateImport, percent: int) -> None:
    cache.set(import_progress_key(batch.pk), percent, timeout=3600)


def candidate_import_run(*, import_id: int) -> CandidateImport | None:
    """Run a queued import: claim it, then check and create every person in one transaction.
    None when someone else has claimed it (or it is gone). Idempotent: a finished import is
    never run again."""
    claimed = CandidateImport.objects.filter(
        pk=import_id, status=CandidateImport.Status.QUEUED
    ).update(status=CandidateImport.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    batch = CandidateImport.objects.select_related("created_by").get(pk=import_id)
    _progress(batch, 1)
    try:
        with transaction.atomic():
            failure = _import_all(batch)
            if failure:
                transaction.set_rollback(True)
    except Exception:
        logger.exception("Candidate import %s failed; nothing was imported.", import_id)
        failure = CandidateImport.Failure.CRASHED
    if failure:
        CandidateImport.objects.filter(pk=import_id).update(
            status=CandidateImport.Status.FAILED, failure=failure, finished_at=timezone.now()
        )
    batch.refresh_from_db()
    cache.delete(import_progress_key(import_id))
    return batch


def _import_all(batch: CandidateImport) -> str:
    """Create the people (inside the caller's transaction); returns a failure code or ""."""
    # Duplicates of the pool do not keep a row out: they are listed for merging afterwards.
    check = import_check(rows=batch.rows, mapping=batch.mapping, pool_rows=0)
    _progress(batch, 20)
    valid = check.valid
    if check.error_rows and not batch.skip_invalid:
        return CandidateImport.Failure.INVALID_ROWS
    if not valid:
        return CandidateImport.Failure.NOTHING_VALID
    by = batch.created_by
    created: list[Candidate] = []
    for start in range(0, len(valid), CHUNK):
        chunk = [
            Candidate(
                **person,
                status=Candidate.Status.INACTIVE,
                matching_consent=False,
                imported_from=batch,
            )
            for _row, person in valid[start : start + CHUNK]
        ]
        created += Candidate.objects.bulk_create(chunk)
        _progress(batch, 20 + 50 * (start + len(chunk)) // len(valid))
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by,
                action="candidate.imported",
                target=c,
                candidate_id=c.pk,
                data={"import_id": batch.pk},
            )
            for c in created
        ],
        batch_size=CHUNK,
    )
    _progress(batch, 75)
    if batch.invite and batch.base_url:
        invitations_for_people(
            people=created, by=by, base_url=batch.base_url, language=batch.language
        )
    CandidateImport.objects.filter(pk=batch.pk).update(
        status=CandidateImport.Status.DONE,
        created_count=len(created),
        skipped_count=len(check.people) - len(valid),
        rows=[],  # the people are in their own rows now; the file's copy goes
        finished_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action="candidates.imported",
        target=batch,
        data={"created": len(created), "skipped": len(check.people) - len(valid)},
    )
    return ""


def invitations_for_people(
    *, people: Iterable[Candidate], by: User | None, base_url: str, language: str
) -> list[Invitation]:
    """Invite each person who has an email, no login and no open invitation yet."""
    candidates = [c for c in people if c.email and c.user_id is None]
    open_ids = set(
        Invitation.objects.filter(
            candidate__in=[c.pk for c in candidates], accepted_at__isnull=True
        ).values_list("candidate_id", flat=True)
    )
    return invitations_send_many(
        candidates=[c for c in candidates if c.pk not in open_ids],
        by=by,
        base_url=base_url,
        language=language,
    )


def candidate_imports_requeue(*, waited: dt.timedelta, stalled: dt.timedelta) -> int:
    """The sweep: queue again imports queued `waited` ago and never started (the message was
    lost), and those running for longer than `stalled` (their worker died: its transaction
    was rolled back, so nothing is half-imported). Returns how many were queued."""
    now = timezone.now()
    CandidateImport.objects.filter(
        status=CandidateImport.Status.RUNNING, started_at__lt=now - stalled
    ).update(status=CandidateImport.Status.QUEUED, queued_at=now - waited)
    ids = list(
        CandidateImport.objects.filter(
            status=CandidateImport.Status.QUEUED, queued_at__lte=now - waited
        ).values_list("pk", flat=True)[:50]
    )
    for pk in ids:
        CandidateImport.objects.filter(pk=pk).update(queued_at=now)
        enqueue_on_commit(IMPORT_TASK, pk)
    return len(ids)


def imports_recent(*, limit: int = 10) -> list[CandidateImport]:
    return list(CandidateImport.objects.select_related("created_by")[:limit])


__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "ImportCheck",
    "ImportFileError",
    "RowProblem",
    "candidate_import_queue",
    "candidate_import_run",
    "candidate_import_upload",
    "candidate_imports_requeue",
    "import_check",
    "import_file_read",
    "import_progress",
    "invitations_for_people",
    "mapping_from_params",
    "mapping_guess",
]
