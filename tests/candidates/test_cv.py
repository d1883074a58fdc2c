"""CV upload: checked by content, not by name; stored privately; downloads scoped and logged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import CandidateCV
from staffing.models import AuditEvent
from tests import factories as f
from tests.candidates.conftest import PDF_BYTES, docx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate_user(client):
    user = f.CandidateUserFactory()
    client.force_login(user)
    return user


def _upload(client, name: str, content: bytes):
    return client.post(reverse("candidate_cv"), {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a renamed Windows executable
        ("cv.docx", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),  # a renamed Linux executable
        ("cv.pdf", b"<!doctype html><html><body>hello</body></html>"),  # HTML named .pdf
        ("cv.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_upload_rejects_content_that_is_not_pdf_or_docx(client, candidate_user, name, content):
    response = _upload(client, name, content)
    assert response.status_code == 200
    assert "Only PDF and Word" in response.content.decode()
    assert not CandidateCV.objects.exists()


def test_upload_rejects_a_file_over_5_mb(client, candidate_user, settings):
    big = PDF_BYTES + b"0" * settings.CV_MAX_BYTES
    response = _upload(client, "big.pdf", big)
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not CandidateCV.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("My CV.pdf", PDF_BYTES), ("cv.docx", None)])
def test_upload_stores_privately_under_a_generated_name(
    client, candidate_user, settings, name, content
):
    content = content or docx_bytes()
    response = _upload(client, name, content)
    assert response.status_code == 302
    cv = CandidateCV.objects.get(candidate=candidate_user.candidate)
    assert cv.original_name == name
    assert name not in cv.stored_name
    stored = Path(settings.PRIVATE_STORAGE_ROOT) / "cv" / cv.stored_name
    assert stored.read_bytes() == content
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))


def test_replacing_a_cv_removes_the_old_file(
    client, candidate_user, settings, django_capture_on_commit_callbacks
):
    _upload(client, "a.pdf", PDF_BYTES)
    first = CandidateCV.objects.get().stored_name
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "b.docx", docx_bytes())
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "cv"
    assert [p.name for p in folder.iterdir()] == [CandidateCV.objects.get().stored_name]
    assert first != CandidateCV.objects.get().stored_name


def test_download_is_scoped_and_logged(client, candidate_user):
    _upload(client, "cv.pdf", PDF_BYTES)
    candidate = candidate_user.candidate
    own = client.get(reverse("candidate_cv_download"))
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF_BYTES

    url = reverse("candidate_cv_for_viewer", args=[candidate.pk])
    client.force_login(f.RecruiterFactory())
    assert client.get(url).status_code == 200

    manager = f.ClientManagerFactory()
    client.force_login(manager)
    assert client.get(url).status_code == 404  # not placed with this company
    profile = f.ServiceProfileFactory(site=f.SiteFactory(company=manager.client_membership.company))
    f.PlacementFactory(candidate=candidate, shift=f.ShiftFactory(request__service_profile=profile))
    assert client.get(url).status_code == 200

    other = f.CandidateUserFactory()
    client.force_login(other)
    assert client.get(url).status_code == 403
    downloads = AuditEvent.objects.filter(candidate=candidate, action="candidate.cv_downloaded")
    # The recruiter's and the client manager's; the person's own download is not someone's view.
    assert downloads.count() == 2
    assert set(downloads.values_list("actor__role", flat=True)) == {"recruiter", "client_manager"}


def _docx_with(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _lying_sizes(content: bytes) -> bytes:
    """The same zip with every entry's declared uncompressed size set to 1 byte."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            data[at + offset : at + offset + 4] = (1).to_bytes(4, "little")
            start = at + 4
    return bytes(data)


@pytest.mark.parametrize(
    "content",
    [
        _docx_with({"word/media/bomb.bin": b"\x00" * (60 * 1024 * 1024)}),  # 60 MB inside ~60 KB
        _docx_with({f"word/part{i}.xml": b"<x/>" for i in range(600)}),  # too many entries
        _lying_sizes(_docx_with({"word/media/bomb.bin": b"\x00" * (8 * 1024 * 1024)})),
    ],
    ids=["bomb", "entries", "lying-sizes"],
)
def test_upload_refuses_a_docx_zip_bomb(client, candidate_user, content):
    response = client.post(
        reverse("candidate_cv"),
        {"file": SimpleUploadedFile("cv.docx", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be accepted" in page or "Only PDF and Word" in page
    assert not CandidateCV.objects.exists()


def test_upload_accepts_a_docx_of_a_real_size(client, candidate_user):
    content = _docx_with({"word/media/photo.jpg": bytes(range(256)) * 4000})
    response = _upload(client, "cv.docx", content)
    assert response.status_code == 302
    assert CandidateCV.objects.count() == 1
