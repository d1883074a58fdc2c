"""The order form: site and service profile are one choice, the first screen holds only what
every order needs, and the languages and skills behind "more" start from the profile."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from clients.forms import StaffingRequestForm, profile_choice_label, profile_choices
from staffing.models import StaffingRequest
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """A retail chain whose site names all start with its brand; Pasila has two profiles."""
    company = f.ClientCompanyFactory(name="Kotimarket Oy")
    kamppi = f.SiteFactory(company=company, name="Kotimarket Kamppi", city="Helsinki")
    pasila = f.SiteFactory(company=company, name="Kotimarket Pasila", city="Helsinki")
    hervanta = f.SiteFactory(company=company, name="Kotimarket Hervanta", city="Tampere")
    profiles = {
        "kamppi": f.ServiceProfileFactory(
            site=kamppi, company=company, name="Kotimarket Kamppi: Kassa"
        ),
        "pasila": f.ServiceProfileFactory(site=pasila, company=company, name="Iltakassa"),
        "pasila_sv": f.ServiceProfileFactory(site=pasila, company=company, name="Svensk kassa"),
        "hervanta": f.ServiceProfileFactory(site=hervanta, company=company, name="Kassa"),
    }
    f.ServiceProfileFactory(site=hervanta, company=company, name="Old", is_active=False)
    manager = f.ClientManagerFactory(company=company)
    return {"company": company, "profiles": profiles, "manager": manager}


def _post(profile, **overrides) -> dict:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {
        "service_profile": profile.pk,
        "urgency": "urgent",
        "headcount": "1",
        "notes": "Ask for Sanna at the info desk",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-0-date": tomorrow.isoformat(),
        "shifts-0-start": "16:00",
        "shifts-0-end": "21:00",
        "languages-TOTAL_FORMS": "1",
        "languages-INITIAL_FORMS": "0",
        "languages-0-language": "fi",
        "languages-0-level": "4",
        "languages-0-reason": "",
    }
    data.update(overrides)
    return data


def test_a_choice_names_the_site_and_the_profile_without_the_company(chain):
    kamppi = chain["profiles"]["kamppi"]
    assert profile_choice_label(kamppi, brand="Kotimarket ") == "Kamppi – Kassa"
    assert profile_choice_label(kamppi) == "Kotimarket Kamppi – Kassa"


def test_choices_are_grouped_by_city_when_a_city_has_several(chain):
    profiles = list(chain["company"].service_profiles.filter(is_active=True))
    choices = profile_choices(profiles, blank=False)
    assert [group for group, _rows in choices] == ["Helsinki", "Tampere"]
    helsinki = [label for _pk, label in choices[0][1]]
    assert helsinki == ["Kamppi – Kassa", "Pasila – Iltakassa", "Pasila – Svensk kassa"]


def test_one_site_per_city_is_a_plain_list(chain):
    one_each = [chain["profiles"]["kamppi"], chain["profiles"]["hervanta"]]
    assert profile_choices(one_each) == [
        ("", "—"),
        (chain["profiles"]["hervanta"].pk, "Hervanta – Kassa"),
        (chain["profiles"]["kamppi"].pk, "Kamppi – Kassa"),
    ]


def test_the_form_offers_no_separate_site_and_hides_inactive_profiles(chain):
    form = StaffingRequestForm(company=chain["company"])
    assert form.fields["site"].widget.is_hidden  # the site is the profile's, never chosen
    offered = {p.name for p in form.fields["service_profile"].queryset}
    assert "Old" not in offered and len(offered) == 4


def test_the_request_takes_the_chosen_profiles_site(client, chain):
    profile = chain["profiles"]["pasila_sv"]
    client.force_login(chain["manager"])
    response = client.post(reverse("client_request_new"), _post(profile))
    req = StaffingRequest.objects.get()
    assert response.url == reverse("client_request_detail", args=[req.pk])
    assert (req.site, req.service_profile) == (profile.site, profile)


def test_an_inactive_profile_cannot_be_ordered(client, chain):
    old = chain["company"].service_profiles.get(name="Old")
    client.force_login(chain["manager"])
    response = client.post(reverse("client_request_new"), _post(old), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not StaffingRequest.objects.exists()


def test_the_first_screen_holds_the_essentials_and_more_is_closed(client, chain):
    skill = f.SkillFactory()
    profile = chain["profiles"]["kamppi"]
    profile.valued_skills.add(skill)
    f.ProfileLanguageFactory(profile=profile, language="sv", level=4)
    client.force_login(chain["manager"])
    response = client.get(
        reverse("client_request_new"), {"service_profile": profile.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    essentials = html[html.index('id="order-essentials"') : html.index('id="order-extras"')]
    for name in ("service_profile", "shifts-0-date", "shifts-0-start", "headcount", "urgency"):
        assert f'name="{name}"' in essentials
    assert "required_skills" not in essentials
    assert '<details class="order-extras' in html and 'id="order-extras" open' not in html
    assert response.context["extras"] == ["Swedish B2", "1 required skill"]
    assert html.index('id="order-extras"') < html.index('id="order-submit"')


@pytest.mark.parametrize(
    ("overrides", "sv_message"),
    [
        ({"shifts-0-date": "2020-01-01"}, "Arbetspass 1: Arbetspasset börjar i det förflutna."),
        ({"service_profile": ""}, "Välj arbetsställe och typ av arbete."),
        ({"headcount": "x"}, "Hur många: Fyll i ett heltal."),
    ],
)
def test_errors_are_listed_in_swedish_and_nothing_typed_is_lost(
    client, chain, overrides, sv_message
):
    client.force_login(chain["manager"])
    data = _post(chain["profiles"]["kamppi"], **overrides)
    response = client.post(reverse("client_request_new"), data, HTTP_ACCEPT_LANGUAGE="sv")
    html = response.content.decode()
    assert response.status_code == 200
    assert sv_message in " ".join(response.context["errors"])
    assert 'id="order-errors"' in html
    assert "Ask for Sanna at the info desk" in html
    assert not StaffingRequest.objects.exists()


def test_an_error_behind_more_opens_it(client, chain):
    client.force_login(chain["manager"])
    data = _post(chain["profiles"]["kamppi"], **{"languages-0-level": ""})
    response = client.post(reverse("client_request_new"), data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'id="order-extras" open' in html
    assert (
        "Language 1, level the work needs: Say which CEFR level the work needs."
        in (response.context["errors"])
    )


def test_a_site_sent_with_the_profile_must_be_the_profiles(client, chain):
    profile, other = chain["profiles"]["kamppi"], chain["profiles"]["hervanta"]
    form = StaffingRequestForm({**_post(profile), "site": other.site_id}, company=chain["company"])
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["service_profile"] == ["This service profile belongs to another site."]
    same = StaffingRequestForm(
        {**_post(profile), "site": profile.site_id}, company=chain["company"]
    )
    assert same.is_valid(), same.errors
    assert same.cleaned_data["site"] == profile.site


def test_narrowing_the_profiles_later_narrows_the_options(chain):
    """A page that limits a manager to some sites sets the queryset after the form is made."""
    form = StaffingRequestForm(company=chain["company"])
    field = form.fields["service_profile"]
    field.queryset = field.queryset.filter(site__city="Tampere")
    hervanta = chain["profiles"]["hervanta"]
    assert list(field.widget.choices) == [("", "—"), (hervanta.pk, "Kotimarket Hervanta – Kassa")]
    assert f'value="{chain["profiles"]["kamppi"].pk}"' not in str(form["service_profile"])


def test_the_same_form_sent_twice_stores_one_request_and_says_so(client, chain):
    """The second send of a form (its one-time key) stores nothing: the earlier request's page
    opens, with a note; the insert that met the key's constraint left nothing behind."""
    client.force_login(chain["manager"])
    data = _post(chain["profiles"]["kamppi"], submission_key=str(uuid.uuid4()))
    first = client.post(reverse("client_request_new"), data)
    again = client.post(reverse("client_request_new"), data, follow=True)
    request = StaffingRequest.objects.get()
    assert first["Location"] == reverse("client_request_detail", args=[request.pk])
    assert again.redirect_chain[-1][0] == first["Location"]
    assert "Tämä tilaus oli jo lähetetty" in again.content.decode()  # the manager's Finnish
    assert request.shifts.count() == 1 and request.languages.count() == 1


