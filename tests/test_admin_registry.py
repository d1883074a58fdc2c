"""Every model of the project's own apps is in the Django admin; rows that only a service
may change are read-only there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from staffing.base.admin_readonly import ReadOnlyAdmin

PROJECT_APPS = {"staffing", "candidates", "clients", "api"}


def test_every_project_model_is_registered() -> None:
    missing = [
        f"{m._meta.app_label}.{m.__name__}"
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and m not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.parametrize(
    "label",
    [
        "staffing.Bench",
        "staffing.BenchEntry",
        "staffing.ServiceRating",
        "staffing.PresentedDecline",
        "staffing.ShiftCancellation",
        "staffing.ShortlistEdit",
        "candidates.Consent",
        "candidates.CandidateCV",
        "candidates.Invitation",
        "candidates.CandidateActivity",
        "candidates.StatementRequest",
        "candidates.CandidateImport",
    ],
)
def test_service_owned_models_are_read_only(label: str) -> None:
    model_admin = admin.site._registry[apps.get_model(label)]
    assert isinstance(model_admin, ReadOnlyAdmin)
    request = RequestFactory().get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_admin_changelists_render(client) -> None:
    from tests.factories import AgencyAdminFactory

    user = AgencyAdminFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    for model in admin.site._registry:
        if model._meta.app_label not in PROJECT_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_recruiter_menu_links_the_invitation_page(client) -> None:
    from django.urls import reverse

    from tests.factories import RecruiterFactory

    client.force_login(RecruiterFactory())
    response = client.get(reverse("recruiter_candidate_invite"))
    assert response.status_code == 200
    assert f'href="{reverse("recruiter_candidate_invite")}"' in response.content.decode()
