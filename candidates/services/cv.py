"""CV files: checked by content, stored privately under a generated name, downloads logged.

The files live under `settings.PRIVATE_STORAGE_ROOT`, which no URL serves; the only way out is
`cv_open`, called from views that have checked who is asking.
"""

from __future__ import annotations

import secrets
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils.translation import gettext as _

from candidates.models import Candidate, CandidateCV
from candidates.services.activity import activity_record
from staffing.base.audit import audit_record, personal_data_view_record
from staffing.base.models import User

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}
RATIO_FREE_BYTES = 1024 * 1024


class CVRejected(ValueError):
    pass


def cv_storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.PRIVATE_STORAGE_ROOT) / "cv", base_url=None)


def cv_sniff(head: bytes, file: IO[bytes]) -> str | None:
    """The CV's real type from its content: PDF by its header, DOCX by its zip structure.

    A DOCX is a zip with `[Content_Types].xml` and a `word/document.xml` part; anything else (an
    executable, an HTML page, a zip of something else) is None, whatever its name says.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
    return None


def cv_docx_check(*, file: IO[bytes], size: int) -> None:
    """Refuse a DOCX that would be a zip bomb for whoever opens it: too many entries, too much
    inside, or packed tighter than documents are. The entries are really decompressed (with a
    cap), since a zip's own size fields can lie."""
    refused = CVRejected(
        _("This Word file cannot be accepted: it unpacks into far more than a CV holds.")
    )
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        entries = archive.infolist()
        declared = sum(entry.file_size for entry in entries)
        # The ratio matters only past a megabyte: a tiny file may pack tightly and harm no one.
        budget = min(
            settings.CV_DOCX_MAX_UNCOMPRESSED_BYTES,
            max(settings.CV_DOCX_MAX_RATIO * size, RATIO_FREE_BYTES),
        )
        if len(entries) > settings.CV_DOCX_MAX_ENTRIES or declared > budget:
            raise refused
        for entry in entries:
            with archive.open(entry) as member:
                while chunk := member.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise refused


def cv_validate(*, file: IO[bytes], size: int) -> str:
    """The content type of an acceptable CV; raises CVRejected with a reason for the person."""
    if size > settings.CV_MAX_BYTES:
        raise CVRejected(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": settings.CV_MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise CVRejected(_("The file is empty."))
    file.seek(0)
    content_type = cv_sniff(file.read(8), file)
    file.seek(0)
    if content_type is None:
        raise CVRejected(_("Only PDF and Word (DOCX) files are accepted."))
    if content_type == DOCX:
        try:
            cv_docx_check(file=file, size=size)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            if isinstance(error, CVRejected):
                raise
            raise CVRejected(_("Only PDF and Word (DOCX) files are accepted.")) from error
        finally:
            file.seek(0)
    return content_type


@transaction.atomic
def cv_store(
    *, candidate: Candidate, by: User | None, file: IO[bytes], name: str, size: int
) -> CandidateCV:
    """Validate and store a CV, replacing the previous one (whose file is removed on commit)."""
    content_type = cv_validate(file=file, size=size)
    storage = cv_storage()
    stored_name = storage.save(secrets.token_hex(16) + EXTENSIONS[content_type], file)
    old = CandidateCV.objects.select_for_update().filter(candidate=candidate).first()
    if old is not None:
        old_name = old.stored_name
        old.delete()
        transaction.on_commit(lambda: storage.delete(old_name))
    cv = CandidateCV.objects.create(
        candidate=candidate,
        stored_name=stored_name,
        original_name=Path(name).name[:200],
        content_type=content_type,
        size=size,
    )
    activity_record(candidate=candidate)
    audit_record(actor=by, action="candidate.cv_uploaded", target=cv, candidate_id=candidate.pk)
    return cv


@transaction.atomic
def cv_remove(*, candidate: Candidate, by: User | None) -> None:
    cv = CandidateCV.objects.filter(candidate=candidate).first()
    if cv is None:
        return
    name = cv.stored_name
    cv.delete()
    transaction.on_commit(lambda: cv_storage().delete(name))
    audit_record(
        actor=by, action="candidate.cv_removed", target=candidate, candidate_id=candidate.pk
    )


def cv_open(*, cv: CandidateCV, by: User | None) -> IO[bytes]:
    """Open a CV for download and log who downloaded it (the person sees the log)."""
    personal_data_view_record(
        viewer=by, candidate_id=cv.candidate_id, seen="cv", target=cv.candidate
    )
    return cv_storage().open(cv.stored_name, "rb")


def cv_bytes(*, cv: CandidateCV) -> bytes:
    with cv_storage().open(cv.stored_name, "rb") as fh:
        return fh.read()
