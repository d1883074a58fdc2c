"""The demo seed: complete, idempotent, and the pool generator writes plausible people."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from candidates.availability import FULL_WEEK
from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    Consent,
    DateOff,
    Skill,
)
from clients.models import (
    ClientCompany,
    ClientMembership,
    ProfileLanguage,
    ServiceProfile,
    Site,
    TypicalShift,
)
from staffing.demo.candidates import EMAIL_DOMAIN, generate_candidates
from staffing.demo.seed import _at
from staffing.matching.geometry import great_circle_km as distance_km
from staffing.models import Placement, Shift, Shortlist, StaffingRequest, TalentPool, User
from staffing.services.matching import shortlist_build
from staffing.services.pool import pool_reset
from staffing.services.requests import LanguageNeed, staffing_request_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_pool():
    """The matching pool lives in the process; rows of earlier (rolled back) tests must go."""
    pool_reset()
    yield
    pool_reset()


CANDIDATE_LOGINS = ["ehdokas@demo.fi", *(f"ehdokas{n}@demo.fi" for n in range(2, 7))]

SEEDED_MODELS = [
    TalentPool,
    User,
    ClientCompany,
    ClientMembership,
    Site,
    ServiceProfile,
    ProfileLanguage,
    TypicalShift,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
    Consent,
    Assessment,
    StaffingRequest,
    Shift,
    Shortlist,
    Placement,
    Skill,
]


@pytest.fixture(autouse=True)
def bench_rebuilds(monkeypatch) -> list[tuple]:
    """The seed asks the worker for benches; record the request instead of queueing it."""
    from staffing.celery import app

    queued: list[tuple] = []

    def send_task(name, args=(), **kwargs):
        assert name == "staffing.tasks.refresh_all_benches"
        queued.append(tuple(args))

    monkeypatch.setattr(app, "send_task", send_task)
    return queued


def test_seeding_queues_every_bench(bench_rebuilds):
    _seed()
    assert bench_rebuilds == [()]


def test_seeding_leaves_fresh_planner_statistics(bench_rebuilds):
    """Without ANALYZE after loading, the entry queries were planned as full scans."""
    from django.db import connection

    _seed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'candidates_candidate'")
        (estimated,) = cursor.fetchone()
    assert estimated >= 50  # -1 until the table has been analysed


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def _seed(candidates: int = 50) -> str:
    out = StringIO()
    call_command("seed_demo", "--candidates", str(candidates), stdout=out)
    return out.getvalue()


def test_skill_taxonomy_is_trilingual():
    skills = Skill.objects.all()
    assert skills.count() >= 12
    assert {"till-work", "phone-service", "complaint-handling"} <= {s.code for s in skills}
    assert all(s.name_fi and s.name_en and s.name_sv for s in skills)


def test_seed_twice_changes_nothing():
    output = _seed()
    first = _counts()
    assert "ehdokas@demo.fi" in output
    _seed()
    assert _counts() == first
    assert first["Candidate"] == 57  # the pool and seven candidate logins
    assert first["TalentPool"] == 1  # Kamppi regulars, for recruiters to fill


def test_larger_pool_is_topped_up_not_duplicated():
    _seed(20)
    _seed(50)
    assert Candidate.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count() == 50


def test_demo_logins_work_with_their_roles():
    _seed()
    roles = {
        "rekry@demo.fi": User.Role.RECRUITER,
        "esimies@demo.fi": User.Role.CLIENT_MANAGER,
        "asiakaspalvelu@demo.fi": User.Role.CLIENT_MANAGER,
        "admin@demo.fi": User.Role.ADMIN,
        **{email: User.Role.CANDIDATE for email in CANDIDATE_LOGINS},
    }
    for email, role in roles.items():
        user = authenticate(username=email, password="demo-staff-now")
        assert user is not None and user.role == role, email
    admin = User.objects.get(email="admin@demo.fi")
    assert admin.is_staff and admin.is_superuser
    retail = User.objects.get(email="esimies@demo.fi").client_membership.company
    contact = User.objects.get(email="asiakaspalvelu@demo.fi").client_membership.company
    assert retail != contact
    assert retail.sites.filter(city="Helsinki").exists()


def test_swedish_speakers_log_in_to_a_swedish_client():
    """A client manager and a candidate who read the product (and its emails) in Swedish; the
    client's shops in Vasa and Borgå, its profile and a request note in Swedish."""
    _seed()
    manager = authenticate(username="butik@demo.fi", password="demo-staff-now")
    candidate = authenticate(username="kandidat@demo.fi", password="demo-staff-now")
    assert manager.role == User.Role.CLIENT_MANAGER and manager.language == "sv"
    assert candidate.role == User.Role.CANDIDATE and candidate.language == "sv"
    company = manager.client_membership.company
    assert set(company.sites.values_list("city", flat=True)) == {"Vaasa", "Porvoo"}
    profile = company.service_profiles.first()
    assert profile.name.endswith("Butik: kassa och kundservice")
    assert "kassaservice" in profile.description and profile.instructions.startswith("Anmäl")
    assert profile.languages.filter(language="sv", level=5).exists()
    assert company.requests.filter(notes__startswith="Kvällspass i kassan, en kollega").exists()
    person = candidate.candidate
    assert person.languages.filter(language="sv", level=6).exists()
    assert person.postal_code == "65100" and person.matching_consent
    assert User.objects.get(email="esimies@demo.fi").language == "fi"


def test_sites_cover_the_big_cities_with_real_coordinates():
    _seed()
    cities = set(Site.objects.values_list("city", flat=True))
    assert {"Helsinki", "Espoo", "Vantaa", "Tampere", "Turku", "Oulu"} <= cities
    for site in Site.objects.all():
        assert 59.5 < site.latitude < 70.2 and 19 < site.longitude < 31.7
    profiles = ServiceProfile.objects.annotate(
        langs=Count("languages", distinct=True), shifts=Count("typical_shifts", distinct=True)
    )
    assert {p.role_type for p in profiles} == {"retail", "office"}
    assert all(p.langs and p.shifts for p in profiles)


