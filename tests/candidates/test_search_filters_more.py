"""The Candidates page's XLSX export and its remaining filters, against the hand-checked pool of
tests/candidates/test_search.py."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from candidates.models import Candidate
from staffing.base.models import AuditEvent
from tests import factories as f
from tests.candidates.test_search import pool  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_export_xlsx_is_logged_and_keeps_formulas_out(client, pool):  # noqa: F811
    Candidate.objects.filter(pk=pool["aino"].pk).update(last_name="=HYPERLINK(1)")
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    response = client.get(reverse("recruiter_candidates_export_xlsx"), {"language": "sv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="candidates.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    emails = {row[2] for row in rows[1:]}
    assert emails == {"aino@example.fi", "mikko@example.fi"}
    aino = next(row for row in rows if row[2] == "aino@example.fi")
    assert aino[1] == "=HYPERLINK(1)"  # text, not a formula
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"
    viewed = AuditEvent.objects.filter(actor=recruiter, action="candidate.viewed")
    assert set(viewed.values_list("candidate_id", flat=True)) == {
        pool["aino"].pk,
        pool["mikko"].pk,
    }


def test_export_xlsx_is_for_recruiters_only(client, pool):  # noqa: F811
    for user in (f.ClientManagerFactory(), f.CandidateUserFactory()):
        client.force_login(user)
        assert client.get(reverse("recruiter_candidates_export_xlsx")).status_code == 403
    assert not AuditEvent.objects.filter(action="candidate.viewed").exists()
