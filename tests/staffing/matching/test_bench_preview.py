"""The weights editor's preview: what new weights would do to a profile's bench (who enters,
who leaves, how ranks move), with the bench's own engine; and each saved set of weights as a
new rules version, under which older shortlists still replay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clients.models import ProfileRulesVersion
from staffing.matching.replay import shortlist_replay
from staffing.matching.rules import DEFAULT_WEIGHTS, RULES_VERSION
from staffing.models import AuditEvent
from staffing.services.bench import bench_refresh, bench_weights_preview
from staffing.services.clients.profiles import profile_weights_save
from staffing.services.matching import shortlist_build
from tests import factories as f

pytestmark = pytest.mark.django_db

KM_PER_DEGREE = 6371.0 * 3.141592653589793 / 180  # of latitude, on the engine's earth
ONLY = dict.fromkeys(DEFAULT_WEIGHTS, 0.0)


@pytest.fixture
def profile():
    """A profile that, as saved, ranks by assessment only."""
    site = f.SiteFactory(latitude=60.0, longitude=25.0)
    profile = f.ServiceProfileFactory(site=site, focus="service", weights=ONLY | {"assessment": 20})
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    f.TypicalShiftFactory(profile=profile, weekday=tomorrow.weekday())
    return profile


def person(km: float, assessed: int | None, **kwargs):
    """Someone `km` north of the site, assessed `assessed` for service attitude and
    communication (None: never assessed)."""
    candidate = f.CandidateFactory(
        latitude=60.0 + km / KM_PER_DEGREE, longitude=25.0, max_travel_km=50, **kwargs
    )
    if assessed is not None:
        f.AssessmentFactory(candidate=candidate, service_attitude=assessed, communication=assessed)
    return candidate


@pytest.fixture
def pool(profile):
    """Worked by hand. As saved (assessment 20 points, focus service: value = (mean - 1) / 4):
    A 20, D 15, B 10, C 0. Proposed (distance 12 points, value = 1 - km / 30): B 12, C 9.6,
    A 6, D 2.4. On a bench of 3: before A, D, B; after B, C, A."""
    return {
        "A": person(15, 5),
        "B": person(0, 3),
        "C": person(6, None),
        "D": person(24, 4),
        "far": person(60, 5),  # beyond their 50 km: never ready, whatever the weights
        "busy": person(1, 5, availability=0),  # never free: never ready either
    }


def test_preview_against_the_hand_worked_example(profile, pool):
    preview = bench_weights_preview(profile=profile, weights=ONLY | {"distance": 12}, size=3)

    name = {c.pk: key for key, c in pool.items()}
    assert preview.ready_count == 4
    assert [(name[m.candidate_id], m.rank_after, m.score_after) for m in preview.entered] == [
        ("C", 2, pytest.approx(9.6, abs=0.01))
    ]
    assert [(name[m.candidate_id], m.rank_before, m.score_before) for m in preview.left] == [
        ("D", 2, pytest.approx(15.0))
    ]
    assert [(name[m.candidate_id], m.rank_before, m.rank_after) for m in preview.moved] == [
        ("B", 3, 1),
        ("A", 1, 3),
    ]
    assert preview.unchanged == 0
    moved = {name[m.candidate_id]: m for m in preview.moved}
    assert moved["B"].score_before == pytest.approx(10.0)
    assert moved["B"].score_after == pytest.approx(12.0)
    assert moved["A"].score_after == pytest.approx(6.0, abs=0.01)


def test_preview_of_the_saved_weights_changes_nothing(profile, pool):
    preview = bench_weights_preview(profile=profile, weights=profile.weights, size=3)
    assert not preview.changes
    assert preview.unchanged == 3


def test_preview_matches_the_bench_the_new_weights_then_build(profile, pool):
    new = ONLY | {"distance": 12}
    preview = bench_weights_preview(profile=profile, weights=new)
    profile_weights_save(profile=profile, weights=new, by=f.RecruiterFactory())
    bench = bench_refresh(profile_id=profile.pk)
    after = {m.candidate_id: m.rank_after for m in (*preview.entered, *preview.moved)}
    kept = {e.candidate_id: e.rank for e in bench.entries.all()}
    assert {k: v for k, v in kept.items() if k in after} == after
    assert len(kept) == preview.ready_count  # a bench of 50 holds all four


def test_the_preview_page_shows_who_enters_and_leaves(client, profile, pool):
    client.force_login(f.RecruiterFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    params = {code: "0" for code in DEFAULT_WEIGHTS} | {"distance": "12"}
    response = client.get(reverse("agency_profile_weights_preview", args=[profile.pk]), params)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ready_count == 4
    page = response.content.decode()
    # A bench of 50 holds all four: nobody enters or leaves, and ranks move.
    assert "4 people are ready" in page
    assert f"{pool['B'].first_name}: rank 3 → 1" in page
    bad = client.get(
        reverse("agency_profile_weights_preview", args=[profile.pk]), params | {"distance": "-1"}
    )
    assert bad.context["preview"] is None
    assert "between 0 and 40" in bad.content.decode()
    assert not ProfileRulesVersion.objects.exists()


def test_saving_weights_makes_a_new_rules_version_each_time(client, profile):
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    url = reverse("agency_profile_weights", args=[profile.pk])
    params = {code: str(w) for code, w in (ONLY | {"assessment": 20}).items()}
    client.post(url, params)  # unchanged: nothing saved
    assert not ProfileRulesVersion.objects.exists()
    client.post(url, params | {"distance": "12"})
    client.post(url, params | {"distance": "15.5"})
    profile.refresh_from_db()
    assert profile.weights_version == 2
    assert profile.weights["distance"] == 15.5
    assert "fair_spread" in profile.weights  # stored where it differs from the default
    versions = list(profile.rules_versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].weights["distance"] == 12 and versions[0].created_by == recruiter
    event = AuditEvent.objects.filter(action="profile.weights_changed").latest("pk")
    assert event.data["changes"] == {"distance": [12.0, 15.5]}
    bad = client.post(url, params | {"distance": "50"})
    assert bad.status_code == 200
    assert profile.rules_versions.count() == 2


def test_older_shortlists_replay_after_the_weights_change(profile, pool):
    def ordered_request():
        req = f.StaffingRequestFactory(service_profile=profile)
        f.ShiftFactory(request=req)
        return shortlist_build(request_id=req.pk)

    before = ordered_request()
    assert before.rules_version == RULES_VERSION
    profile_weights_save(profile=profile, weights=ONLY | {"distance": 12}, by=None)
    after = ordered_request()
    assert after.rules_version == f"{RULES_VERSION}/p{profile.pk}w1"
    assert bench_refresh(profile_id=profile.pk).rules_version == after.rules_version

    for shortlist in (before, after):
        replayed = shortlist_replay(rules_version=shortlist.rules_version, inputs=shortlist.inputs)
        stored = [(e.candidate_id, e.score) for e in shortlist.ranked]
        assert [(e.candidate_id, e.score) for e in replayed.ranked] == stored
    first = {e.candidate_id for e in before.ranked[:1]}
    assert first == {pool["A"].pk}  # ranked by assessment then
    assert after.ranked.first().candidate_id == pool["B"].pk  # by distance now


def test_a_profile_without_typical_shifts_has_nobody_to_move():
    profile = f.ServiceProfileFactory()
    f.CandidateFactory()
    preview = bench_weights_preview(profile=profile, weights={"distance": 30})
    assert preview.ready_count == 0 and not preview.changes
