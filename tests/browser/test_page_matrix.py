"""Every page of every role, in Finnish, Swedish and English, on a phone (390×844) and a desktop
(1400×900), in a real Chromium on the demo world: no page is wider than its screen, and no page
in Finnish or Swedish shows the English of a handful of strings every page has.

The pages come from the URLconf: every named GET page a role's views admit is visited, with its
ids taken from the world below (`ARGS`); a page that needs ids no one gave fails the test until it
gets them or a reason in `NOT_VISITED`. Screenshots are kept under test-artifacts/screenshots/.

One browser, one login per role; the language is switched with the language cookie.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from psycopg2.extras import DateTimeTZRange

from api.models import WebhookEndpoint
from candidates.models import Candidate
from candidates.services.imports import candidate_import_upload
from staffing.demo.seed import DEMO_PASSWORD, seed_demo
from staffing.models import Offer, Placement, Shift, StaffingRequest, TalentPool, User
from staffing.services.offers import offer_accept, offer_link_token, offer_wave_send
from staffing.services.shortlists import shortlist_approve, shortlist_entry_add
from tests import factories as f
from tests.conftest import browser_login
from tests.test_permissions import _allowed_methods, _project_views

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
VIEWPORTS = [(390, 844), (1400, 900)]
LANGUAGES = ["fi", "sv", "en"]
LOGINS = {
    "recruiter": "rekry@demo.fi",
    "admin": "admin@demo.fi",
    "client_manager": "esimies@demo.fi",
    "candidate": "ehdokas@demo.fi",
}

# Named GET pages no role visits here, and why.
NOT_VISITED = {
    "home": "sends each role to its own home (tests/test_permissions.py)",
    "health": "the load balancer's JSON",
    "login": "the admin's login sends to the site's (tests/staffing/test_accounts.py)",
    "recruiter_shortlist_rows": "an htmx fragment of the request page",
    "recruiter_shortlist_entry_explanation": "an htmx fragment of the request page",
    "recruiter_candidate_search": "an htmx fragment of the request page",
    "recruiter_request_offers": "an htmx fragment; opened directly, the request page",
    "recruiter_candidates_export": "a CSV file",
    "recruiter_candidates_export_xlsx": "an Excel file",
    "candidate_cv_for_viewer": "a file",
    "candidate_cv_download": "a file",
    "candidate_verify_pending": "sends a verified candidate on",
    "client_request_estimate": "an htmx fragment of the order form",
    "client_request_status": "an htmx fragment of the request page",
    "client_request_people": "an htmx fragment of the request page",
    "candidate_availability_token": "anonymous signed-link page (tests/candidates)",
    "candidate_renew": "anonymous signed-link page (tests/candidates)",
    "candidate_join": "anonymous signed-link page (tests/candidates)",
    "recruiter_import_progress": "an htmx fragment of the import's page",
    "agency_profile_weights_preview": "an htmx fragment of the weights page",
}
# What someone not logged in opens: the landing page and allauth's pages (not in our URLconf).
ANONYMOUS_PAGES = ["landing", "account_login", "account_signup", "account_reset_password"]
# The agency admin's pages that recruiters have too are visited as the recruiter; the admin
# visits their own, the board (their menu) and the admin site.
ADMIN_EXTRA = [
    ("admin_index", "/admin/"),
    ("admin_periodic_tasks", "/admin/django_celery_beat/periodictask/"),
]

# Strings (msgids) on every page or most of them: a Finnish or Swedish page showing one of them
# in English has missed its translation. Matched as words, in any case (the admin's menu is in
# capitals).
KNOWN_ENGLISH = [
    "Log out",
    "Service Staff Now – urgent customer-service staffing",
    "Requests",
    "Candidates",
    "Service levels",
    "Invite a candidate",
    "Our requests",
    "Order staff",
    "My profile",
    "Work offers",
    "My assignments",
    "Save",
    "Cancel",
    "Search",
    "Shortlist",
    "Placed people",
    "Timeline",
    "Progress",
    "Offers sent",
    "Languages",
    "Skills",
    "Availability",
    "Shifts",
    # The admin's menu: django-celery-beat's names (locale_third_party/).
    "periodic tasks",
    "intervals",
    "crontabs",
]


@pytest.fixture
def demo():
    """The demo world, small, with a request the recruiter approved: two people placed, the demo
    candidate with an open offer, and a placement whose shift is over (to rate)."""
    seed_demo(candidates=12)
    for email in (LOGINS["recruiter"], LOGINS["admin"]):
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(User.objects.get(email=email), f.TOTP_SECRET)
    recruiter = User.objects.get(email=LOGINS["recruiter"])
    me = Candidate.objects.get(user__email=LOGINS["candidate"])
    # The demo's own requests, by their notes (the 90 days of history have many more).
    req = StaffingRequest.objects.get(notes="Lauantain kampanjapäivä, lisäkassat.")
    shortlist = req.current_shortlist
    if not shortlist.ranked.filter(candidate=me).exists():
        shortlist_entry_add(shortlist=shortlist, candidate=me, by=recruiter, reason="Asked")
    shortlist_approve(shortlist=shortlist, by=recruiter)
    offers = offer_wave_send(staffing_request=req, by=None)
    others = [o for o in offers if o.candidate_id != me.pk]
    for offer in others[:2]:
        offer_accept(offer=offer, by=offer.candidate.user)
    mine = Offer.objects.filter(request=req, candidate=me).first() or Offer.objects.create(
        request=req,
        candidate=me,
        shortlist_entry=shortlist.ranked.get(candidate=me),
        wave=1,
        deadline=timezone.now() + dt.timedelta(minutes=27),
    )
    placed = Placement.objects.filter(request=req).order_by("pk").first()
    filled = StaffingRequest.objects.get(notes="Alennusmyynnin lauantai.")
    done = _past_placement(req)
    batch = candidate_import_upload(
        by=recruiter,
        name="ihmiset.csv",
        content="etunimi,sukunimi,sähköposti\nAino,Laine,aino.laine@example.fi\n".encode(),
    )
    webhook = WebhookEndpoint.objects.create(
        company=req.company,
        url="https://example.fi/hooks/staffing",
        secret="matrix-secret",
        events=["request.filled"],
        created_by=recruiter,
    )
    return {
        "request": req,
        "filled": filled,
        "offer_token": offer_link_token(offer=mine),
        "placed": placed,
        "done": done,
        "me": me,
        "pool": TalentPool.objects.filter(company=req.company).first()
        or TalentPool.objects.create(company=req.company, name="Vakiot", created_by=recruiter),
        "import": batch,
        "webhook": webhook,
    }


def _past_placement(req: StaffingRequest) -> Placement:
    """Last week the same site had the demo candidate on a shift that is now over (on a day
    the demo's history left free)."""
    me = Candidate.objects.get(user__email=LOGINS["candidate"])
    for days in range(6, 60):
        start = timezone.now() - dt.timedelta(days=days)
        blocked = DateTimeTZRange(*Placement.blocked_range(start, start + dt.timedelta(hours=6)))
        if not Placement.objects.filter(candidate=me, blocked__overlap=blocked).exists():
            break
    past = f.StaffingRequestFactory(
        company=req.company,
        site=req.site,
        service_profile=req.service_profile,
        submitted_by=req.submitted_by,
        status=StaffingRequest.Status.FILLED,
        headcount=1,
    )
    shift = Shift.objects.create(
        request=past, starts_at=start, ends_at=start + dt.timedelta(hours=6)
    )
    return Placement.objects.create(
        candidate=me,
        request=past,
        shift=shift,
        period=DateTimeTZRange(shift.starts_at, shift.ends_at),
        blocked=DateTimeTZRange(*Placement.blocked_range(shift.starts_at, shift.ends_at)),
        status=Placement.Status.COMPLETED,
    )


# The ids each page's URL names, from the world above.
ARGS: dict[str, Callable[[dict], list]] = {
    "recruiter_request_detail": lambda w: [w["request"].pk],
    "bench_detail": lambda w: [w["request"].service_profile_id],
    "recruiter_candidate_detail": lambda w: [w["me"].pk],
    "recruiter_profile_edit": lambda w: [w["me"].pk],
    "client_request_detail": lambda w: [w["request"].pk],
    "client_person_decline": lambda w: [w["request"].pk, w["placed"].candidate_id],
    "client_request_cancel": lambda w: [w["request"].pk],
    "client_feedback": lambda w: [w["done"].pk],
    "offer_link": lambda w: [w["offer_token"]],
    "talent_pool_detail": lambda w: [w["pool"].pk],
    "recruiter_import_detail": lambda w: [w["import"].pk],
    "agency_client_detail": lambda w: [w["request"].company_id],
    "agency_client_edit": lambda w: [w["request"].company_id],
    "agency_client_terms": lambda w: [w["request"].company_id],
    "agency_site_new": lambda w: [w["request"].company_id],
    "agency_profile_new": lambda w: [w["request"].company_id],
    "agency_contact_invite": lambda w: [w["request"].company_id],
    "agency_phone_order": lambda w: [w["request"].company_id],
    "agency_site_edit": lambda w: [w["request"].site_id],
    "agency_profile_edit": lambda w: [w["request"].service_profile_id],
    "agency_profile_weights": lambda w: [w["request"].service_profile_id],
    "agency_contact_edit": lambda w: [w["request"].submitted_by.client_membership.pk],
    "api_settings_company": lambda w: [w["request"].company_id],
    "api_webhook_detail": lambda w: [w["request"].company_id, w["webhook"].pk],
}
# Pages worth a second look in another state: the filled request of the demo.
MORE_PAGES: dict[str, list[tuple[str, Callable[[dict], str]]]] = {
    "recruiter": [
        (
            "recruiter_request_detail-filled",
            lambda w: reverse("recruiter_request_detail", args=[w["filled"].pk]),
        )
    ],
}


def _role_pages() -> dict[str, list[str]]:
    """Role → url names of the named GET pages its views admit (those not in NOT_VISITED)."""
    pages: dict[str, list[str]] = {role: [] for role in LOGINS}
    for _route, view, name in _project_views():
        methods = _allowed_methods(view)
        if name in NOT_VISITED or (methods is not None and "GET" not in methods):
            continue
        for role in getattr(view, "roles", ()):
            if role in pages and name not in pages[role]:
                pages[role].append(name)
    recruiter = set(pages["recruiter"])
    pages["admin"] = [n for n in pages["admin"] if n not in recruiter] + ["recruiter_board"]
    return pages


def test_every_page_of_a_role_is_in_the_matrix():
    """A page whose URL names an object needs its ids in ARGS (or a reason in NOT_VISITED)."""
    routes = {name: route for route, _view, name in _project_views()}
    missing = [
        name
        for names in _role_pages().values()
        for name in names
        if "<" in routes[name] and name not in ARGS
    ]
    assert not missing, f"give these pages ids in ARGS or a reason in NOT_VISITED: {missing}"
    assert all(len(names) >= 3 for names in _role_pages().values())


def _known_strings() -> dict[str, list[str]]:
    """The known strings as each language says them; a language that says one the same as
    English (Swedish "Status") leaves it out."""
    out = {}
    for code in LANGUAGES[:2]:
        with translation.override(code):
            out[code] = [s for s in KNOWN_ENGLISH if gettext(s) != s]
    return out


def _english_on(text: str, strings: list[str]) -> list[str]:
    return [s for s in strings if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text, re.I)]


