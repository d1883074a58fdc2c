"""Download my data: every model pointing at the person is in the export (found by a model walk)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from candidates.models import Candidate
from candidates.services.export import data_export
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
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_export_has_a_section_for_every_model_that_points_at_the_person():
    user = f.CandidateUserFactory()
    data = data_export(candidate=user.candidate)
    missing = _models_pointing_at_person() - set(data)
    assert not missing, f"not exported: {sorted(missing)}"


def test_export_contains_the_persons_rows_and_no_secrets():
    user = f.CandidateUserFactory()
    candidate = user.candidate
    f.CandidateLanguageFactory(candidate=candidate, language="sv", level=4)
    f.AssessmentFactory(candidate=candidate, summary="Warm and calm", notes="internal only")
    f.ShortlistEntryFactory(candidate=candidate, explanation={"factors": [{"code": "distance"}]})
    f.PlacementFactory(candidate=candidate)
    data = data_export(candidate=candidate)
    assert data["candidates.CandidateLanguage.candidate"][0]["language"] == "sv"
    assessment = data["candidates.Assessment.candidate"][0]
    assert assessment["summary"] == "Warm and calm" and "notes" not in assessment
    assert data["staffing.ShortlistEntry.candidate"][0]["explanation"]["factors"]
    assert len(data["staffing.Placement.candidate"]) == 1
    assert "password" not in data["staffing.User"][0]
    json.dumps(data)  # plain JSON all the way down


def test_download_button_gives_a_zip_with_json_and_cv(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = f.CandidateUserFactory()
    client.force_login(user)
    client.post(reverse("candidate_cv"), {"file": SimpleUploadedFile("mine.pdf", PDF_BYTES)})
    assert client.get(reverse("candidate_data_download")).status_code == 405  # POST only
    response = client.post(reverse("candidate_data_download"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"data.json", "cv/mine.pdf"}
    data = json.loads(archive.read("data.json"))
    assert data["candidates.Candidate"][0]["email"] == user.email
    assert archive.read("cv/mine.pdf") == PDF_BYTES
