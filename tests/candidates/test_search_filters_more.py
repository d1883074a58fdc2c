"""The Candidates page's XLSX export and its remaining filters, against the hand-checked pool of
tests/candidates/test_search.py."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidates.availability import HELSINKI
from candidates.models import Assessment, Candidate
from candidates.services.search import SearchFilters, candidate_search_queryset
from staffing.base.models import AuditEvent
from staffing.models import Bench, BenchEntry, ReliabilityRecord, TalentPoolMember
from staffing.services.candidate_search import StaffingSearchContext
from tests import factories as f
from tests.candidates.test_search import MONDAY, pool  # noqa: F401  (the fixture)

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


def _names(params: dict[str, str]) -> set[str]:
    filters = SearchFilters.from_params(params, StaffingSearchContext())
    assert filters.errors == []
    return {c.first_name for c in candidate_search_queryset(filters)}


def test_within_km_of_a_client_site(pool):  # noqa: F811
    kamppi = f.SiteFactory(name="Kamppi", latitude=60.1685, longitude=24.9316)
    tampere = f.SiteFactory(name="Koskikeskus", latitude=61.4946, longitude=23.7721)
    assert _names({"site": str(kamppi.pk), "km": "15"}) == {"Aino", "Liisa"}
    assert _names({"site": str(tampere.pk), "km": "15"}) == {"Mikko"}
    filters = SearchFilters.from_params(
        {"site": str(tampere.pk), "sort": "distance"}, StaffingSearchContext()
    )
    assert candidate_search_queryset(filters).first().first_name == "Mikko"
    # A postal code wins over a site; an unknown site is a message.
    assert _names({"site": str(tampere.pk), "postal_code": "00100", "km": "15"}) == {
        "Aino",
        "Liisa",
    }
    bad = SearchFilters.from_params({"site": "999999", "km": "5"}, StaffingSearchContext())
    assert "Unknown client site." in bad.errors and bad.km is None
    # Without the staffing layer's answers the filter is refused, not ignored.
    assert SearchFilters.from_params({"site": str(kamppi.pk)}).errors


def test_on_a_bench_or_in_a_talent_pool(pool):  # noqa: F811
    profile = f.ServiceProfileFactory()
    bench = Bench.objects.create(profile=profile, rules_version="x", refreshed_at=timezone.now())
    BenchEntry.objects.create(bench=bench, candidate=pool["mikko"], rank=1, score=1)
    talent = f.TalentPoolFactory(name="Kamppi regulars")
    TalentPoolMember.objects.create(pool=talent, candidate=pool["aino"])
    TalentPoolMember.objects.create(pool=talent, candidate=pool["liisa"])
    assert _names({"in": f"bench:{profile.pk}"}) == {"Mikko"}
    assert _names({"in": f"pool:{talent.pk}"}) == {"Aino", "Liisa"}
    assert _names({"in": f"pool:{talent.pk}", "role": "office"}) == {"Liisa"}
    for bad in ("pool:x", "shelf:1", f"pool:{talent.pk + 100}"):
        assert SearchFilters.from_params({"in": bad}, StaffingSearchContext()).errors


def _placement(person, days: int, status: str = "completed"):
    start = timezone.now() - dt.timedelta(days=days)
    shift = f.ShiftFactory(starts_at=start, ends_at=start + dt.timedelta(hours=4))
    return f.PlacementFactory(candidate=person, shift=shift, status=status)


def test_reliability(pool):  # noqa: F811
    placement = _placement(pool["aino"], 3, "no_show")
    late = _placement(pool["mikko"], 5)
    ReliabilityRecord.objects.create(
        placement=late, candidate=pool["mikko"], kind="late_cancellation"
    )
    assert _names({"reliability": "clean"}) == {"Liisa"}
    assert _names({"reliability": "at_most_one"}) == {"Aino", "Mikko", "Liisa"}
    ReliabilityRecord.objects.create(
        placement=_placement(pool["mikko"], 9),
        candidate=pool["mikko"],
        kind="no_show",
    )
    assert _names({"reliability": "at_most_one"}) == {"Aino", "Liisa"}
    # A no-show the agency withdrew after a contest stops counting, as in matching.
    ReliabilityRecord.objects.create(
        placement=placement, candidate=pool["aino"], kind="no_show", decision="withdrawn"
    )
    assert _names({"reliability": "clean"}) == {"Aino", "Liisa"}


def test_free_for_a_requests_shifts(pool):  # noqa: F811
    request = f.StaffingRequestFactory()
    evening = dt.datetime.combine(MONDAY, dt.time(18), HELSINKI)
    shift = f.ShiftFactory(
        request=request, starts_at=evening, ends_at=evening + dt.timedelta(hours=3)
    )
    # Aino: Monday evenings; Liisa: every day but MONDAY is off; Mikko: mornings only.
    assert _names({"request": str(request.pk)}) == {"Aino"}
    other = f.StaffingRequestFactory()
    f.PlacementFactory(
        candidate=pool["aino"],
        status="confirmed",
        shift=f.ShiftFactory(
            request=other,
            starts_at=evening - dt.timedelta(hours=4),
            ends_at=evening - dt.timedelta(hours=1),
        ),
    )
    assert _names({"request": str(request.pk)}) == set()  # booked too close
    assert shift.pk
    assert SearchFilters.from_params({"request": "999999"}, StaffingSearchContext()).errors


def test_verified_levels_count_and_are_shown(client, pool):  # noqa: F811
    # Mikko said B1 Swedish; a language check verified C1. Aino said C1, checked at B1.
    f.AssessmentFactory(candidate=pool["mikko"], language_checked="sv", language_level_verified=5)
    f.AssessmentFactory(candidate=pool["aino"], language_checked="sv", language_level_verified=3)
    assert _names({"language": "sv", "language_level": "5"}) == {"Mikko"}
    assert _names({"language": "sv", "language_level": "3", "verified": "1"}) == {
        "Aino",
        "Mikko",
    }
    Assessment.objects.filter(candidate=pool["aino"]).exclude(language_checked="").delete()
    assert _names({"language": "sv", "language_level": "5"}) == {"Mikko", "Aino"}
    assert _names({"language": "sv", "language_level": "5", "verified": "1"}) == {"Mikko"}
    client.force_login(f.RecruiterFactory())
    page = client.get(
        reverse("recruiter_candidates"), {"language": "sv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    mikko = html[html.index(f'data-candidate="{pool["mikko"].pk}"') :]
    mikko = mikko[: mikko.index("</tr>")]
    assert "C1 ✓" in mikko
    aino = html[html.index(f'data-candidate="{pool["aino"].pk}"') :]
    aino = aino[: aino.index("</tr>")]
    assert "(self-assessed)" in aino


def test_empty_state_names_the_filter_that_removed_everyone(client, pool):  # noqa: F811
    talent = f.TalentPoolFactory(name="Kamppi regulars")
    TalentPoolMember.objects.create(pool=talent, candidate=pool["mikko"])
    client.force_login(f.RecruiterFactory())
    page = client.get(
        reverse("recruiter_candidates"),
        {"role": "retail", "in": f"pool:{talent.pk}"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'id="empty-state"' in page
    assert "Without “Role type” there would be people" in page
    page = client.get(
        reverse("recruiter_candidates"),
        {"q": "Virtanen", "in": f"pool:{talent.pk}"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Without “Search text” there would be people" in page or (
        "Without “Kamppi regulars” there would be people" in page
    )
    page = client.get(
        reverse("recruiter_candidates"),
        {"reliability": "clean", "in": f"pool:{talent.pk}"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'id="empty-state"' not in page  # Mikko is clean and in the pool


def test_the_bench_filter_offers_each_bench_once(pool):  # noqa: F811
    from staffing.services.candidate_search import search_choices

    profile = f.ServiceProfileFactory()
    bench = Bench.objects.create(profile=profile, rules_version="x", refreshed_at=timezone.now())
    for rank, name in enumerate(("mikko", "aino", "liisa"), start=1):
        BenchEntry.objects.create(bench=bench, candidate=pool[name], rank=rank, score=1 / rank)
    assert [value for value, _label in search_choices()["benches"]] == [f"bench:{profile.pk}"]
