"""The recruiter's request page: with a full shortlist it stays small (twenty short rows, each
entry's full account fetched when opened); its status badge, Progress, placed people and live
offers panel say the same thing; curation stops at approval; every name links to the person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from staffing.models import ShortlistEdit, StaffingRequest
from staffing.services.matching import shortlist_build
from staffing.services.offers import offer_accept, offer_wave_send
from staffing.services.pool import pool_reset
from staffing.services.shortlists import shortlist_approve
from tests import factories as f
from tests.staffing.approved_requests import approved_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The texts below are checked in English; the site's default language is Finnish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


PAGE_BUDGET_BYTES = 60_000


VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    """What a test reads of one element of a page: its attributes, text, links and children."""

    attrs: dict[str, str]
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    loose: list[str] = field(default_factory=list)  # text outside any link
    items: int = 0  # children marked data-placement


class _Finder(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id, self.found, self.depth = element_id, None, 0
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if self.found is None and attributes.get("id") == self.element_id and not self.depth:
            self.found, self.depth = Element(attributes), 1
        elif self.depth and tag not in VOID:
            self.depth += 1
            self.href = attributes.get("href") if tag == "a" else self.href
            if "data-placement" in attributes:
                self.found.items += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1
            if tag == "a":
                self.href = None

    def handle_data(self, data):
        if self.depth:
            self.found.text += data
            if self.href is not None:
                self.found.links.append((self.href, data.strip()))
            elif data.strip():
                self.found.loose.append(data.strip())


def element(html: str, element_id: str) -> Element:
    finder = _Finder(element_id)
    finder.feed(html)
    assert finder.found is not None, element_id
    finder.found.text = " ".join(finder.found.text.split())
    return finder.found


@pytest.fixture
def full_request():
    req = f.StaffingRequestFactory(headcount=2)
    f.ShiftFactory(request=req)
    f.RequestLanguageFactory(request=req, language="fi", level=4, reason="Customers")
    till = f.SkillFactory(code="till")
    req.required_skills.add(till)
    for i in range(60):
        person = f.CandidateFactory(latitude=60.17 + i * 0.002, longitude=24.94 + i * 0.003)
        f.CandidateLanguageFactory(candidate=person, language="fi", level=5)
        f.CandidateLanguageFactory(candidate=person, language="en", level=4)
        f.AssessmentFactory(candidate=person)
        f.CandidateSkillFactory(candidate=person, skill=till, level=2)
    pool_reset()
    shortlist = shortlist_build(request_id=req.pk)
    pool_reset()
    assert shortlist.ranked.count() == 50
    return req


def test_fifty_entries_fit_the_page_budget(client, full_request):
    client.force_login(f.RecruiterFactory())
    response = client.get(reverse("recruiter_request_detail", args=[full_request.pk]))
    assert response.status_code == 200
    assert len(response.content) <= PAGE_BUDGET_BYTES, len(response.content)
    html = response.content.decode()
    assert html.count('data-candidate="') == 20
    assert "Show 30 more" in html or "Näytä 30 lisää" in html
    assert "sl-passed" not in html  # no full account is sent with the page


def test_the_other_rows_come_when_asked_for(client, full_request):
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_shortlist_rows", args=[full_request.pk])
    html = client.get(f"{url}?start=20", headers={"HX-Request": "true"}).content.decode()
    assert html.count('data-candidate="') == 30
    assert 'data-entry="' in html and "sl-detail" in html
    assert client.get(f"{url}?start=x").status_code == 200  # bad input: from the start


def test_an_entry_s_account_is_sent_when_opened(client, full_request):
    entry = full_request.current_shortlist.ranked.first()
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_shortlist_entry_explanation", args=[full_request.pk, entry.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "sl-passed" in html and "sl-factors" in html
    assert 'name="reason"' in html and 'value="up"' in html  # curation beside the account


def test_an_entry_of_another_request_or_for_another_role_is_not_found(client, full_request):
    entry = full_request.current_shortlist.ranked.first()
    other = f.StaffingRequestFactory()
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_shortlist_entry_explanation", args=[other.pk, entry.pk])
    assert client.get(url).status_code == 404
    own = reverse("recruiter_shortlist_entry_explanation", args=[full_request.pk, entry.pk])
    client.force_login(f.ClientManagerFactory(company=full_request.company))
    assert client.get(own).status_code == 403
    client.force_login(f.CandidateUserFactory())
    assert client.get(own).status_code == 403


@pytest.fixture
def filled():
    """A request for two whose two places were taken by the first two people offered."""
    world = approved_request(headcount=2, people=4)
    offers = offer_wave_send(staffing_request=world.request, by=None)
    for offer in offers[:2]:
        offer_accept(offer=offer, by=offer.candidate.user)
    world.request.refresh_from_db()
    assert world.request.status == StaffingRequest.Status.FILLED
    return world


def _status_parts(html: str) -> dict[str, str]:
    """The badge, the confirmed step, the offers panel's summary and how many are placed."""
    badge = element(html, "request-badge")
    progress = element(html, "request-progress").text
    return {
        "badge": badge.attrs["data-status"],
        "badge_text": badge.text,
        "confirmed": progress[progress.index("People confirmed") :][
            : len("People confirmed (2 of 2)")
        ],
        "summary": element(html, "offers-summary").text,
        "placed": str(element(html, "placements").items),
    }