def test_demo_candidate_has_a_complete_profile():
    _seed()
    candidate = Candidate.objects.get(user__email="ehdokas@demo.fi")
    levels = dict(candidate.languages.values_list("language", "level"))
    assert levels == {"fi": 6, "sv": 4, "en": 5}
    assert candidate.matching_consent and candidate.assessments.exists()
    assert candidate.skills.exists()
    assert {(d, 2) for d in range(7)} <= candidate.availability_cells
    assert {(d, p) for d in (5, 6) for p in range(3)} <= candidate.availability_cells
    assert candidate.postal_code.startswith("00")


def test_every_candidate_login_is_complete_consenting_and_free_on_evenings():
    output = _seed()
    assert "ehdokas2@demo.fi … ehdokas6@demo.fi" in output
    for candidate in Candidate.objects.filter(user__email__in=CANDIDATE_LOGINS):
        assert candidate.matching_consent and candidate.assessments.exists(), candidate.email
        assert candidate.languages.filter(language="fi", level__gte=5).exists()
        assert candidate.skills.exists() and candidate.postal_code.startswith("00")
        assert {(d, p) for d in range(7) for p in (1, 2)} <= candidate.availability_cells
        purposes = set(
            Consent.objects.filter(candidate=candidate, withdrawn_at__isnull=True).values_list(
                "purpose", flat=True
            )
        )
        assert {"matching", "presentation"} <= purposes


def test_a_two_person_evening_order_in_helsinki_offers_to_candidate_logins_first():
    """The journey of issue 4 on demo data: the first wave (twice the headcount) reaches people
    who can log in and answer."""
    _seed()
    manager = User.objects.get(email="esimies@demo.fi")
    site = manager.client_membership.company.sites.get(name="Kotimarket Kamppi")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    request = staffing_request_submit(
        by=manager,
        site=site,
        service_profile=site.service_profiles.first(),
        urgency="urgent",
        headcount=2,
        shifts=[(_at(tomorrow, 17), _at(tomorrow, 21))],
        notes="",
        languages=[LanguageNeed("fi", 4)],
    )
    shortlist = shortlist_build(request_id=request.pk)
    first_wave = list(shortlist.ranked.values_list("candidate__email", flat=True)[:4])
    assert set(first_wave) <= set(CANDIDATE_LOGINS), first_wave


def test_requests_exist_in_several_states():
    _seed()
    states = set(StaffingRequest.objects.values_list("status", flat=True))
    assert {"received", "shortlisted", "filled", "cancelled"} <= states


def test_generated_pool_is_plausible():
    written = generate_candidates(count=400, seed=7, batch_size=150)
    assert written == 400
    pool = Candidate.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    assert pool.count() == 400
    now = timezone.now()
    helsinki = 0
    for c in pool:
        assert c.updated_at is not None and c.updated_at <= now
        assert 0 <= c.availability <= FULL_WEEK
        assert now - c.availability_confirmed_at <= dt.timedelta(days=61)
        assert c.latitude is not None and c.postal_code
        helsinki += distance_km(c.latitude, c.longitude, 60.17, 24.94) < 25
    assert helsinki > 400 * 0.4  # most live in the capital region
    assert 0.85 < pool.filter(matching_consent=True).count() / 400 <= 1.0
    assert 0.45 < Assessment.objects.filter(candidate__in=pool).count() / 400 < 0.75
    finnish = CandidateLanguage.objects.filter(candidate__in=pool, language="fi")
    assert finnish.filter(level__gte=5).count() / 400 > 0.6
    assert CandidateSkill.objects.filter(candidate__in=pool).count() > 400


def test_generation_is_reproducible_by_seed():
    generate_candidates(count=30, seed=3)
    generate_candidates(count=30, seed=3)
    rows = list(Candidate.objects.order_by("id").values_list("last_name", "availability"))
    assert rows[:30] == rows[30:]


def test_generation_leaves_foreign_key_checks_on_for_the_caller():
    """The generator may skip FK triggers for its own rows, never for the caller's transaction."""
    from django.db import connection

    generate_candidates(count=5)
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_history_spans_ninety_days_with_every_outcome():
    from staffing.models import Offer, ReliabilityRecord, ServiceRating

    _seed()
    now = timezone.now()
    past = StaffingRequest.objects.filter(created_at__lt=now - dt.timedelta(days=1))
    oldest = past.order_by("created_at").first().created_at
    assert dt.timedelta(days=85) < now - oldest < dt.timedelta(days=100)
    weeks = {(now - r.created_at).days // 7 for r in past.only("created_at")}
    assert set(range(12)) <= weeks
    assert past.filter(status="filled").count() > past.exclude(status="filled").count() > 0
    assert all(r.filled_at > r.created_at for r in past.filter(status="filled"))
    assert Placement.objects.filter(status="no_show").exists()
    # The work of past shifts was done (or not): none is still merely confirmed.
    assert not Placement.objects.filter(status="confirmed", shift__ends_at__lt=now).exists()
    assert ReliabilityRecord.objects.filter(kind="late_cancellation").exists()
    assert ServiceRating.objects.exists() and Offer.objects.filter(status="declined").exists()
    # Swedish is asked for on Kamppi's Fridays and Saturdays.
    kamppi_sv = past.filter(site__name="Kotimarket Kamppi", languages__language="sv")
    assert kamppi_sv.count() >= 5
    assert User.objects.filter(role=User.Role.RECRUITER).count() == 2
