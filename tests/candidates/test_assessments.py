"""Structured assessments: the recruiter's form, the anchored scales, and a language check whose
verified level replaces the self-assessed one in matching."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.languages import CEFRLevel
from candidates.models import Assessment, CandidateLanguage
from candidates.services.assessments import assessment_record, verified_levels
from staffing.explanations import explanation_lines
from staffing.matching.engine import rank
from staffing.matching.pool import Pool
from staffing.models import AuditEvent
from staffing.services.pool import features_load
from tests import factories as f
from tests.staffing.matching.plain_data import person, request

pytestmark = pytest.mark.django_db

SCORES = {"service_attitude": 5, "communication": 4, "sales": 3, "calming": 4}


def _language_check(candidate, by, language: str, level: int, **extra) -> Assessment:
    data = {"kind": Assessment.Kind.LANGUAGE_CHECK, "language_checked": language}
    return assessment_record(
        candidate=candidate,
        by=by,
        assessed_on=timezone.localdate(),
        data={**SCORES, **data, "language_level_verified": level, **extra},
    )


def _engine_view(candidate):
    """The person's languages as the engine sees them, loaded from the database."""
    pool = Pool()
    pool.upsert(features_load(ids=[candidate.pk]))
    return pool.features(0)


def test_recording_tells_the_pool_and_the_benches_and_is_audited(
    queued_tasks, django_capture_on_commit_callbacks
):
    candidate = f.CandidateFactory()
    before = candidate.updated_at
    recruiter = f.RecruiterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assessment = _language_check(candidate, recruiter, "sv", CEFRLevel.C1)
    candidate.refresh_from_db()
    assert candidate.updated_at > before
    assert assessment.assessed_by == recruiter and assessment.kind == "language_check"
    assert AuditEvent.objects.filter(action="assessment.recorded", actor=recruiter).exists()
    assert queued_tasks == [("staffing.tasks.refresh_benches_for_candidate", (candidate.pk,))]


def test_a_verified_level_replaces_the_self_assessed_one_up_or_down(queued_tasks):
    candidate = f.CandidateFactory()
    CandidateLanguage.objects.create(candidate=candidate, language="sv", level=CEFRLevel.B1)
    CandidateLanguage.objects.create(candidate=candidate, language="en", level=CEFRLevel.C2)
    recruiter = f.RecruiterFactory()
    assert _engine_view(candidate).languages["sv"] == CEFRLevel.B1
    assert _engine_view(candidate).verified_languages == ()

    _language_check(candidate, recruiter, "sv", CEFRLevel.C1)
    _language_check(candidate, recruiter, "en", CEFRLevel.B2)
    seen = _engine_view(candidate)
    assert seen.languages["sv"] == CEFRLevel.C1 and seen.languages["en"] == CEFRLevel.B2
    assert set(seen.verified_languages) == {"sv", "en"}
    assert verified_levels(candidate=candidate) == {"sv": CEFRLevel.C1, "en": CEFRLevel.B2}

    # The latest check of a language counts.
    later = _language_check(candidate, recruiter, "sv", CEFRLevel.B2)
    later.assessed_at = timezone.now() + dt.timedelta(minutes=1)
    later.save()
    assert _engine_view(candidate).languages["sv"] == CEFRLevel.B2


def test_a_verified_level_changes_the_ranking_and_the_explanation_says_so(queued_tasks):
    candidate = f.CandidateFactory()
    CandidateLanguage.objects.create(candidate=candidate, language="sv", level=CEFRLevel.B1)
    spec = request(languages=(("sv", CEFRLevel.C1),))

    def entry():
        seen = _engine_view(candidate)
        features = person(languages=seen.languages, verified_languages=seen.verified_languages)
        result = rank(Pool.from_features([features]), spec)
        return result.ranked, result.near_misses

    ranked, _near = entry()
    assert ranked == []
    _language_check(candidate, f.RecruiterFactory(), "sv", CEFRLevel.C1)
    ranked, _near = entry()
    assert [e.candidate_id for e in ranked] == [1]
    lines = explanation_lines(ranked[0].explanation)
    assert any("1 of 1 at the level verified in a language check" in line for line in lines)

    # Verified one level short: a near miss, and the reason names the verified level.
    _language_check(candidate, f.RecruiterFactory(), "sv", CEFRLevel.B2)
    last = Assessment.objects.order_by("-id").first()
    last.assessed_at = timezone.now() + dt.timedelta(minutes=5)
    last.save()
    ranked, near = entry()
    assert ranked == []
    assert any(
        "as verified in a language check" in line
        for e in near
        for line in explanation_lines(e.explanation)
    )


@pytest.fixture
def recruiter_client(client):
    client.force_login(f.RecruiterFactory())
    return client


def test_the_recruiter_records_an_assessment_in_the_form(
    recruiter_client, queued_tasks, django_capture_on_commit_callbacks
):
    candidate = f.CandidateFactory()
    detail = reverse("recruiter_candidate_detail", args=[candidate.pk])
    page = recruiter_client.get(detail).content.decode()
    assert "Record an assessment" in page
    assert "Lets the customer be heard, owns the problem and turns them around." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_role_play(recruiter_client, candidate)
    assert response.status_code == 302
    assessment = Assessment.objects.get(candidate=candidate)
    assert assessment.kind == "role_play" and assessment.calming == 5
    assert assessment.problem_solving is None and assessment.evenings_weekends_confirmed
    page = recruiter_client.get(detail).content.decode()
    assert "Role play with an upset customer" in page
    assert "Calming an upset customer: 5/5" in page and "5/4/3" not in page
    assert ("staffing.tasks.refresh_benches_for_candidate", (candidate.pk,)) in queued_tasks


