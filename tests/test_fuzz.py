"""Hostile input on every page, as every role: no server error, no unescaped reflection.

Every URL pattern (ours, allauth's and the admin's lists) is opened with every query parameter a
view reads set to a nasty value, and every form a page shows is posted back with nasty values in
each field. Hypothesis then mixes patterns, roles, parameters and values at random. Bounded: the
whole module runs in about a minute.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.models import Candidate
from staffing.models import Offer, Placement, User
from staffing.services.offers import offer_wave_send
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
NASTY = [
    "²",
    "١٢٣",
    "𝟙𝟚",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "1.5",
    " 7 ",
    "",
    "null",
    "[]",
    "ab\x00cd",
    "'",
    "' OR 1=1 --",
    *XSS,
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/x",
    "../../etc/passwd",
    "\u202etxt.exe",
    "%",
    "{{ 7|add:7 }}",
    "admin:index",
    "recruiter_board",
    "2024-02-30",
    "0001-01-01",
    "\r\nSet-Cookie: x=y",
    "a" * 3000,
    "NaN",
]
# Every name a view of ours reads from GET or POST (staffing/request_params.py), and Django
# admin's list parameters.
PARAMS = [
    "company",
    "status",
    "date",
    "q",
    "repeat",
    "service_profile",
    "show",
    "next",
    "entry",
    "candidate",
    "action",
    "reason",
    "answer",
    "give",
    "statement",
    "o",
    "p",
    "e",
    "all",
    "role__exact",
]
ROLES = ["anonymous", "candidate", "manager", "recruiter", "admin", "staff_without_mfa"]
# Admin pages beyond the lists and the index add nothing here but time.
ADMIN_NAME = re.compile(r"^admin:(index|.*_changelist)$")
SKIPPED_NAMESPACES = {"djdt"}


@pytest.fixture
def world():
    approved = approved_request(headcount=1, people=3)
    offer_wave_send(staffing_request=approved.request, by=None)
    return {
        "users": {
            "candidate": approved.people[0],
            "manager": approved.manager,
            "recruiter": f.RecruiterFactory(),
            "admin": f.UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True),
            "staff_without_mfa": f.RecruiterFactory(second_factor=False),
        },
        "ids": sorted(
            {
                approved.request.pk,
                approved.request.service_profile_id,
                *Candidate.objects.values_list("pk", flat=True)[:3],
                *Offer.objects.values_list("pk", flat=True)[:2],
                *Placement.objects.values_list("pk", flat=True)[:2],
                0,
                2**31,
            }
        ),
    }


def _patterns(resolver=None, namespace=""):
    """(qualified name, {argument: is an int}) of every named URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = namespace + pattern.name
            if name.startswith("admin:") and not ADMIN_NAME.match(name):
                continue
            converters = getattr(pattern.pattern, "converters", {})
            groups = re.compile(str(pattern.pattern.regex.pattern)).groupindex
            args = {arg: isinstance(converters.get(arg), IntConverter) for arg in groups}
            yield name, args


PATTERNS = sorted(dict(_patterns()).items())


def _url(name: str, args: dict[str, bool], ids: list[int], pick: int) -> str | None:
    values = {
        arg: ids[(pick + i) % len(ids)] if is_int else "x" * (8 + pick % 5)
        for i, (arg, is_int) in enumerate(args.items())
    }
    try:
        return reverse(name, kwargs=values)
    except NoReverseMatch:
        return None


def _client(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        user = world["users"][role]
        if not User.objects.filter(pk=user.pk).exists():  # erased by a fuzzed post
            user = world["users"][role] = f.CandidateUserFactory()
        client.force_login(user)
    return client


FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.I | re.S)
ACTION = re.compile(r'<form\b[^>]*\baction="([^"]*)"', re.I)


def _forms(url: str, html: str) -> list[tuple[str, list[str]]]:
    """(action, field names) of every POST form on a page."""
    forms = []
    for match in FORM.finditer(html):
        action = ACTION.search(match.group(0))
        target = action.group(1).replace("&amp;", "&") if action and action.group(1) else url
        fields = [n for n in FIELD.findall(match.group(1)) if n != "csrfmiddlewaretoken"]
        forms.append((target, fields))
    return forms


def _check(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"
    if "html" in response.get("Content-Type", ""):
        body = response.content.decode(errors="replace")
        for marker in XSS:
            assert marker not in body, f"{what} reflected {marker!r} unescaped"
    location = response.get("Location", "")
    off_site = location.startswith("//") or urlsplit(location).netloc not in ("", "testserver")
    assert not off_site, f"{what} redirected off the site: {location[:200]}"


def test_every_page_and_form_as_every_role_survives_nasty_input(world):
    assert len(PATTERNS) > 60
    values = itertools.cycle(NASTY)
    requests = 0
    for role in ROLES:
        client = _client(world, role)
        for pick, (name, args) in enumerate(PATTERNS):
            url = _url(name, args, world["ids"], pick)
            if url is None:
                continue
            query = {param: next(values) for param in PARAMS}
            response = client.get(url, query)
            requests += 1
            _check(response, f"GET {url} as {role}")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for action, fields in _forms(url, response.content.decode()):
                if not action.startswith("/") or action.startswith("/accounts/logout/"):
                    continue
                data = {field: next(values) for field in fields}
                _check(client.post(action, data), f"POST {action} {sorted(data)} as {role}")
                requests += 1
                if "_auth_user_id" not in client.session and role != "anonymous":
                    client = _client(world, role)
    assert requests > 500


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    role=st.sampled_from(ROLES),
    pattern=st.sampled_from(PATTERNS),
    pick=st.integers(min_value=0, max_value=20),
    method=st.sampled_from(["get", "post"]),
    params=st.dictionaries(
        st.sampled_from(PARAMS),
        st.one_of(st.sampled_from(NASTY), st.text(max_size=30)),
        max_size=5,
    ),
)
def test_random_nasty_requests_never_fail(world, role, pattern, pick, method, params):
    name, args = pattern
    url = _url(name, args, world["ids"], pick)
    if url is None:
        return
    params = {key: value.replace("\x00", "") or "x" for key, value in params.items()}
    client = _client(world, role)
    _check(getattr(client, method)(url, params), f"{method.upper()} {url} {params} as {role}")