def _urls(role: str, world: dict) -> list[tuple[str, str]]:
    """(name for the screenshot, address) of each page the role visits."""
    if role == "anonymous":  # the landing page, and allauth's pages before logging in
        return [(name, reverse(name)) for name in ANONYMOUS_PAGES]
    urls = [
        (name, reverse(name, args=ARGS[name](world) if name in ARGS else []))
        for name in _role_pages()[role]
    ]
    urls += [(label, make(world)) for label, make in MORE_PAGES.get(role, [])]
    return urls + (ADMIN_EXTRA if role == "admin" else [])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_the_screen_and_reads_in_its_language(browser, live_server, demo):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # only this run's pictures
    ARTIFACTS.mkdir(parents=True)
    known = _known_strings()
    problems: list[str] = []
    started, shots = time.monotonic(), 0
    for role, email in [("anonymous", None), *LOGINS.items()]:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        if email is not None:
            browser_login(page, live_server, email, DEMO_PASSWORD)
        for code in LANGUAGES:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}]
            )
            for label, url in _urls(role, demo):
                page.set_viewport_size({"width": 390, "height": 844})
                response = page.goto(live_server.url + url)
                sent_to_log_in = email is not None and "/accounts/login/" in page.url
                if response is None or response.status != 200 or sent_to_log_in:
                    problems.append(
                        f"{role} {code} {url}: {response and response.status} {page.url}"
                    )
                    continue
                for width, height in VIEWPORTS:
                    page.set_viewport_size({"width": width, "height": height})
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    if wide > width:
                        problems.append(f"{role} {code} {url}: {wide} px wide at {width}")
                    # JPEG: a third of the time PNG takes for a full page, and small enough to keep.
                    path = ARTIFACTS / f"{role}-{label}-{code}-{width}.jpg"
                    page.screenshot(path=path, full_page=True, quality=70)
                    shots += 1
                text = page.evaluate("document.body.innerText")
                if code in known and (english := _english_on(text, known[code])):
                    problems.append(f"{role} {code} {url}: English {english}")
                if (
                    code == "en"
                    and email is not None
                    and not url.startswith("/admin/")
                    and not _english_on(text, ["Log out"])
                ):
                    problems.append(f"{role} {code} {url}: no “Log out” in the page's text")
        context.close()
    seconds = time.monotonic() - started
    print(f"\n{shots} screenshots in {seconds:.0f} s under {ARTIFACTS}")
    assert not problems, "\n".join(problems)