def test_the_skills_are_read_without_a_server_side_cursor(client, chain):
    f.SkillFactory.create_batch(5)
    client.force_login(chain["manager"])
    client.get(reverse("client_request_new"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("client_request_new"))
    skill_reads = [q["sql"] for q in queries.captured_queries if "candidates_skill" in q["sql"]]
    assert not any(sql.startswith("DECLARE") for sql in skill_reads)
    assert page.content.decode().count('name="required_skills"') >= 5


def test_the_empty_rows_are_rendered_once_per_language(client, chain, settings):
    """The rows "Add a shift" and "Add a language" copy are the same for every order in a
    language: kept after the first render, each language its own."""
    import re

    from django.core.cache import caches

    caches["fragments"].clear()
    client.force_login(chain["manager"])

    def empty_rows(language: str) -> tuple[str, str]:
        chain["manager"].language = language
        chain["manager"].save(update_fields=["language"])
        page = client.get(reverse("client_request_new"), HTTP_ACCEPT_LANGUAGE=language)
        body = page.content.decode()
        shift = re.search(r'<template id="shift-empty">(.*?)</template>', body, re.S)
        language_row = re.search(r'<template id="language-empty">(.*?)</template>', body, re.S)
        assert shift and language_row
        return shift.group(1), language_row.group(1)

    fi, sv = empty_rows("fi"), empty_rows("sv")
    assert "Päivämäärä" in fi[0] and "Kieli" in fi[1]
    assert "Datum" in sv[0] and "Språk" in sv[1]
    assert "__prefix__" in fi[0] and "__prefix__" in fi[1]
    assert len(caches["fragments"]._cache) == 4
    assert empty_rows("fi") == fi  # from the cache, the same
