"""The client manager's and recruiter's journey pages: each works for the right user, refuses
the others (anonymous → log in, wrong role 403, another company 404), GET changes nothing, and
a POST goes through one service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from clients.models import CandidateMark
from staffing.models import (
    AuditEvent,
    Placement,
    PresentedDecline,
    ServiceRating,
    ShortlistEdit,
    StaffingRequest,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    profile = f.ServiceProfileFactory()
    manager = f.ClientManagerFactory(company=profile.company)
    req = f.StaffingRequestFactory(service_profile=profile, status="approved", headcount=1)
    shift = f.ShiftFactory(request=req)
    recruiter = f.RecruiterFactory()
    shortlist = f.ShortlistFactory(request=req, approved_at=timezone.now(), approved_by=recruiter)
    proposed = f.ShortlistEntryFactory(shortlist=shortlist, rank=1)
    placed_entry = f.ShortlistEntryFactory(shortlist=shortlist, rank=2)
    placement = f.PlacementFactory(shift=shift, candidate=placed_entry.candidate)
    return {
        "manager": manager,
        "recruiter": recruiter,
        "candidate": f.CandidateUserFactory(),
        "stranger": f.ClientManagerFactory(),
        "req": req,
        "shortlist": shortlist,
        "proposed": proposed,
        "placement": placement,
    }


def _end_shift(placement: Placement) -> None:
    start = timezone.now() - dt.timedelta(hours=6)
    end = start + dt.timedelta(hours=5)
    placement.shift.starts_at, placement.shift.ends_at = start, end
    placement.shift.save()
    Placement.objects.filter(pk=placement.pk).update(
        period=DateTimeTZRange(start, end),
        blocked=DateTimeTZRange(*Placement.blocked_range(start, end)),
    )


def _client_pages(w):
    return [
        reverse("client_person_decline", args=[w["req"].pk, w["proposed"].candidate_id]),
        reverse("client_feedback", args=[w["placement"].pk]),
    ]


def test_client_pages_refuse_everyone_else(client, world):
    for url in _client_pages(world):
        client.logout()
        assert client.get(url).url.startswith(reverse("account_login"))
        for role in ("recruiter", "candidate"):
            client.force_login(world[role])
            assert client.get(url).status_code == 403
        client.force_login(world["stranger"])
        assert client.get(url).status_code == 404
        client.force_login(world["manager"])
        before = AuditEvent.objects.exclude(action="candidate.viewed_by_client").count()
        assert client.get(url).status_code == 200
        assert AuditEvent.objects.exclude(action="candidate.viewed_by_client").count() == before


def test_presented_people_show_first_names_until_placed_and_views_are_logged(client, world):
    proposed, placed = world["proposed"].candidate, world["placement"].candidate
    # A last name nobody else in the world has: the factories may give the placed person the same.
    proposed.last_name = "Uniquelastname"
    proposed.save(update_fields=["last_name"])
    client.force_login(world["manager"])
    html = client.get(reverse("client_request_detail", args=[world["req"].pk])).content.decode()
    assert proposed.first_name in html and proposed.last_name not in html
    assert placed.full_name in html and placed.phone in html
    levels = dict(
        AuditEvent.objects.filter(action="candidate.viewed_by_client").values_list(
            "candidate_id", "data__seen"
        )
    )
    assert levels == {proposed.pk: "summary", placed.pk: "contact"}
    # The live part, polled, logs nobody new.
    client.get(reverse("client_request_people", args=[world["req"].pk]))
    assert AuditEvent.objects.filter(action="candidate.viewed_by_client").count() == 2


def test_nobody_is_presented_before_approval(client, world):
    world["shortlist"].approved_at = None
    world["shortlist"].save()
    proposed = world["proposed"].candidate
    proposed.first_name = "Uniquefirstname"  # the factories may repeat the placed person's
    proposed.save(update_fields=["first_name"])
    client.force_login(world["manager"])
    html = client.get(reverse("client_request_detail", args=[world["req"].pk])).content.decode()
    assert proposed.first_name not in html
    url = reverse("client_person_decline", args=[world["req"].pk, world["proposed"].candidate_id])
    assert client.get(url).status_code == 404


def test_decline_needs_a_reason_and_keeps_the_page(client, world):
    client.force_login(world["manager"])
    person = world["placement"].candidate
    url = reverse("client_person_decline", args=[world["req"].pk, person.pk])
    response = client.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(url, {"reason": "Needs till experience"})
    assert response.url == reverse("client_request_detail", args=[world["req"].pk])
    assert PresentedDecline.objects.get().candidate == person
    assert Placement.objects.get(pk=world["placement"].pk).status == "cancelled"


def test_cancel_the_request(client, world):
    client.force_login(world["manager"])
    url = reverse("client_request_cancel", args=[world["req"].pk])
    client.post(url, {"shift": "", "reason": "Store closed"})
    assert StaffingRequest.objects.get(pk=world["req"].pk).status == "cancelled"


def test_rating_waits_for_the_end_of_the_shift_then_feeds_marks(client, world):
    client.force_login(world["manager"])
    url = reverse("client_feedback", args=[world["placement"].pk])
    response = client.post(url, {"score": "5", "comment": "Great"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "once the shift is over" in response.content.decode()
    assert "Great" in response.content.decode()
    _end_shift(world["placement"])
    client.post(url, {"score": "5", "comment": "Great", "mark": "favourite"})
    assert ServiceRating.objects.get().score == 5
    assert CandidateMark.objects.get().kind == "favourite"


def test_no_show_report(client, world):
    _end_shift(world["placement"])
    client.force_login(world["manager"])
    client.post(reverse("client_no_show", args=[world["placement"].pk]), {"reason": "Absent"})
    assert Placement.objects.get(pk=world["placement"].pk).status == "no_show"
    client.force_login(world["stranger"])
    assert client.post(reverse("client_no_show", args=[world["placement"].pk])).status_code == 404


def test_repeat_prefills_everything_but_the_dates(client, world):
    req = world["req"]
    f.RequestLanguageFactory(request=req, language="sv", level=3)
    req.notes = "Back door"
    req.save()
    client.force_login(world["manager"])
    response = client.get(reverse("client_request_new") + f"?repeat={req.pk}")
    assert response.context["form"].initial["notes"] == "Back door"
    assert response.context["languages"].initial[0]["language"] == "sv"
    assert "date" not in response.context["shifts"].initial[0]
    client.force_login(world["stranger"])
    assert client.get(reverse("client_request_new") + f"?repeat={req.pk}").status_code == 404


def test_changing_the_profile_prefills_its_languages(client, world):
    other = f.ServiceProfileFactory(site=world["req"].site, company=world["req"].company)
    f.ProfileLanguageFactory(profile=other, language="en", level=5)
    client.force_login(world["manager"])
    response = client.get(reverse("client_request_new"), {"service_profile": other.pk})
    assert response.context["languages"].initial == [{"language": "en", "level": 5}]


def test_estimate_answers_with_a_time_from_similar_requests(client, world):
    profile = world["req"].service_profile
    for n in range(1, 11):
        req = f.StaffingRequestFactory(service_profile=profile, urgency="urgent", status="filled")
        created = timezone.now() - dt.timedelta(days=n)
        StaffingRequest.objects.filter(pk=req.pk).update(
            created_at=created, filled_at=created + dt.timedelta(hours=2)
        )
    client.force_login(world["manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = {
        "service_profile": profile.pk,
        "urgency": "urgent",
        "headcount": "1",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-0-date": tomorrow,
        "shifts-0-start": "23:00",
        "shifts-0-end": "23:30",
        "languages-TOTAL_FORMS": "0",
        "languages-INITIAL_FORMS": "0",
    }
    response = client.get(reverse("client_request_estimate"), data)
    estimate = response.context["estimate"]
    assert estimate.history.filled == 10 and estimate.history.median == dt.timedelta(hours=2)
    assert "Usually filled in about <strong>2 h</strong>" in response.content.decode()
    data["headcount"] = "x"
    bad = client.get(reverse("client_request_estimate"), data)
    assert bad.status_code == 200 and bad.context["estimate"] is None


def test_request_list_filters(client, world):
    client.force_login(world["manager"])
    assert world["req"] in client.get(reverse("client_requests")).context["requests"]
    assert (
        world["req"]
        not in client.get(reverse("client_requests") + "?show=past").context["requests"]
    )


def test_recruiter_approves_edits_and_adds(client, world):
    req = f.StaffingRequestFactory(status="shortlisted")
    f.ShiftFactory(request=req)
    shortlist = f.ShortlistFactory(request=req)
    first = f.ShortlistEntryFactory(shortlist=shortlist, rank=1)
    f.ShortlistEntryFactory(shortlist=shortlist, rank=2)
    client.force_login(world["recruiter"])
    edit = reverse("recruiter_shortlist_edit", args=[req.pk])
    response = client.post(edit, {"entry": first.pk, "action": "down", "reason": ""}, follow=True)
    assert "Give a reason" in response.content.decode() or ShortlistEdit.objects.count() == 0
    client.post(edit, {"entry": first.pk, "action": "down", "reason": "Client prefers B"})
    assert shortlist.ranked.last().pk == first.pk
    found = f.CandidateFactory(first_name="Zelda")
    search = client.get(reverse("recruiter_candidate_search", args=[req.pk]), {"q": "zelda"})
    assert "Zelda" in search.content.decode()
    client.post(
        reverse("recruiter_shortlist_add", args=[req.pk]),
        {"candidate": found.pk, "reason": "Knows the store"},
    )
    assert shortlist.ranked.filter(candidate=found).exists()
    client.force_login(world["manager"])
    assert client.post(reverse("recruiter_shortlist_approve", args=[req.pk])).status_code == 403
    assert client.get(reverse("recruiter_shortlist_approve", args=[req.pk])).status_code == 403


def test_approval_is_post_only(client, world):
    client.force_login(world["recruiter"])
    assert (
        client.get(reverse("recruiter_shortlist_approve", args=[world["req"].pk])).status_code
        == 405
    )


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_a_person_no_longer_placed_is_not_shown_to_the_client(client, world, status):
    """Their name is the client's to see only while they are placed with them."""
    Placement.objects.filter(pk=world["placement"].pk).update(status=status)
    client.force_login(world["manager"])
    response = client.get(reverse("client_feedback", args=[world["placement"].pk]))
    assert response.status_code == 404
    assert world["placement"].candidate.last_name not in response.content.decode()
    no_show = client.post(reverse("client_no_show", args=[world["placement"].pk]))
    assert no_show.status_code == 404
    assert Placement.objects.get(pk=world["placement"].pk).status == status


def test_the_recruiter_records_a_no_show_through_the_scoped_lookup(client, world):
    _end_shift(world["placement"])
    client.force_login(world["recruiter"])
    url = reverse("recruiter_placement_no_show", args=[world["placement"].pk])
    assert client.post(url, {"reason": "Absent"}).status_code == 302
    assert Placement.objects.get(pk=world["placement"].pk).status == "no_show"
    assert client.post(reverse("recruiter_placement_no_show", args=[999999])).status_code == 404


def test_request_list_is_paged(client, world):
    from clients.views import LIST_PAGE_ROWS

    profile = world["req"].service_profile
    f.StaffingRequestFactory.create_batch(LIST_PAGE_ROWS + 2, service_profile=profile)
    client.force_login(world["manager"])
    url = reverse("client_requests") + "?show=all"
    first, second = client.get(url), client.get(url + "&page=2")

    assert len(first.context["requests"]) == LIST_PAGE_ROWS
    assert len(second.context["requests"]) == 3  # the two more and the world's own
    assert not {r.pk for r in first.context["requests"]} & {
        r.pk for r in second.context["requests"]
    }
    assert "page=2" in first.content.decode() and "page=1" in second.content.decode()
    assert client.get(url + "&page=x9").status_code == 200
