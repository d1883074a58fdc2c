"""Client companies, their contract terms and their sites."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.geo import postal_code_lookup
from clients.models import ClientCompany, Site
from staffing.base.audit import audit_record
from staffing.models import User

COMPANY_FIELDS = ("name", "business_id", "is_active")
TERMS_FIELDS = (
    "offer_response_urgent_minutes",
    "offer_response_planned_minutes",
    "cancellation_notice_hours",
    "may_decline_presented",
    "responsible_recruiter",
)
SITE_FIELDS = ("name", "street_address", "postal_code", "city")


def fields_apply(obj: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set `fields` of `obj` from `data` (those present); returns the names that changed."""
    changed = []
    for name in fields:
        if name in data and getattr(obj, name, None) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


@transaction.atomic
def client_company_save(
    *, company: ClientCompany | None, data: Mapping[str, Any], by: User
) -> ClientCompany:
    """Create a client company, or change its name, business ID or whether it is active."""
    created = company is None
    company = company or ClientCompany()
    changed = fields_apply(company, data, COMPANY_FIELDS)
    company.save()
    action = "client.created" if created else "client.changed"
    audit_record(actor=by, action=action, target=company, data={"fields": changed})
    return company


@transaction.atomic
def contract_terms_save(
    *, company: ClientCompany, data: Mapping[str, Any], by: User
) -> ClientCompany:
    """The client's contract terms: offers' response windows, the cancellation notice, whether
    they may decline presented people, and the recruiter responsible for them."""
    recruiter = data.get("responsible_recruiter")
    if recruiter is not None and not recruiter.is_recruiter:
        raise ValidationError(_("The responsible person must be a recruiter."))
    changed = fields_apply(company, data, TERMS_FIELDS)
    company.save()
    audit_record(
        actor=by,
        action="client.terms_changed",
        target=company,
        data={
            name: getattr(company, f"{name}_id" if name == "responsible_recruiter" else name)
            for name in changed
        },
    )
    return company


@transaction.atomic
def site_save(
    *, company: ClientCompany, site: Site | None, data: Mapping[str, Any], by: User
) -> Site:
    """Create or change one of the client's sites; its coordinates come from its postal code
    (the same table as candidates' homes), and an unknown code is refused."""
    place = postal_code_lookup(data.get("postal_code") or (site.postal_code if site else ""))
    if place is None:
        raise ValidationError(
            _("We do not know the postal code %(code)s. Check it: five digits, e.g. 00100."),
            params={"code": data.get("postal_code", "")},
        )
    created = site is None
    site = site or Site(company=company)
    changed = fields_apply(site, data, SITE_FIELDS)
    if not site.city:
        site.city = place.municipality
    site.latitude, site.longitude = place.latitude, place.longitude
    site.save()
    if not created:
        # The bench sweep rebuilds the benches of profiles changed since their last build.
        site.service_profiles.update(updated_at=timezone.now())
    action = "site.created" if created else "site.changed"
    audit_record(actor=by, action=action, target=site, data={"fields": changed})
    return site