def test_a_filled_request_reads_filled_everywhere_on_the_page(client, filled):
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[filled.request.pk])).content
    parts = _status_parts(html.decode())
    assert parts["badge"] == "filled" and parts["badge_text"] == "Filled"
    assert parts["confirmed"] == "People confirmed (2 of 2)"
    assert parts["summary"] == "0 places open · Filled"
    assert parts["placed"] == "2"
    assert "Nobody placed yet" not in html.decode()


def test_the_live_panel_carries_the_badge_and_progress_so_the_page_moves_together(client, filled):
    """The page was loaded while offers were out; the panel's next poll brings the new status
    for the badge and Progress too (hx-swap-oob), read from the same data."""
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_request_offers", args=[filled.request.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert (
        'id="request-badge" class="badge text-bg-success" data-status="filled" hx-swap-oob' in html
    )
    assert 'id="request-progress" hx-swap-oob="true"' in html
    assert _status_parts(html) == {
        "badge": "filled",
        "badge_text": "Filled",
        "confirmed": "People confirmed (2 of 2)",
        "summary": "0 places open · Filled",
        "placed": "2",
    }


def test_while_offers_are_out_every_part_says_so(client):
    world = approved_request(headcount=2, people=4)
    [first, *_rest] = offer_wave_send(staffing_request=world.request, by=None)
    offer_accept(offer=first, by=first.candidate.user)
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[world.request.pk])).content
    parts = _status_parts(html.decode())
    assert parts["badge"] == "offering" and parts["badge_text"] == "Offers sent"
    assert parts["confirmed"] == "People confirmed (1 of 2)"
    assert parts["summary"] == "1 place open · Offers sent"
    assert parts["placed"] == "1"


def test_the_offers_panel_comes_before_the_shortlist(client, full_request):
    shortlist_approve(shortlist=full_request.current_shortlist, by=f.RecruiterFactory())
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[full_request.pk])).content
    html = html.decode()
    assert 0 < html.index('id="offers-panel"') < html.index('id="shortlist-entries"')


def test_after_approval_nobody_can_be_moved_or_removed(client, full_request):
    """The controls are gone from the page and from an opened entry, and a posted change is
    refused with a message; adding at the end stays possible for the next waves."""
    recruiter = f.RecruiterFactory()
    shortlist = full_request.current_shortlist
    entry = shortlist.ranked.get(rank=2)
    client.force_login(recruiter)
    detail = reverse("recruiter_shortlist_entry_explanation", args=[full_request.pk, entry.pk])
    assert 'value="up"' in client.get(detail).content.decode()
    shortlist_approve(shortlist=shortlist, by=recruiter)
    assert 'value="up"' not in client.get(detail).content.decode()
    assert 'value="remove"' not in client.get(detail).content.decode()
    page = client.get(reverse("recruiter_request_detail", args=[full_request.pk])).content
    assert b'id="approve-form"' not in page and b'id="search-form"' in page
    edit = reverse("recruiter_shortlist_edit", args=[full_request.pk])
    for action in ("up", "remove"):
        response = client.post(
            edit, {"entry": entry.pk, "action": action, "reason": "Client asked"}, follow=True
        )
        assert "nobody can be moved or removed" in response.content.decode()
    assert shortlist.ranked.get(rank=2) == entry
    assert not ShortlistEdit.objects.filter(shortlist=shortlist).exists()


def test_the_offers_address_opened_directly_is_the_request_page_at_the_panel(client, filled):
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_request_offers", args=[filled.request.pk])
    response = client.get(url)
    page = reverse("recruiter_request_detail", args=[filled.request.pk])
    assert response.status_code == 302 and response.url == f"{page}#offers-panel"
    html = client.get(response.url).content.decode()
    assert "<!doctype html>" in html and 'id="offers-panel"' in html and "app.css" in html
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<!doctype html>" not in fragment and 'id="offers-panel"' in fragment
    client.force_login(filled.manager)
    assert client.get(url).status_code == 403
    client.force_login(filled.people[0])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 403
    client.logout()
    assert client.get(url).url.startswith(reverse("account_login"))


