"""Importing candidates from CSV and XLSX: bad files, bad rows (in Finnish, Swedish and
English), the mapping, the background import (all or nothing), its sweep, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from candidates.models import Candidate, CandidateImport, Invitation
from candidates.services.imports import (
    ImportFileError,
    candidate_import_queue,
    candidate_import_run,
    candidate_import_upload,
    candidate_imports_requeue,
    import_check,
    import_file_read,
    mapping_guess,
)
from staffing.base.models import AuditEvent, OutboundEmail
from staffing.base.outbox import emails_unsent_requeue
from tests import factories as f
from tests.conftest import run_queued

pytestmark = pytest.mark.django_db

HEADERS = ["Etunimi", "Sukunimi", "Sähköposti", "Puhelin", "Postinumero"]
GOOD = [
    ["Aino", "Laine", "aino.laine@example.fi", "040 123 4567", "00100"],
    ["Eero", "Salo", "EERO.SALO@example.fi", "+358 50 765 4321", "02100"],
]


def xlsx_bytes(headers: list[str], rows: list[list]) -> bytes:
    data = tablib.Dataset(*rows, headers=headers)
    return data.export("xlsx")


def csv_bytes(headers: list[str], rows: list[list], delimiter: str = ";") -> bytes:
    lines = [delimiter.join(headers)] + [delimiter.join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(recruiter, headers=HEADERS, rows=GOOD, name="people.xlsx") -> CandidateImport:
    content = xlsx_bytes(headers, rows) if name.endswith("xlsx") else csv_bytes(headers, rows)
    return candidate_import_upload(by=recruiter, name=name, content=content)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks (the queueing) at the end of its block, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def run(queued_tasks, committed):
    """Queue the import with the choices given, and run what was queued, as a worker would."""

    def run(batch: CandidateImport, **choices) -> CandidateImport:
        return _run(batch, queued_tasks, committed, **choices)

    return run


def _run(batch: CandidateImport, queued_tasks, committed, **choices) -> CandidateImport:
    options = {"skip_invalid": False, "invite": False, "language": "fi"}
    options.update(choices)
    with committed():
        candidate_import_queue(
            batch=batch,
            by=batch.created_by,
            mapping=batch.mapping,
            base_url="http://testserver",
            **options,
        )
    with committed():
        run_queued(queued_tasks)
    batch.refresh_from_db()
    return batch


# Reading files


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"", "The file is empty."),
        ("people.pdf", b"%PDF-1.4", "Only CSV and XLSX files can be imported."),
        ("people.xlsx", b"%PDF-1.4 not a zip", "The file is not an XLSX spreadsheet."),
        ("people.xlsx", b"PK\x03\x04broken zip", "The file is not an XLSX spreadsheet."),
        ("people.csv", "Etunimi;Sukunimi\nÄiti;Öljy\n".encode("latin-1"), "not in UTF-8"),
        ("people.csv", b"Etunimi;Sukunimi\n", "The file has headings but no people."),
        ("people.csv", b"a,b\n1,2,3,4\n", "as many columns as the headings"),
    ],
)
def test_a_broken_file_gets_a_clear_message(name, content, message):
    with pytest.raises(ImportFileError) as error:
        import_file_read(name=name, content=content)
    assert message in str(error.value)


def test_a_too_large_file_is_refused(settings):
    settings.CANDIDATE_IMPORT_MAX_BYTES = 1_000_000
    with pytest.raises(ImportFileError, match="too large: at most 1 MB"):
        import_file_read(name="people.csv", content=b"a" * 1_000_001)


def test_file_errors_are_in_finnish_and_swedish():
    for language, expected in (("fi", "Tiedosto on tyhjä."), ("sv", "Filen är tom.")):
        with translation.override(language), pytest.raises(ImportFileError) as error:
            import_file_read(name="people.csv", content=b"")
        assert str(error.value) == expected


def test_xlsx_and_csv_read_alike_with_numbers_kept_as_text():
    rows = [["Aino", "Laine", "aino@example.fi", 401234567, 100]]
    headers, cells = import_file_read(name="p.xlsx", content=xlsx_bytes(HEADERS, rows))
    assert headers == HEADERS
    assert cells == [["Aino", "Laine", "aino@example.fi", "401234567", "100"]]
    headers, cells = import_file_read(name="p.csv", content=csv_bytes(HEADERS, GOOD, ","))
    assert cells[0] == GOOD[0]


def test_mapping_is_guessed_from_finnish_swedish_and_english_headings():
    assert mapping_guess(headers=HEADERS) == {
        "first_name": 0,
        "last_name": 1,
        "email": 2,
        "phone": 3,
        "postal_code": 4,
    }
    swedish = ["Förnamn", "Efternamn", "E-post", "Telefon", "Postnummer"]
    assert set(mapping_guess(headers=swedish)) == {
        "first_name",
        "last_name",
        "email",
        "phone",
        "postal_code",
    }
    english = ["Name", "E-mail", "Mobile", "ZIP"]
    assert mapping_guess(headers=english) == {
        "full_name": 0,
        "email": 1,
        "phone": 2,
        "postal_code": 3,
    }


# Rows


def test_every_bad_row_is_reported_with_its_row_number():
    rows = [
        GOOD[0],
        ["", "Virta", "not-an-email", "12", "00000"],
        ["Liisa", "Koski", "", "040 765 4321", "abc"],
    ]
    check = import_check(rows=rows, mapping=mapping_guess(headers=HEADERS))
    problems = {(p.row, p.field, p.code) for p in check.problems}
    assert problems == {
        (3, "first_name", "required"),
        (3, "email", "email_invalid"),
        (3, "phone", "phone_invalid"),
        (3, "postal_code", "postal_code_unknown"),
        (4, "email", "required"),
        (4, "postal_code", "postal_code_unknown"),
    }
    assert check.error_rows == {3, 4}
    assert [row for row, _person in check.valid] == [2]


def test_row_messages_are_in_the_readers_language():
    rows = [["Aino", "Laine", "aino@example.fi", "12", "00100"]]
    check = import_check(rows=rows, mapping=mapping_guess(headers=HEADERS))
    (problem,) = check.problems
    with translation.override("en"):
        assert problem.message == "“12” is not a phone number."
    with translation.override("fi"):
        assert problem.message == "”12” ei ole puhelinnumero."
    with translation.override("sv"):
        assert problem.message == "”12” är inte ett telefonnummer."


def test_phones_become_e164_and_postal_codes_places():
    check = import_check(rows=GOOD, mapping=mapping_guess(headers=HEADERS))
    assert check.problems == []
    (_n, aino), (_m, eero) = check.people
    assert aino["phone"] == "+358401234567"
    assert eero["phone"] == "+358507654321"
    assert eero["email"] == "eero.salo@example.fi"
    assert aino["postal_code"] == "00100" and aino["latitude"] == pytest.approx(60.17, abs=0.1)


def test_a_postal_code_excel_made_a_number_gets_its_zeros_back():
    rows = [["Aino", "Laine", "aino@example.fi", "", "100"]]
    check = import_check(rows=rows, mapping=mapping_guess(headers=HEADERS))
    assert check.problems == [] and check.people[0][1]["postal_code"] == "00100"


# The import


def test_import_creates_inactive_people_without_consent_in_one_go(run):
    recruiter = f.RecruiterFactory()
    batch = run(_upload(recruiter))
    assert batch.status == CandidateImport.Status.DONE
    assert batch.created_count == 2 and batch.rows == []
    people = Candidate.objects.filter(imported_from=batch)
    assert {p.email for p in people} == {"aino.laine@example.fi", "eero.salo@example.fi"}
    assert all(p.status == Candidate.Status.INACTIVE and not p.matching_consent for p in people)
    assert not Candidate.objects.matchable().filter(imported_from=batch).exists()
    assert AuditEvent.objects.filter(action="candidate.imported").count() == 2
    assert AuditEvent.objects.filter(action="candidates.imported", target_id=batch.pk).exists()


def test_bad_rows_import_nothing_unless_left_out_explicitly(run):
    recruiter = f.RecruiterFactory()
    rows = [*GOOD, ["", "", "bad", "", ""]]
    batch = run(_upload(recruiter, rows=rows))
    assert batch.status == CandidateImport.Status.FAILED
    assert batch.failure == CandidateImport.Failure.INVALID_ROWS
    assert not Candidate.objects.exists()
    batch = run(batch, skip_invalid=True)
    assert batch.status == CandidateImport.Status.DONE
    assert (batch.created_count, batch.skipped_count) == (2, 1)


def test_an_error_midway_rolls_the_whole_import_back(run, monkeypatch):
    recruiter = f.RecruiterFactory()
    batch = _upload(recruiter, rows=GOOD * 1)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("candidates.services.imports.audit_event", broken)
    batch = run(batch)
    assert batch.status == CandidateImport.Status.FAILED
    assert batch.failure == CandidateImport.Failure.CRASHED
    assert not Candidate.objects.exists()
    assert batch.rows  # kept, so the import can be tried again


def test_a_finished_import_is_never_run_twice(run):
    batch = run(_upload(f.RecruiterFactory()))
    assert candidate_import_run(import_id=batch.pk) is None
    assert Candidate.objects.count() == 2


def test_imported_people_are_invited_and_not_matched_until_they_consent(run, client):
    batch = run(_upload(f.RecruiterFactory()), invite=True, language="sv")
    invitations = Invitation.objects.filter(candidate__imported_from=batch)
    assert invitations.count() == 2
    email = OutboundEmail.objects.get(to="aino.laine@example.fi")
    assert email.language == "sv" and "/me/join/" in email.body
    aino = Candidate.objects.get(email="aino.laine@example.fi")
    assert not Candidate.objects.matchable().filter(pk=aino.pk).exists()

    from candidates.services.signup import invitation_accept

    invitation_accept(
        invitation=invitations.get(candidate=aino),
        password="a-long-password-1",
        first_name="Aino",
        last_name="Laine",
        purposes=["matching"],
    )
    assert Candidate.objects.matchable().filter(pk=aino.pk).exists()


def test_the_matching_pool_leaves_imported_people_out_until_they_consent(run):
    from staffing.services.pool import features_load

    batch = run(_upload(f.RecruiterFactory()))
    consenting = f.CandidateFactory()
    imported = list(Candidate.objects.filter(imported_from=batch).values_list("pk", flat=True))
    loaded = set(features_load().ids.tolist())
    assert consenting.pk in loaded
    assert not loaded & set(imported)
    assert not len(features_load(ids=imported))


def test_the_sweep_queues_a_lost_import_and_a_dead_workers_import(queued_tasks, committed):
    batch = _upload(f.RecruiterFactory())
    CandidateImport.objects.filter(pk=batch.pk).update(
        status=CandidateImport.Status.QUEUED, queued_at=timezone.now()
    )
    assert candidate_imports_requeue(waited=dt.timedelta(seconds=60), stalled=dt.timedelta(0)) == 0
    CandidateImport.objects.filter(pk=batch.pk).update(
        queued_at=timezone.now() - dt.timedelta(seconds=61)
    )
    with committed():
        assert (
            candidate_imports_requeue(waited=dt.timedelta(seconds=60), stalled=dt.timedelta(0)) == 1
        )
    assert queued_tasks == [("candidates.tasks.candidate_import", (batch.pk,))]
    queued_tasks.clear()
    CandidateImport.objects.filter(pk=batch.pk).update(
        status=CandidateImport.Status.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    waited, stalled = dt.timedelta(seconds=60), dt.timedelta(minutes=15)
    with committed():
        assert candidate_imports_requeue(waited=waited, stalled=stalled) == 1
    run_queued(queued_tasks)
    batch.refresh_from_db()
    assert batch.status == CandidateImport.Status.DONE


# Pages


def test_recruiter_uploads_sees_preview_and_imports(client, queued_tasks, committed):
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    rows = [*GOOD, ["Iida", "Koski", "iida@example", "", ""]]
    content = xlsx_bytes(HEADERS, rows)
    response = client.post(
        reverse("recruiter_import_upload"),
        {"file": SimpleUploadedFile("people.xlsx", content)},
    )
    batch = CandidateImport.objects.get()
    assert response.url == reverse("recruiter_import_detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "“iida@example” is not an email address." in page
    assert "2 rows can be imported." in page
    with committed():
        response = client.post(
            reverse("recruiter_import_start", args=[batch.pk]),
            {f"col_{k}": v for k, v in batch.mapping.items()} | {"skip_invalid": "1"},
        )
    assert queued_tasks == [("candidates.tasks.candidate_import", (batch.pk,))]
    progress = client.get(
        reverse("recruiter_import_progress", args=[batch.pk]), HTTP_HX_REQUEST="1"
    )
    assert "Waiting to start" in progress.content.decode()
    run_queued(queued_tasks)
    progress = client.get(
        reverse("recruiter_import_progress", args=[batch.pk]), HTTP_HX_REQUEST="1"
    )
    assert progress["HX-Refresh"] == "true"
    page = client.get(reverse("recruiter_import_detail", args=[batch.pk])).content.decode()
    assert "2 people imported." in page


def test_a_bad_file_on_the_page_gets_a_message_in_finnish(client):
    recruiter = f.RecruiterFactory(language="fi")
    client.force_login(recruiter)
    with translation.override("fi"):
        response = client.post(
            reverse("recruiter_import_upload"),
            {"file": SimpleUploadedFile("people.xlsx", b"not a spreadsheet")},
            HTTP_ACCEPT_LANGUAGE="fi",
        )
    assert response.status_code == 200
    assert "Tiedosto ei ole XLSX-taulukko." in response.content.decode()
    assert not CandidateImport.objects.exists()


def test_the_mapping_chosen_on_the_page_is_used(client):
    recruiter = f.RecruiterFactory()
    client.force_login(recruiter)
    batch = _upload(recruiter)
    url = reverse("recruiter_import_detail", args=[batch.pk])
    page = client.get(url, {"col_first_name": "0", "col_last_name": "1"}).content.decode()
    assert "Email is missing." in page  # no email column chosen
    batch.refresh_from_db()
    assert "email" in batch.mapping  # a GET changes nothing


@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_others_cannot_reach_imports(client, role):
    batch = _upload(f.RecruiterFactory())
    user = f.ClientManagerFactory() if role == "manager" else f.CandidateUserFactory()
    client.force_login(user)
    for name in ("recruiter_import_detail", "recruiter_import_progress"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 403
    for name in ("recruiter_import_start", "recruiter_import_invite"):
        assert client.post(reverse(name, args=[batch.pk])).status_code == 403
    assert client.post(reverse("recruiter_candidate_merge"), {}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == CandidateImport.Status.UPLOADED


def test_a_big_list_publishes_some_sends_and_leaves_the_rest_to_the_outbox_sweep(
    queued_tasks, committed, monkeypatch
):
    monkeypatch.setattr("staffing.base.outbox.BULK_PUBLISH_NOW", 1)
    batch = _upload(f.RecruiterFactory())
    with committed():
        candidate_import_queue(
            batch=batch,
            by=batch.created_by,
            mapping=batch.mapping,
            base_url="http://testserver",
            skip_invalid=False,
            invite=True,
            language="fi",
        )
    queued_tasks.clear()
    with committed():
        candidate_import_run(import_id=batch.pk)
    sends = [args for name, args in queued_tasks if name == "staffing.tasks.send_email"]
    assert len(sends) == 1 and OutboundEmail.objects.count() == 2
    queued_tasks.clear()
    OutboundEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert emails_unsent_requeue(waited=dt.timedelta(seconds=60)) == 2


def test_the_people_of_an_import_are_invited_from_its_page_once(client, run):
    recruiter = f.RecruiterFactory()
    batch = run(_upload(recruiter))
    assert not Invitation.objects.exists()
    client.force_login(recruiter)
    url = reverse("recruiter_import_invite", args=[batch.pk])
    response = client.post(url, {"language": "sv"}, follow=True)
    assert "Invitations sent: 2." in response.content.decode()
    assert set(OutboundEmail.objects.values_list("language", flat=True)) == {"sv"}
    again = client.post(url, {"language": "sv"}, follow=True)
    assert "Invitations sent: 0." in again.content.decode()
    assert Invitation.objects.count() == 2


def test_the_preview_says_which_columns_are_not_imported(client):
    """A languages column has no field to go to: the recruiter is told, not left to find the
    Swedish speakers arriving without Swedish."""
    recruiter = f.RecruiterFactory(language="en")
    client.force_login(recruiter)
    rows = [[*row, "ruotsi C1"] for row in GOOD]
    batch = _upload(recruiter, headers=[*HEADERS, "Kielet"], rows=rows)
    page = client.get(
        reverse("recruiter_import_detail", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "This column is not imported: Kielet." in page
    everything = _upload(recruiter)
    page = client.get(reverse("recruiter_import_detail", args=[everything.pk])).content.decode()
    assert 'id="import-unused"' not in page
