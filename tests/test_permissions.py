"""Every page: the right role works, anonymous goes to log in, the wrong role gets 403,
another company's object gets 404, and GET changes nothing."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from candidates.models import Candidate, CandidateImport
from candidates.services.imports import candidate_import_upload
from staffing.models import (
    AuditEvent,
    Offer,
    Placement,
    ReliabilityRecord,
    StaffingRequest,
    TalentPool,
)
from staffing.services.offers import offer_link_token, offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    own_request = f.StaffingRequestFactory(service_profile=profile)
    f.ShiftFactory(request=own_request)
    other_request = f.StaffingRequestFactory()
    f.TalentPoolFactory(company=profile.company)
    recruiter = f.RecruiterFactory()
    candidate_import_upload(
        by=recruiter, name="people.csv", content=b"first name,last name,email\nA,B,a@example.fi\n"
    )
    return {
        "recruiter": recruiter,
        "manager": manager,
        "candidate": f.CandidateUserFactory(),
        "own": own_request,
        "other": other_request,
    }


# What the id in a page's route names, by how the route starts: the test world has one of each.
OBJECT_KINDS = {
    "agency/requests/": True,  # a staffing request (the manager's own)
    "client/requests/": True,
    "agency/bench/": "profile",  # its service profile
    "agency/candidates/import/": "import",  # a candidate import (before the candidates' rule)
    "agency/candidates/": "candidate",
    "agency/pools/": "pool",  # a talent pool
    "settings/api/": "company",  # a client company's API keys and webhooks
    # The back office's: its site, service profile or contact, else the company.
    "agency/clients/sites/": "site",
    "agency/clients/profiles/": "client_profile",
    "agency/clients/contacts/": "contact",
    "agency/clients/": "company",
}
# Pages a GET opens that do not answer 200 to every admitted user of the world below, each
# checked where it is tested (the reason says where).
NOT_PLAIN_PAGES = {
    "home": "sends each role to its own home (test_each_role_lands_on_its_own_home)",
    "candidate_cv_download": "needs a CV (tests/candidates/test_cv.py)",
    "candidate_cv_for_viewer": "needs a CV (tests/candidates/test_cv.py)",
    "candidate_verify_pending": "sends the verified on (candidates/test_signup_and_reminders)",
    "api_settings": "sends a client manager to their company's (tests/api/test_settings_pages.py)",
    "recruiter_request_offers": "a fragment for htmx; opened directly, the request page at it "
    "(tests/staffing/test_request_page.py)",
}
# The roles views declare, as this test's users.
ROLE_USERS = {"recruiter": "recruiter", "admin": "admin", "client_manager": "manager"}
ROLE_USERS["candidate"] = "candidate"


def _project_views():
    """(route, view, name) of every URL this project defines (not the admin's, allauth's or
    i18n's)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback, pattern.name

    return [
        (route, view, name)
        for route, view, name in walk(get_resolver().url_patterns)
        if view.__module__.split(".")[0] in {"staffing", "clients", "candidates", "api"}
        # The REST API's own views answer 401/403/404 as problem+json (tests/api/).
        and not hasattr(view, "cls")
    ]


def _allowed_methods(view) -> list[str] | None:
    """The methods a `require_http_methods` decorator lets through, None if there is none."""
    func = view
    while func is not None:
        names = getattr(getattr(func, "__code__", None), "co_freevars", ())
        if "request_method_list" in names:
            return func.__closure__[names.index("request_method_list")].cell_contents
        func = getattr(func, "__wrapped__", None)
    return None


def _pages() -> list[tuple[str, bool | str, set[str]]]:
    """(url name, what its id names (False: none), users admitted) of every page a GET opens,
    derived from the URL patterns and the roles each view declares. Actions (POST only) and
    pages of other objects are checked in OBJECT_PAGES and the views' own tests."""
    pages = []
    for route, view, name in _project_views():
        if view.roles == ("anonymous",) or name in NOT_PLAIN_PAGES:
            continue
        methods = _allowed_methods(view)
        if methods is not None and "GET" not in methods:
            continue
        needs: bool | str | None = False
        if "<" in route:
            needs = next((k for start, k in OBJECT_KINDS.items() if route.startswith(start)), None)
            if needs is None or route.count("<") > 1:
                continue
        pages.append((name, needs, {ROLE_USERS[r] for r in view.roles}))
    return sorted(pages)


PAGES = _pages()
ROLES = ["recruiter", "manager", "candidate"]


def _url(name: str, needs_id: bool | str, req: StaffingRequest) -> str:
    if needs_id == "profile":
        return reverse(name, args=[req.service_profile_id])
    if needs_id == "pool":
        return reverse(name, args=[TalentPool.objects.get().pk])
    if needs_id == "company":
        return reverse(name, args=[req.company_id])
    if needs_id == "candidate":
        return reverse(name, args=[Candidate.objects.order_by("pk").first().pk])
    if needs_id == "site":
        return reverse(name, args=[req.site_id])
    if needs_id == "client_profile":
        return reverse(name, args=[req.service_profile_id])
    if needs_id == "contact":
        return reverse(name, args=[req.company.memberships.get().pk])
    if needs_id == "company":
        return reverse(name, args=[req.company_id])
    if needs_id == "import":
        return reverse(name, args=[CandidateImport.objects.get().pk])
    return reverse(name, args=[req.pk]) if needs_id else reverse(name)


@pytest.mark.parametrize(("name", "needs_id", "admitted"), PAGES)
def test_anonymous_is_sent_to_log_in(client, world, name, needs_id, admitted):
    response = client.get(_url(name, needs_id, world["own"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "needs_id", "admitted"), PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_page_or_403(client, world, name, needs_id, admitted, role):
    client.force_login(world[role])
    # Views of a candidate's profile are logged by design (the person sees the log); nothing else.
    changes = AuditEvent.objects.exclude(action__in=AuditEvent.VIEW_ACTIONS)
    events_before = changes.count()
    statuses_before = list(StaffingRequest.objects.values_list("status", flat=True))
    response = client.get(_url(name, needs_id, world["own"]))
    assert response.status_code == (200 if role in admitted else 403)
    assert changes.count() == events_before
    assert list(StaffingRequest.objects.values_list("status", flat=True)) == statuses_before


@pytest.mark.parametrize(("name", "needs_id", "admitted"), [p for p in PAGES if p[1]])
def test_another_companys_request_is_404(client, world, name, needs_id, admitted):
    client.force_login(world["manager"])
    if "manager" in admitted:
        assert client.get(_url(name, needs_id, world["other"])).status_code == 404


def test_each_role_lands_on_its_own_home(client, world):
    expected = {
        "recruiter": reverse("recruiter_board"),
        "manager": reverse("client_requests"),
        "candidate": reverse("candidate_home"),
    }
    for role, url in expected.items():
        client.force_login(world[role])
        assert client.get(reverse("home")).url == url
        client.logout()


@pytest.fixture
def offer_world():
    """Two candidates, each with an open offer, a placement and a reliability record."""
    approved = approved_request(headcount=2, people=2)
    offers = offer_wave_send(staffing_request=approved.request, by=None)
    mine, theirs = ({"user": user} for user in approved.people)
    recruiter = f.RecruiterFactory()
    for person, offer in zip((mine, theirs), offers, strict=True):
        assert offer.candidate_id == person["user"].candidate.pk
        placement = f.PlacementFactory(
            candidate=person["user"].candidate, status=Placement.Status.CONFIRMED
        )
        person["offer"], person["token"], person["placement"] = (
            offer.pk,
            offer_link_token(offer=offer),
            placement.pk,
        )
        person["record"] = ReliabilityRecord.objects.create(
            placement=placement,
            candidate=person["user"].candidate,
            kind=ReliabilityRecord.Kind.LATE_CANCELLATION,
            reported_by=recruiter,
        ).pk
    return {
        "recruiter": recruiter,
        "manager": approved.manager,
        "candidate": mine["user"],
        "mine": mine,
        "theirs": theirs,
    }


# (url name, the object its URL names, POST only, roles admitted)
OBJECT_PAGES = [
    ("offer_answer", "offer", True, {"candidate"}),
    ("offer_link", "token", False, {"candidate"}),
    ("assignment_cancel", "placement", True, {"candidate"}),
    ("record_contest", "record", True, {"candidate"}),
    ("recruiter_placement_no_show", "placement", True, {"recruiter"}),
]


def _object_url(name: str, kind: str, objects: dict) -> str:
    return reverse(name, args=[objects[kind]])


def _state() -> tuple:
    return (
        AuditEvent.objects.count(),
        sorted(Offer.objects.values_list("pk", "status")),
        sorted(Placement.objects.values_list("pk", "status")),
        sorted(ReliabilityRecord.objects.values_list("pk", "contested_at")),
    )


@pytest.mark.parametrize(("name", "kind", "post_only", "admitted"), OBJECT_PAGES)
def test_anonymous_is_sent_to_log_in_from_object_pages(
    client, offer_world, name, kind, post_only, admitted
):
    before = _state()
    url = _object_url(name, kind, offer_world["mine"])
    response = client.post(url) if post_only else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert _state() == before


@pytest.mark.parametrize(("name", "kind", "post_only", "admitted"), OBJECT_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_object_page_or_403_and_get_changes_nothing(
    client, offer_world, name, kind, post_only, admitted, role
):
    client.force_login(offer_world[role])
    url = _object_url(name, kind, offer_world["mine"])
    before = _state()
    response = client.get(url)
    if role not in admitted:
        assert response.status_code == 403
        assert client.post(url).status_code == 403
    else:
        assert response.status_code == (405 if post_only else 200)
    assert _state() == before


@pytest.mark.parametrize(
    ("name", "kind", "post_only", "admitted"), [p for p in OBJECT_PAGES if "candidate" in p[3]]
)
def test_another_candidates_object_is_404(client, offer_world, name, kind, post_only, admitted):
    client.force_login(offer_world["candidate"])
    before = _state()
    url = _object_url(name, kind, offer_world["theirs"])
    response = client.post(url) if post_only else client.get(url)
    assert response.status_code == 404
    assert _state() == before


def test_the_pages_checked_are_every_page_of_every_role():
    names = {name for name, _needs, _admitted in PAGES}
    assert len(PAGES) > 25
    assert {"recruiter_board", "client_request_detail", "candidate_home", "bench_detail"} <= names
    assert {"agency_system", "agency_retention"} <= names
    assert {"recruiter_tasks", "talent_pools", "talent_pool_detail"} <= names
    assert "api_settings_company" in names
    assert {"recruiter_import_upload", "recruiter_import_detail", "recruiter_duplicates"} <= names
    assert {"recruiter_import_progress", "recruiter_invite_many"} <= names
    assert set(NOT_PLAIN_PAGES) <= {name for _route, _view, name in _project_views()}


def test_every_page_declares_the_roles_it_admits():
    """A view without `role_required` (or `public`, for signed links) is an open door."""
    views = _project_views()
    assert len(views) > 40
    undeclared = [route for route, view, _name in views if not getattr(view, "roles", None)]
    assert undeclared == []


def test_public_pages_are_only_the_landing_page_and_signed_links():
    public = sorted(
        route for route, view, _name in _project_views() if view.roles == ("anonymous",)
    )
    assert public == [
        "",
        # The admin site's login: only a redirect to allauth's login (MFA, rate limits).
        "admin/login/",
        "client/join/<str:token>/",  # a client manager's invitation link
        "health/",  # for the load balancer: says ok or fail, names no one
        "me/availability/still-same/<str:token>/",
        "me/join/<str:token>/",
        "me/renew/<str:token>/",
    ]


# The recruiters' actions (POST only) of the workspace: notes, tasks, saved searches, pools.
RECRUITER_ACTIONS = [
    ("recruiter_note_add", "candidate"),
    ("recruiter_task_add", "candidate"),
    ("recruiter_task_done", "task"),
    ("recruiter_saved_search_save", None),
    ("recruiter_saved_search_delete", "search"),
    ("talent_pool_add", None),
    ("talent_pool_remove", "pool"),
]


@pytest.mark.parametrize(("name", "kind"), RECRUITER_ACTIONS)
@pytest.mark.parametrize("role", ["manager", "candidate"])
def test_recruiter_actions_answer_403_to_other_roles_and_405_to_get(
    client, world, name, kind, role
):
    from candidates.models import CandidateTask, SavedSearch

    recruiter = world["recruiter"]
    person = f.CandidateFactory()
    objects = {
        "candidate": person.pk,
        "task": CandidateTask.objects.create(
            candidate=person, title="t", due_on="2026-01-01", assignee=recruiter
        ).pk,
        "search": SavedSearch.objects.create(owner=recruiter, name="s", query="q=x").pk,
        "pool": TalentPool.objects.get().pk,
    }
    url = reverse(name, args=[objects[kind]]) if kind else reverse(name)
    client.force_login(world[role])
    before = AuditEvent.objects.count()
    data = {"text": "x", "title": "x", "name": "x", "query": "q=x", "pool": objects["pool"]}
    assert client.post(url, {**data, "candidate": person.pk}).status_code == 403
    assert AuditEvent.objects.count() == before
    client.force_login(recruiter)
    assert client.get(url).status_code == 405


def _api_routes() -> list[str]:
    """Every REST API route (the DRF views under api/v1/), with ids filled in."""
    import re

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield prefix + str(pattern.pattern)

    routes = []
    for route in walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or "format" in route:
            continue
        path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "1", route)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        if path != "api/v1/":  # the catch-all: any other address answers 404
            routes.append("/" + path)
    return sorted(set(routes))


def test_every_api_route_needs_a_key_and_the_docs_are_public(client, world):
    """The API authenticates by company key only: a logged-in session is not enough (another
    company's ids are checked per endpoint in tests/api/)."""
    routes = _api_routes()
    assert "/api/v1/requests/" in routes and "/api/v1/placements/1/feedback/" in routes
    client.force_login(world["manager"])
    for route in routes:
        response = client.get(route)
        assert response.status_code == 401, route
        assert response["Content-Type"] == "application/problem+json", route
    client.logout()
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


def test_the_back_office_pages_are_checked():
    names = {name for name, _needs, _admitted in PAGES}
    assert {
        "agency_clients",
        "agency_client_new",
        "agency_client_detail",
        "agency_client_edit",
        "agency_client_terms",
        "agency_site_new",
        "agency_site_edit",
        "agency_profile_new",
        "agency_profile_edit",
        "agency_profile_weights",
        "agency_profile_weights_preview",
        "agency_contact_invite",
        "agency_contact_edit",
        "agency_phone_order",
    } <= names


# The back office's POST-only actions, on the world's client manager (their membership).
BACK_OFFICE_ACTIONS = ["agency_contact_deactivate", "agency_contact_activate"]


@pytest.mark.parametrize("name", BACK_OFFICE_ACTIONS)
@pytest.mark.parametrize("role", [*ROLES, None])
def test_back_office_actions_are_post_only_for_the_agency(client, world, name, role):
    membership = world["manager"].client_membership
    url = reverse(name, args=[membership.pk])
    if role is not None:
        client.force_login(world[role])
    before = AuditEvent.objects.count()
    response = client.get(url)
    if role is None:
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif role == "recruiter":
        assert response.status_code == 405
    else:
        assert response.status_code == 403
        assert client.post(url).status_code == 403
    assert AuditEvent.objects.count() == before
    world["manager"].refresh_from_db()
    assert world["manager"].is_active
