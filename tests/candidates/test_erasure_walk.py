"""Erasure leaves nothing, whatever column a person's values reached: the test walks every
model, plants the person's unique surname, email and phone in every text and JSON column of
every row (so a column added later is planted without anyone remembering it), erases the
person, and then finds their values in no table, no file and no Redis key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateActivity,
    CandidateImport,
    CandidateNote,
    CandidateTask,
    Consent,
    Invitation,
    SavedSearch,
    SavedSearchMatch,
    StatementRequest,
    WorkExperience,
)
from staffing.models import (
    Bench,
    BenchEntry,
    Offer,
    OutboundEmail,
    PresentedDecline,
    ReliabilityRecord,
    ServiceRating,
    ShiftCancellation,
    ShortlistEdit,
    SweepMark,
    TalentPool,
    TalentPoolMember,
)
from staffing.services.personal_data.erasure import candidate_erase
from tests import factories as f
from tests.candidates.conftest import PDF_BYTES
from tests.candidates.test_erasure import _database_hits, _file_hits, _redis_hits

pytestmark = pytest.mark.django_db(transaction=True)

LAST_NAME = "Jäljetönkaisla"
EMAIL = "kaisla.no-trace@example.fi"
PHONE = "+358405550199"
# Others' rows mention the person by full name (a bare surname may be a place: it is scrubbed
# only in rows about the person, tests/candidates/test_erasure_scope.py).
FULL_NAME = f"Kaisla {LAST_NAME}"
PLANTS = (f"{FULL_NAME} {EMAIL} {PHONE}", EMAIL, FULL_NAME, PHONE)

# Columns that cannot hold this person's values, each for a reason. Everything else is planted.
OTHERS_IDENTITY = {  # another person's own name or contact details are theirs, not a mention
    ("candidates.candidate", "first_name"),
    ("candidates.candidate", "last_name"),
    ("candidates.candidate", "email"),
    ("candidates.candidate", "phone"),
    ("candidates.candidate", "postal_code"),
    ("staffing.user", "first_name"),
    ("staffing.user", "last_name"),
    ("staffing.user", "email"),
    ("account.emailaddress", "email"),
    ("candidates.invitation", "email"),
    ("clients.clientmembership", "phone"),
    # A client manager's invitation: their own address and name.
    ("clients.clientinvitation", "email"),
    ("clients.clientinvitation", "first_name"),
    ("clients.clientinvitation", "last_name"),
}
GENERATED = {  # written by code from ids, random tokens, content sniffing or the engine
    ("staffing.user", "password"),
    ("staffing.outboundemail", "key"),
    ("candidates.candidatecv", "stored_name"),
    ("candidates.candidatecv", "content_type"),
    ("staffing.shortlistentry", "explanation"),
    ("staffing.benchentry", "explanation"),
    ("staffing.shortlist", "inputs"),
    ("staffing.shortlist", "rules_version"),
    ("staffing.bench", "coverage"),
    ("staffing.bench", "rules_version"),
    ("clients.serviceprofile", "weights"),
    ("clients.profilerulesversion", "weights"),
    ("candidates.consent", "version"),
    ("staffing.auditevent", "action"),
    ("staffing.auditevent", "target_type"),
    ("admin.logentry", "object_id"),
    ("staffing.outboundemail", "language"),
    ("staffing.user", "language"),
    ("staffing.workerheartbeat", "hostname"),
    ("staffing.taskfailure", "task_name"),
    ("staffing.taskfailure", "task_id"),
    ("staffing.taskfailure", "exception_type"),
}
REFERENCE_DATA = {  # models no person's values can reach
    "auth.permission",
    "auth.group",
    "contenttypes.contenttype",
    "sessions.session",  # signed blobs; the person's own are deleted (checked below)
    "account.emailconfirmation",
    "api.apikey",  # a client company's key: its name and a hash, never a person's data
    "api.idempotencykey",  # a client system's key for a POST and a hash of its body
    "api.webhookendpoint",  # a client system's URL and signing secret
    "api.webhookevent",  # ids and statuses only (staffing.base.events), never a name
    "api.webhookdelivery",  # an event on its way to an endpoint: ids, status, times
    "api.webhookattempt",  # a client system's answer to an event that named no one
    "candidates.skill",
    "clients.clientcompany",
    "clients.site",
    "staffing.sweepmark",  # a sweep's name and how far it has read
    "staffing.workerheartbeat",  # a worker's host name and process id
}
REFERENCE_APPS = {"django_celery_beat"}


def _text_columns() -> list[tuple[type[models.Model], models.Field]]:
    kinds = (models.CharField, models.TextField, models.JSONField)
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.label_lower not in REFERENCE_DATA
        and model._meta.app_label not in REFERENCE_APPS
        for field in model._meta.concrete_fields
        if isinstance(field, kinds)
        and not field.choices
        and (model._meta.label_lower, field.name) not in OTHERS_IDENTITY | GENERATED
    ]


def _plant(model: type[models.Model], field: models.Field) -> int:
    """Write the person's values into this column of every row; returns the rows planted."""
    limit = getattr(field, "max_length", None) or 10_000
    fitting = [value for value in PLANTS if len(value) + 8 <= limit]
    if not fitting:
        return -1  # too short to hold a name, an email or a phone number
    planted = 0
    for pk in model._default_manager.values_list("pk", flat=True):
        text = f"{fitting[0]} #{pk}"
        value = {"note": text, "query": FULL_NAME} if isinstance(field, models.JSONField) else text
        planted += model._default_manager.filter(pk=pk).update(**{field.attname: value})
    return planted