def test_every_name_on_the_request_page_links_to_the_person(client, filled):
    """Placed people, the offers table, the shortlist and the timeline."""
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[filled.request.pk])).content
    html = html.decode()
    offered = filled.request.offers.select_related("candidate")
    names = {o.candidate.full_name for o in offered}
    for where in ("placements", "offer-rows", "shortlist-entries", "timeline"):
        part = element(html, where)
        assert not names & set(part.loose), (where, names & set(part.loose))
        for offer in offered:
            link = (
                reverse("recruiter_candidate_detail", args=[offer.candidate_id]),
                offer.candidate.full_name,
            )
            placed = filled.request.placements.filter(candidate_id=offer.candidate_id).exists()
            if where in ("offer-rows", "shortlist-entries") or placed:
                assert link in part.links, (where, link)


def test_the_board_counts_confirmed_people_as_the_request_page_does(client):
    """Two shifts for two: both people on the first, one on the second. One person is confirmed
    for every shift, on the board and on the page alike (not the two distinct people)."""
    world = approved_request(headcount=2, people=2, shifts=2)
    first, second = world.request.shifts.order_by("starts_at")
    for shift, users in ((first, world.people), (second, world.people[:1])):
        for user in users:
            f.PlacementFactory(shift=shift, candidate=user.candidate, status="confirmed")
    client.force_login(f.RecruiterFactory())
    board = client.get(reverse("recruiter_board")).content.decode()
    row = board[board.index(f'data-request="{world.request.pk}"') :]
    assert re.search(r"</span> 1 / 2</td>", row[: row.index("</tr>")])
    page = client.get(reverse("recruiter_request_detail", args=[world.request.pk])).content
    assert _status_parts(page.decode())["confirmed"] == "People confirmed (1 of 2)"


def test_while_matching_runs_the_polled_shortlist_brings_the_badge_along(client):
    """The page polls for the shortlist; the answer carries the badge and Progress too."""
    req = f.StaffingRequestFactory(status="received")
    f.ShiftFactory(request=req)
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_request_detail", args=[req.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<!doctype html>" not in html and 'id="shortlist"' in html
    assert 'data-status="received" hx-swap-oob="true"' in html
    assert 'id="request-progress" hx-swap-oob="true"' in html


def test_a_request_filled_without_offers_shows_its_person_and_says_no_offers_went_out(client):
    """As the demo's filled request: a placement made by hand, no shortlist, no offers."""
    req = f.StaffingRequestFactory(status=StaffingRequest.Status.FILLED, headcount=1)
    placement = f.PlacementFactory(shift=f.ShiftFactory(request=req), status="completed")
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[req.pk])).content.decode()
    assert _status_parts(html)["placed"] == "1"
    assert _status_parts(html)["confirmed"] == "People confirmed (1 of 1)"
    assert reverse("recruiter_candidate_detail", args=[placement.candidate_id]) in html
    assert "No offers were sent for this request." in element(html, "no-offers").text


def test_a_final_request_without_a_shortlist_does_not_wait_for_matching(client):
    req = f.StaffingRequestFactory(status=StaffingRequest.Status.CANCELLED)
    f.ShiftFactory(request=req)
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[req.pk])).content.decode()
    assert 'id="shortlist"' in html and "Matching is running" not in html
    assert 'hx-trigger="every 1s"' not in html
    waiting = f.StaffingRequestFactory(status=StaffingRequest.Status.RECEIVED)
    f.ShiftFactory(request=waiting)
    html = client.get(reverse("recruiter_request_detail", args=[waiting.pk])).content.decode()
    assert "Matching is running" in html and 'hx-trigger="every 1s"' in html


@pytest.mark.parametrize("shortlist", ["none", "unapproved"])
def test_a_request_filled_past_its_shortlist_shows_those_steps_as_skipped(client, shortlist):
    """As on the client's page: "Filled" never stands next to an unchecked "Shortlist ready";
    the recruiter sees the steps the request went past marked skipped, not waiting."""
    req = f.StaffingRequestFactory(status=StaffingRequest.Status.FILLED, headcount=1)
    f.PlacementFactory(shift=f.ShiftFactory(request=req))
    if shortlist == "unapproved":
        f.ShortlistFactory(request=req)
    client.force_login(f.RecruiterFactory())
    html = client.get(reverse("recruiter_request_detail", args=[req.pk])).content.decode()
    progress = html[html.index('id="request-progress"') :]
    progress = progress[: progress.index("</ol>")]
    steps = re.findall(
        r'<li class="status-step ([a-z]+)[^"]*"[^>]*><i class="bi ([\w-]+)', progress
    )
    assert "bi-circle" not in [icon for _c, icon in steps] and steps[-1][0] == "done"
    skipped = re.findall(r"<s>([^<]+)</s> <span[^>]*>\(skipped\)", progress)
    expected = ["Approved by the agency", "Offers sent"]
    assert skipped == (["Shortlist ready", *expected] if shortlist == "none" else expected)
    assert "Filled" in progress and "People confirmed" in progress
