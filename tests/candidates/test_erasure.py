"""Erase my account: afterwards the person's unique values are nowhere: not in any text column of
any table, not in the media or private folders, not in Redis; their sessions are gone."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from candidates.models import Candidate
from staffing.models import Placement, User
from tests import factories as f
from tests.candidates.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "erkki.erase-me@example.fi"
PHONE = "+358409876123"
LAST_NAME = "Poistettavainen"


def _database_hits(needle: str) -> list[str]:
    """Every table.column (text, varchar or json) that contains `needle`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'public'
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb')"""
        )
        columns = cursor.fetchall()
        hits = []
        for table, column in columns:
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                [f"%{needle}%"],
            )
            if cursor.fetchone():
                hits.append(f"{table}.{column}")
    return hits


def _file_hits(needle: bytes) -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_STORAGE_ROOT)]
    return [
        path
        for root in roots
        if root.exists()
        for path in root.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


def _redis_hits(needle: bytes) -> list[bytes]:
    client = redis.Redis.from_url(settings.REDIS_URL)
    hits = []
    for key in client.scan_iter(count=500):
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key) or b""]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"hash":
            values = list(client.hgetall(key).values())
        elif kind in (b"set", b"zset"):
            values = list(client.smembers(key)) if kind == b"set" else client.zrange(key, 0, -1)
        else:
            values = []
        if needle in key or any(needle in v for v in values):
            hits.append(key)
    return hits


@pytest.fixture
def person(client):
    user = f.CandidateUserFactory(email=EMAIL)
    candidate = user.candidate
    Candidate.objects.filter(pk=candidate.pk).update(phone=PHONE, last_name=LAST_NAME)
    candidate.refresh_from_db()
    f.CandidateLanguageFactory(candidate=candidate)
    f.AssessmentFactory(candidate=candidate, summary=f"{LAST_NAME} was great", notes=PHONE)
    f.CandidateMarkFactory(candidate=candidate, reason=f"call {PHONE}")
    f.ShortlistEntryFactory(candidate=candidate)
    f.PlacementFactory(candidate=candidate)
    client.force_login(user)
    client.post(
        reverse("candidate_cv"),
        {"file": SimpleUploadedFile("cv.pdf", PDF_BYTES + f"{EMAIL} {PHONE}".encode())},
    )
    client.post(
        reverse("candidate_profile"),
        {
            "first_name": "Erkki",
            "last_name": LAST_NAME,
            "phone": PHONE,
            "postal_code": "00100",
            "max_travel_km": 10,
            "works_retail": "on",
            "introduction": f"I am {LAST_NAME}",
        },
    )
    client.force_login(f.RecruiterFactory())
    client.get(reverse("recruiter_candidate_detail", args=[candidate.pk]))
    client.force_login(user)
    return user


def test_erasure_leaves_no_trace_of_the_person(client, person):
    # The search itself finds the values before erasure (so it can find them after).
    assert _database_hits(EMAIL) and _database_hits(PHONE) and _database_hits(LAST_NAME)
    assert _file_hits(PHONE.encode())
    assert Session.objects.count() >= 1

    response = client.post(reverse("candidate_erase"), {"confirm": EMAIL.upper()})
    assert response.status_code == 200

    for value in (EMAIL, PHONE, LAST_NAME):
        assert _database_hits(value) == [], value
        assert _file_hits(value.encode()) == [], value
        assert _redis_hits(value.encode()) == [], value
    assert not User.objects.filter(email=EMAIL).exists()
    assert not Session.objects.exists()  # logged out everywhere
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.ERASED and not candidate.matching_consent
    assert Placement.objects.filter(candidate=candidate).count() == 1  # kept, as the law requires
    assert client.get(reverse("candidate_home")).status_code == 302  # logged out


def test_erase_needs_the_email_typed_and_post(client, person):
    assert client.get(reverse("candidate_erase")).status_code == 405
    response = client.post(reverse("candidate_erase"), {"confirm": "someone@else.fi"})
    assert response.status_code == 200
    assert Candidate.objects.get().status == Candidate.Status.ACTIVE