@pytest.fixture
def world(client, settings, tmp_path):
    """The person with a row in every model that can point at them or mention them."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    user = f.CandidateUserFactory(email=EMAIL, first_name="Kaisla", last_name=LAST_NAME)
    person = user.candidate
    Candidate.objects.filter(pk=person.pk).update(last_name=LAST_NAME, phone=PHONE)
    person.refresh_from_db()
    recruiter = f.RecruiterFactory()
    manager = f.ClientManagerFactory()
    f.CandidateFactory()  # someone else, whose free text may mention the person
    f.TaskFailureFactory()
    f.WorkerHeartbeatFactory()
    f.CandidateLanguageFactory(candidate=person)
    f.CandidateSkillFactory(candidate=person)
    f.DateOffFactory(candidate=person)
    assessment = f.AssessmentFactory(candidate=person)
    StatementRequest.objects.create(assessment=assessment, candidate=person)
    WorkExperience.objects.create(
        candidate=person, employer="Kauppa", title="Myyjä", started=dt.date(2020, 1, 1)
    )
    Consent.objects.create(candidate=person, purpose="matching", version="v")
    Invitation.objects.create(candidate=person, email=EMAIL, invited_by=recruiter)
    # An import whose file listed the person (its cells are kept until the import runs).
    CandidateImport.objects.create(
        created_by=recruiter,
        file_name="people.csv",
        headers=["name", "email", "phone"],
        rows=[[FULL_NAME, EMAIL, PHONE]],
        mapping={"full_name": 0},
        base_url="http://testserver",
    )
    Candidate.objects.filter(pk=person.pk).update(imported_from=CandidateImport.objects.get())
    CandidateActivity.objects.get_or_create(candidate=person)
    CandidateNote.objects.create(candidate=person, author=recruiter, text="n")
    CandidateTask.objects.create(
        candidate=person, title="t", due_on=dt.date(2026, 1, 1), assignee=recruiter
    )
    saved = SavedSearch.objects.create(owner=recruiter, name="s", query="q=x")
    SavedSearchMatch.objects.create(search=saved, candidate=person)
    f.CandidateMarkFactory(candidate=person)
    entry = f.ShortlistEntryFactory(candidate=person)
    request = entry.shortlist.request
    f.RequestLanguageFactory(request=request)
    talent_pool = TalentPool.objects.create(company=request.company, name="p")
    TalentPoolMember.objects.create(pool=talent_pool, candidate=person, added_by=recruiter)
    ShortlistEdit.objects.create(
        shortlist=entry.shortlist, candidate=person, action="add", reason="r", by=recruiter
    )
    placement = f.PlacementFactory(candidate=person, shift=f.ShiftFactory(request=request))
    ShiftCancellation.objects.create(shift=placement.shift, reason="r")
    Offer.objects.create(
        request=request, candidate=person, wave=1, deadline=timezone.now(), decline_reason="r"
    )
    ServiceRating.objects.create(
        placement=placement, candidate=person, company=request.company, score=5, comment="c"
    )
    ReliabilityRecord.objects.create(placement=placement, candidate=person, kind="no_show")
    PresentedDecline.objects.create(request=request, candidate=person, reason="r", by=manager)
    bench = Bench.objects.create(
        profile=request.service_profile, rules_version="1", refreshed_at=timezone.now()
    )
    BenchEntry.objects.create(bench=bench, candidate=person, rank=1, score=1.0)
    SweepMark.objects.create(name="bench", at=timezone.now())
    for n, to in enumerate((EMAIL, manager.email)):  # to the person; about them, to a client
        OutboundEmail.objects.create(key=f"k:{n}", to=to, language="fi", subject="s", body="b")
    for obj in (person, request):
        LogEntry.objects.create(
            user=recruiter,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            action_flag=CHANGE,
            change_message="c",
        )
    cache.set(f"candidate:{person.pk}:card", f"{LAST_NAME} {PHONE}")
    client.force_login(user)
    client.post(
        reverse("candidate_cv"),
        {"file": SimpleUploadedFile("cv.pdf", PDF_BYTES + f"{EMAIL} {PHONE}".encode())},
    )
    client.force_login(recruiter)
    client.get(reverse("recruiter_candidate_search", args=[request.pk]), {"q": LAST_NAME})
    client.get(reverse("recruiter_candidate_detail", args=[person.pk]))
    yield person
    cache.delete(f"candidate:{person.pk}:card")  # Redis outlives the test database


def test_erasure_walks_every_column_and_leaves_no_value_behind(world):
    unplanted = []
    for model, field in _text_columns():
        if _plant(model, field) == 0:
            unplanted.append(f"{model._meta.label}.{field.name}")
    assert not unplanted, f"no row to plant into; add one to the world: {unplanted}"
    for value in (LAST_NAME, EMAIL, PHONE):
        assert _database_hits(value), value  # the search finds what was planted

    candidate_erase(candidate=world, by=world.user)

    for value in (LAST_NAME, EMAIL, PHONE):
        assert _database_hits(value) == [], value
        assert _file_hits(value.encode()) == [], value
        assert _redis_hits(value.encode()) == [], value


def test_a_search_keeps_no_text_and_shows_in_the_persons_view_log(world):
    from staffing.models import AuditEvent

    search = AuditEvent.objects.get(action="candidates.searched")
    assert LAST_NAME not in str(search.data)
    assert set(search.data) == {"terms", "candidate_ids"}  # no text, and no hash of it
    shown = AuditEvent.objects.get(candidate=world, data__seen="search")
    assert shown.action in AuditEvent.VIEW_ACTIONS and shown.data["role"] == "recruiter"
