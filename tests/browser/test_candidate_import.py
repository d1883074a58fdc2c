"""In a real Chromium, with a real worker: a recruiter uploads an XLSX of 20 people with three
bad rows and two duplicates, sees every problem in the preview, imports the rest in the
background (the progress bar runs until done), and merges a duplicate."""

from __future__ import annotations

import pytest
import tablib
from playwright.sync_api import expect

from candidates.models import Candidate
from tests import factories as f
from tests.conftest import browser_login, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

FIRST = "Aino Eero Liisa Mikko Sanna Juha Outi Pekka Riikka Timo Elina Harri Iiris Kalle Oona"
LAST = "Laine Salo Koski Virta Niemi Mattila Lehto Aalto Heino Ranta Turunen Hakala Peltonen Leino"
LAST += " Kivi"


def _xlsx(path) -> None:
    data = tablib.Dataset(headers=["Etunimi", "Sukunimi", "Sähköposti", "Puhelin", "Postinumero"])
    for n in range(15):
        first, last = FIRST.split()[n], LAST.split()[n]
        data.append([first, last, f"{first}.{last}@example.fi".lower(), "", "00100"])
    data.append(["Kaisa", "Kuusi", "kaisa@example", "", "00100"])  # bad email
    data.append(["Ville", "Vaara", "ville@example.fi", "", "00000"])  # unknown postal code
    data.append(["Noora", "", "noora@example.fi", "040 111 2233", ""])  # no last name
    data.append(["Anna", "Korhonen", "ANNA.KORHONEN@example.fi", "", "02100"])  # email known
    data.append(["Jari", "Nieminen", "jari.n@example.fi", "050 765 4321", ""])  # phone known
    path.write_bytes(data.export("xlsx"))


def test_recruiter_imports_sees_errors_and_merges_a_duplicate(
    page, live_server, screenshot_dir, tmp_path, celery_worker_process
):
    anna = f.CandidateFactory(
        first_name="Anna", last_name="Korhonen", email="anna.korhonen@example.fi", phone=""
    )
    f.CandidateFactory(first_name="Jari", last_name="Nieminen", phone="+358507654321", email="")
    recruiter = f.RecruiterFactory()
    upload = tmp_path / "ihmiset.xlsx"
    _xlsx(upload)
    page.set_viewport_size({"width": 1400, "height": 900})
    browser_login(page, live_server, recruiter.email, f.PASSWORD)
    page.goto(f"{live_server.url}/agency/candidates/")
    with page.expect_navigation():
        page.click("text=Import")
    page.set_input_files("input[type=file]", str(upload))
    with page.expect_navigation():
        page.click("#import-upload button[type=submit]")

    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(5)  # three errors, two duplicates
    expect(page.locator("#import-problems")).to_contain_text("is not an email address")
    expect(page.locator("#import-problems")).to_contain_text("Postal code “00000” is not known.")
    expect(page.locator("#import-problems")).to_contain_text("Last name is missing.")
    expect(page.locator("#import-problems")).to_contain_text("Someone in the pool has the email")
    expect(page.locator("#import-summary")).to_contain_text("17 rows can be imported.")
    page.screenshot(path=screenshot_dir / "candidate-import-preview-1400.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "candidate-import-preview-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1400, "height": 900})

    page.check("#skip-invalid")
    with page.expect_navigation():
        page.click("#import-start button[type=submit]")
    # The progress bar polls until the worker is done, then the page reloads with the result.
    expect(page.locator("#import-done")).to_contain_text("17 people imported.", timeout=30_000)
    expect(page.locator("#import-done")).to_contain_text("3 rows with errors were left out.")
    assert Candidate.objects.filter(imported_from__isnull=False).count() == 17
    pairs = page.locator(".duplicate-pair")
    expect(pairs).to_have_count(2)
    page.screenshot(path=screenshot_dir / "candidate-import-done-1400.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "candidate-import-done-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1400, "height": 900})

    anna_pair = pairs.filter(has_text="Anna Korhonen").first
    with page.expect_navigation():
        anna_pair.locator(".merge-keep-first").click()
    expect(page.locator(".alert-success").first).to_contain_text("Merged")
    expect(page.locator(".duplicate-pair")).to_have_count(1)
    imported_anna = wait_for(lambda: Candidate.objects.filter(merged_into=anna).first(), timeout=5)
    assert imported_anna.status == Candidate.Status.MERGED
    assert not Candidate.objects.matchable().filter(pk=imported_anna.pk).exists()
