"""Candidate pages say what they do: the availability page saves each tap (its Save button is
only for browsers without JavaScript), and every tab of the candidate's menu is in the page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

TABS = (
    "candidate_home",
    "candidate_profile",
    "candidate_availability",
    "candidate_languages",
    "candidate_skills",
    "candidate_experience",
    "candidate_cv",
    "candidate_visibility",
    "candidate_privacy",
    "candidate_data",
)


@pytest.fixture
def me(client):
    user = f.CandidateUserFactory()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def test_the_availability_page_says_taps_save_and_shows_save_only_without_script(client, me):
    html = client.get(reverse("candidate_availability")).content.decode()
    assert "Each tap is saved at once." in html
    assert "Changes are saved as you tap" not in html
    assert 'hx-post="{}"'.format(reverse("candidate_availability")) in html
    # The Save button is there for browsers without JavaScript only.
    before, _sep, after = html.partition("<noscript>")
    assert 'type="submit">Save</button>' not in before.split('id="availability-form"')[1]
    assert 'type="submit">Save</button>' in after.split("</noscript>")[0]


def test_saving_without_script_still_works(client, me):
    response = client.post(reverse("candidate_availability"), {"cell_0_0": "on"})
    assert response.status_code == 302
    me.candidate.refresh_from_db()
    assert me.candidate.availability


def test_the_menu_wraps_and_holds_every_tab(client, me):
    html = client.get(reverse("candidate_home")).content.decode()
    nav = html[
        html.index('class="candidate-nav') : html.index("</nav>", html.index("candidate-nav"))
    ]
    assert "flex-wrap" in nav and "flex-nowrap" not in nav and "overflow-auto" not in nav
    for name in TABS:
        assert f'href="{reverse(name)}"' in nav
