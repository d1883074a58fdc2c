"""Download my data: a copy the person can read and one a program can read, with labelled
sections, in the person's language; every model pointing at the person is in it (model walk)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from candidates.availability import mask_from_cells
from candidates.models import Candidate, Consent
from staffing.models import AuditEvent
from staffing.services.personal_data.export import data_export
from tests import factories as f
from tests.candidates.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def _models_pointing_at_person() -> set[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.concrete
                and (field.many_to_one or field.one_to_one)
                and field.related_model in (Candidate, user_model)
            ):
                found.add(model._meta.label)
    return found


def test_export_has_a_section_for_every_model_that_points_at_the_person():
    user = f.CandidateUserFactory()
    data = data_export(candidate=user.candidate)
    covered = {label for section in data["sections"].values() for label in section["from"]}
    missing = _models_pointing_at_person() - covered
    assert not missing, f"not exported: {sorted(missing)}"


def test_export_contains_the_persons_rows_labelled_and_no_secrets():
    user = f.CandidateUserFactory()
    candidate = user.candidate
    f.CandidateLanguageFactory(candidate=candidate, language="sv", level=4)
    f.AssessmentFactory(candidate=candidate, summary="Warm and calm", notes="internal only")
    f.ShortlistEntryFactory(candidate=candidate, explanation={"factors": [{"code": "distance"}]})
    f.PlacementFactory(candidate=candidate)
    Candidate.objects.filter(pk=candidate.pk).update(availability=mask_from_cells({(5, 2)}))
    candidate.refresh_from_db()
    with translation.override("en"):
        data = data_export(candidate=candidate)
    sections = data["sections"]
    assert sections["languages"]["rows"][0] == {
        "language": "Swedish",
        "level": "B2",
        "meaning": "Serves customers fluently, explains and negotiates; few misunderstandings.",
    }
    assert sections["languages"]["labels"]["level"] == "CEFR level"
    saturday = sections["availability"]["rows"][5]
    assert saturday == {"weekday": "Sat", "morning": False, "day": False, "evening": True}
    assessment = sections["assessments"]["rows"][0]
    # Notes about the person are their data too (Article 15).
    assert assessment["summary"] == "Warm and calm" and assessment["notes"] == "internal only"
    assert len(sections["shortlists"]["rows"]) == 1 and sections["shortlists"]["rows"][0]["score"]
    assert len(sections["placements"]["rows"]) == 1
    assert "password" not in json.dumps(data)
    assert "staffing.AuditEvent.actor" not in sections  # internal rows: only the view log
    json.dumps(data)  # plain JSON all the way down


def test_export_page_is_readable_in_the_persons_language(client):
    user = f.CandidateUserFactory(language="fi")
    candidate = user.candidate
    Consent.objects.create(candidate=candidate, purpose="matching", version="2025-01")
    f.CandidateLanguageFactory(candidate=candidate, language="en", level=5)
    recruiter = f.RecruiterFactory(first_name="Rita", last_name="Rekry")
    client.force_login(recruiter)
    client.get(reverse("recruiter_candidate_detail", args=[candidate.pk]))
    client.force_login(user)
    page = client.get(reverse("candidate_data_export"), HTTP_ACCEPT_LANGUAGE="fi")
    page = page.content.decode()
    for title in ("Profiili", "Kielet", "Viikoittainen saatavuus", "Suostumukset", "Arvioinnit"):
        assert title in page, title
    assert "C1" in page and "Rita Rekry" in page
    assert "1830326" not in page and "candidates.Candidate" not in page
    assert AuditEvent.objects.filter(action="candidate.data_exported").count() == 0  # GET
    response = client.post(reverse("candidate_data_file"), HTTP_ACCEPT_LANGUAGE="fi")
    assert response["Content-Disposition"].endswith('.html"')
    assert "Profiili" in response.content.decode() and "<style>" in response.content.decode()


def test_download_button_gives_a_zip_with_the_page_json_and_cv(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = f.CandidateUserFactory()
    client.force_login(user)
    client.post(reverse("candidate_cv"), {"file": SimpleUploadedFile("mine.pdf", PDF_BYTES)})
    assert client.get(reverse("candidate_data_download")).status_code == 405  # POST only
    response = client.post(reverse("candidate_data_download"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"data.json", "my-data.html", "cv/mine.pdf"}
    data = json.loads(archive.read("data.json"))
    assert data["sections"]["profile"]["rows"][0]["email"] == user.email
    assert archive.read("cv/mine.pdf") == PDF_BYTES


def test_the_readable_copy_is_in_finnish_formats_and_local_time():
    import datetime as dt

    from django.utils import timezone

    from staffing.models import ShortlistEdit
    from staffing.services.personal_data.export import export_sections

    user = f.CandidateUserFactory(language="fi")
    candidate = user.candidate
    entry = f.ShortlistEntryFactory(candidate=candidate, score=0.25)
    # 14:03 UTC is 16:03 in Helsinki in winter.
    created = dt.datetime(2026, 12, 2, 14, 3, 5, tzinfo=dt.UTC)
    type(entry.shortlist).objects.filter(pk=entry.shortlist.pk).update(created_at=created)
    ShortlistEdit.objects.create(
        shortlist=entry.shortlist, candidate=candidate, action="add", reason="r"
    )
    confirmed = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    Candidate.objects.filter(pk=candidate.pk).update(availability_confirmed_at=confirmed)
    candidate.refresh_from_db()
    with translation.override("fi"), timezone.override("Europe/Helsinki"):
        sections = {s.key: s for s in export_sections(candidate=candidate)}
        shortlist = dict(sections["shortlists"].labelled_rows()[0])
        edits = [s for key, s in sections.items() if key.startswith("staffing.ShortlistEdit")]
        edit_values = [value for _label, value in edits[0].labelled_rows()[0]]
    assert shortlist["Pisteet"] == "0,25"
    assert sections["availability"].note == "Viimeksi vahvistettu 2.12.2026."
    assert any(str(v).endswith("/ 16:03:05") for v in edit_values), edit_values


def test_the_profile_fields_have_one_home():
    from candidates.forms import ProfileForm
    from candidates.services.profile import PROFILE_FIELDS
    from staffing.services.personal_data.export import export_sections

    assert tuple(ProfileForm._meta.fields) == PROFILE_FIELDS
    candidate = f.CandidateUserFactory().candidate
    profile = next(s for s in export_sections(candidate=candidate) if s.key == "profile")
    assert set(PROFILE_FIELDS) <= {key for key, _label in profile.columns}