def _post_role_play(client, candidate):
    return client.post(
        reverse("recruiter_assessment_add", args=[candidate.pk]),
        {
            "kind": "role_play",
            "assessed_on": timezone.localdate().isoformat(),
            "service_attitude": "5",
            "communication": "4",
            "sales": "3",
            "calming": "5",
            "evenings_weekends_confirmed": "on",
            "summary": "Calm and warm with an upset customer.",
        },
    )


def test_a_language_check_without_a_level_is_refused(recruiter_client):
    candidate = f.CandidateFactory()
    response = recruiter_client.post(
        reverse("recruiter_assessment_add", args=[candidate.pk]),
        {
            "kind": "language_check",
            "assessed_on": timezone.localdate().isoformat(),
            "service_attitude": "3",
            "communication": "3",
            "sales": "3",
            "language_checked": "sv",
        },
    )
    assert response.status_code == 200
    assert "A language check needs the language and the level." in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_bad_score_is_a_form_error_not_a_500(recruiter_client):
    candidate = f.CandidateFactory()
    response = recruiter_client.post(
        reverse("recruiter_assessment_add", args=[candidate.pk]),
        {"kind": "nope", "assessed_on": "yesterday", "service_attitude": "9"},
    )
    assert response.status_code == 200
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["client", "candidate"])
def test_other_roles_are_refused(client, role):
    """The project answers the wrong role 403 (staffing.base.access.role_required)."""
    candidate = f.CandidateFactory()
    user = f.ClientManagerFactory() if role == "client" else f.CandidateUserFactory()
    client.force_login(user)
    url = reverse("recruiter_assessment_add", args=[candidate.pk])
    assert client.post(url, {"kind": "interview"}).status_code == 403
    assert not Assessment.objects.exists()


def test_the_candidate_sees_their_verified_levels(client, queued_tasks):
    user = f.CandidateUserFactory()
    CandidateLanguage.objects.create(candidate=user.candidate, language="sv", level=CEFRLevel.B1)
    client.force_login(user)
    page = client.get(reverse("candidate_languages")).content.decode()
    assert 'id="verified-languages"' not in page
    _language_check(user.candidate, f.RecruiterFactory(), "sv", CEFRLevel.C1)
    page = client.get(reverse("candidate_languages")).content.decode()
    assert 'data-verified="sv"' in page and "C1" in page


def test_the_candidate_page_has_every_section(recruiter_client, queued_tasks):
    candidate = f.CandidateFactory()
    _language_check(candidate, f.RecruiterFactory(), "sv", CEFRLevel.C1)
    placement = f.PlacementFactory(candidate=candidate)
    page = recruiter_client.get(
        reverse("recruiter_candidate_detail", args=[candidate.pk])
    ).content.decode()
    for section in ("availability", "placements", "offers", "viewed", "timeline"):
        assert f'id="{section}"' in page
    assert f'data-placement="{placement.pk}"' in page
    assert 'data-event="assessment.recorded"' in page
    assert "verified" in page and 'data-language="sv"' in page


def test_a_recruiter_edits_the_profile_on_the_persons_behalf(client, queued_tasks):
    candidate = f.CandidateFactory(max_travel_km=10)
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    url = reverse("recruiter_profile_edit", args=[candidate.pk])
    assert client.get(url).status_code == 200
    data = {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "phone": candidate.phone,
        "postal_code": "00100",
        "max_travel_km": "30",
        "works_retail": "on",
        "introduction": "",
    }
    assert client.post(url, data).status_code == 302
    candidate.refresh_from_db()
    assert candidate.max_travel_km == 30
    event = AuditEvent.objects.get(action="candidate.profile_updated", candidate=candidate)
    assert event.actor == recruiter and "max_travel_km" in event.data["fields"]
    client.force_login(f.ClientManagerFactory())
    assert client.get(url).status_code == 403


def test_a_language_check_may_rate_only_the_language_and_keeps_the_interviews_ratings(
    recruiter_client, queued_tasks
):
    """A check of Swedish alone saves without made-up ratings, and the engine keeps reading the
    interview's; an interview without its three ratings is refused."""
    candidate = f.CandidateFactory()
    recruiter = f.RecruiterFactory()
    assessment_record(
        candidate=candidate,
        by=recruiter,
        assessed_on=timezone.localdate() - dt.timedelta(days=3),
        data={"kind": "interview", "service_attitude": 5, "communication": 5, "sales": 4},
    )
    url = reverse("recruiter_assessment_add", args=[candidate.pk])
    day = timezone.localdate().isoformat()
    response = recruiter_client.post(
        url,
        {
            "kind": "language_check",
            "assessed_on": day,
            "language_checked": "sv",
            "language_level_verified": str(CEFRLevel.C1),
        },
    )
    assert response.status_code == 302
    check = Assessment.objects.get(candidate=candidate, kind="language_check")
    assert check.service_attitude is None and check.average is None
    seen = _engine_view(candidate)
    assert seen.assessment == (5, 5, 4)
    half = recruiter_client.post(
        url, {"kind": "interview", "assessed_on": day, "service_attitude": "4"}
    )
    assert half.status_code == 200 and "This field is required." in half.content.decode()
    assert Assessment.objects.filter(candidate=candidate).count() == 2
