"""The recruiters' board shows 30 requests a page (it is polled every second)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from staffing.views.recruiter import BOARD_PAGE_ROWS
from tests import factories as f

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-request="(\d+)"', response.content.decode())]


def test_the_board_is_paged(client):
    f.StaffingRequestFactory.create_batch(BOARD_PAGE_ROWS + 5)
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_board")

    first = client.get(url, {"status": "all"})
    second = client.get(url, {"status": "all", "page": "2"})

    assert len(shown(first)) == BOARD_PAGE_ROWS
    assert len(shown(second)) == 5
    assert not set(shown(first)) & set(shown(second))
    assert "page=2" in first.content.decode() and "page=1" in second.content.decode()
    polled = client.get(url, {"status": "all", "page": "2"}, headers={"HX-Request": "true"})
    assert shown(polled) == shown(second)  # the poll keeps the page


def test_a_page_past_the_end_or_nonsense_is_not_an_error(client):
    f.StaffingRequestFactory()
    client.force_login(f.RecruiterFactory())
    url = reverse("recruiter_board")
    assert shown(client.get(url, {"status": "all", "page": "99999999999"})) == []
    assert len(shown(client.get(url, {"status": "all", "page": "-3x"}))) == 1
