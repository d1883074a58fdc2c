"""The agency's back office for its clients (recruiters and agency admins): companies with their
sites, contacts and service profiles, contract terms, the matching weights with a live preview
of the bench, and orders taken by phone on a client's behalf."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from candidates.models import Candidate
from clients.agency_forms import (
    ClientCompanyForm,
    ContactInviteForm,
    ContactSitesForm,
    ContractTermsForm,
    PhoneOrderContactForm,
    ProfileLanguageFormSet,
    ServiceProfileForm,
    SiteForm,
    TypicalShiftFormSet,
    WeightsForm,
)
from clients.forms import LanguageFormSet, ShiftFormSet, StaffingRequestForm
from clients.models import ClientCompany, ClientMembership, ServiceProfile
from clients.views import order_submit_kwargs
from staffing.base.access import RECRUITERS, role_required
from staffing.base.models import User
from staffing.matching.rules import weights_resolve
from staffing.permissions import (
    client_contact_for_user,
    client_for_user,
    client_profile_for_user,
    client_site_for_user,
    clients_for_user,
)
from staffing.services.bench import bench_weights_preview
from staffing.services.clients.companies import (
    client_company_save,
    contract_terms_save,
    site_save,
)
from staffing.services.clients.contacts import (
    contact_activate,
    contact_deactivate,
    contact_invite,
    contact_update,
)
from staffing.services.clients.profiles import profile_weights_save, service_profile_save
from staffing.services.requests import staffing_request_submit


@role_required(*RECRUITERS)
def client_list(request: HttpRequest) -> HttpResponse:
    companies = clients_for_user(request.user).select_related("responsible_recruiter")
    companies = companies.prefetch_related(
        "sites",
        "service_profiles",
        Prefetch("memberships", queryset=ClientMembership.objects.select_related("user")),
    )
    return render(request, "clients/agency/client_list.html", {"companies": companies})


@role_required(*RECRUITERS)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = client_for_user(request.user, pk)
    context = {
        "company": company,
        "sites": company.sites.all(),
        "contacts": company.memberships.select_related("user").prefetch_related("sites"),
        "invitations": company.invitations.filter(accepted_at__isnull=True),
        "profiles": company.service_profiles.select_related("site").prefetch_related(
            "languages", "typical_shifts"
        ),
    }
    return render(request, "clients/agency/client_detail.html", context)


def _form_page(request: HttpRequest, form, *, title: str, back: str, **extra) -> HttpResponse:
    if request.method == "POST":
        messages.error(request, _("Please check the highlighted fields."))
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "clients/agency/form_page.html", context)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest) -> HttpResponse:
    form = ClientCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = client_company_save(company=None, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Client created. Add its sites next."))
        return redirect("agency_client_detail", pk=company.pk)
    return _form_page(request, form, title=_("New client"), back="agency_clients")


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company = client_for_user(request.user, pk)
    form = ClientCompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        client_company_save(company=company, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Saved."))
        return redirect("agency_client_detail", pk=company.pk)
    company.refresh_from_db()
    return _form_page(request, form, title=company.name, back="agency_clients")


@role_required(User.Role.ADMIN)
@require_http_methods(["GET", "POST"])
def client_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """Client contracts are the agency admin's (recruiters read them on the client's page)."""
    company = client_for_user(request.user, pk)
    form = ContractTermsForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            contract_terms_save(company=company, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Contract terms saved."))
            return redirect("agency_client_detail", pk=company.pk)
    company.refresh_from_db()
    title = _("Contract terms: %(name)s") % {"name": company.name}
    return _form_page(request, form, title=title, back="agency_clients", company=company)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def site_new(request: HttpRequest, pk: int) -> HttpResponse:
    company = client_for_user(request.user, pk)
    return _site_form(request, company, None)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = client_site_for_user(request.user, pk)
    return _site_form(request, site.company, site)


def _site_form(request: HttpRequest, company: ClientCompany, site) -> HttpResponse:
    form = SiteForm(request.POST or None, instance=site, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            site_save(company=company, site=site, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error("postal_code", error)
        else:
            messages.success(request, _("Site saved."))
            return redirect("agency_client_detail", pk=company.pk)
    title = _("Site of %(name)s") % {"name": company.name}
    return _form_page(request, form, title=title, back="agency_clients", company=company)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def profile_new(request: HttpRequest, pk: int) -> HttpResponse:
    company = client_for_user(request.user, pk)
    return _profile_form(request, company, None)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = client_profile_for_user(request.user, pk)
    return _profile_form(request, profile.company, profile)


def _profile_form(
    request: HttpRequest, company: ClientCompany, profile: ServiceProfile | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ServiceProfileForm(data, instance=profile, company=company)
    languages = ProfileLanguageFormSet(
        data,
        prefix="languages",
        initial=None
        if data or profile is None
        else [{"language": x.language, "level": x.level} for x in profile.languages.all()],
    )
    shifts = TypicalShiftFormSet(
        data,
        prefix="shifts",
        initial=None
        if data or profile is None
        else [
            {"weekday": s.weekday, "start": s.start_time, "end": s.end_time}
            for s in profile.typical_shifts.all()
        ],
    )
    if data is not None and form.is_valid() and languages.is_valid() and shifts.is_valid():
        saved = service_profile_save(
            company=company,
            profile=profile,
            data=form.cleaned_data,
            valued_skills=form.cleaned_data["valued_skills"],
            languages=[(code, level) for code, level, _reason in languages.needs],
            typical_shifts=shifts.shifts,
            by=request.user,
        )
        messages.success(request, _("Service profile saved. Its bench is rebuilt in a moment."))
        return redirect("agency_client_detail", pk=saved.company_id)
    if data is not None:
        messages.error(request, _("Please check the highlighted fields."))
    context = {
        "company": company,
        "profile": profile,
        "form": form,
        "languages": languages,
        "shifts": shifts,
    }
    return render(request, "clients/agency/profile_form.html", context)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def profile_weights(request: HttpRequest, pk: int) -> HttpResponse:
    profile = client_profile_for_user(request.user, pk)
    current = weights_resolve(profile.weights)
    form = WeightsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        version = profile_weights_save(profile=profile, weights=form.weights, by=request.user)
        if version is None:
            messages.info(request, _("The weights are as they were: nothing to save."))
        else:
            messages.success(
                request,
                _("Weights saved as rules version %(n)s. The bench is rebuilt in a moment.")
                % {"n": version.number},
            )
        return redirect("agency_profile_weights", pk=profile.pk)
    if request.method == "POST":
        messages.error(request, _("Please check the highlighted fields."))
    context = {
        "profile": profile,
        "form": form,
        "versions": profile.rules_versions.select_related("created_by")[:10],
    }
    return render(request, "clients/agency/profile_weights.html", context)


@role_required(*RECRUITERS)
def profile_weights_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the weights being edited would do to the profile's bench (htmx; nothing saved)."""
    profile = client_profile_for_user(request.user, pk)
    current = weights_resolve(profile.weights)
    form = WeightsForm(request.GET or None, current=current)
    preview = None
    if not request.GET or form.is_valid():
        weights = form.weights if request.GET else current
        preview = bench_weights_preview(profile=profile, weights=weights)
    context: dict = {"profile": profile, "preview": preview, "form": form}
    if preview is not None:
        ids = [m.candidate_id for m in (*preview.entered, *preview.left, *preview.moved)]
        names = dict(
            Candidate.objects.filter(pk__in=ids).values_list("pk", "first_name").order_by()
        )
        for key in ("entered", "left", "moved"):
            context[key] = [(m, names.get(m.candidate_id, "")) for m in getattr(preview, key)]
    return render(request, "clients/agency/_weights_preview.html", context)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def contact_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = client_for_user(request.user, pk)
    form = ContactInviteForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = contact_invite(
                company=company,
                base_url=request.build_absolute_uri("/")[:-1],
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("agency_client_detail", pk=company.pk)
    title = _("Invite a contact to %(name)s") % {"name": company.name}
    return _form_page(request, form, title=title, back="agency_clients", company=company)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = client_contact_for_user(request.user, pk)
    form = ContactSitesForm(
        request.POST or None,
        company=membership.company,
        initial={"sites": list(membership.sites.all()), "phone": membership.phone},
    )
    if request.method == "POST" and form.is_valid():
        contact_update(membership=membership, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("agency_client_detail", pk=membership.company_id)
    title = membership.user.get_full_name() or membership.user.email
    return _form_page(request, form, title=title, back="agency_clients", company=membership.company)


@role_required(*RECRUITERS)
@require_POST
def contact_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = client_contact_for_user(request.user, pk)
    contact_deactivate(membership=membership, by=request.user)
    messages.success(
        request,
        _("%(email)s can no longer log in; their sessions have ended.")
        % {"email": membership.user.email},
    )
    return redirect("agency_client_detail", pk=membership.company_id)


@role_required(*RECRUITERS)
@require_POST
def contact_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = client_contact_for_user(request.user, pk)
    contact_activate(membership=membership, by=request.user)
    messages.success(request, _("%(email)s can log in again.") % {"email": membership.user.email})
    return redirect("agency_client_detail", pk=membership.company_id)


@role_required(*RECRUITERS)
@require_http_methods(["GET", "POST"])
def phone_order(request: HttpRequest, pk: int) -> HttpResponse:
    """A recruiter takes a client's order by phone: the client's own order form and service,
    recorded as entered by the recruiter for the contact who called."""
    company = client_for_user(request.user, pk)
    data = request.POST if request.method == "POST" else None
    initial, shift_initial, language_initial = _phone_order_initial(company)
    contact = PhoneOrderContactForm(data, company=company)
    form = StaffingRequestForm(data, company=company, initial=initial)
    # A bound formset gets no initial data (rows equal to it would be dropped as unchanged).
    shifts = ShiftFormSet(data, prefix="shifts", initial=None if data else shift_initial)
    languages = LanguageFormSet(
        data, prefix="languages", initial=None if data else language_initial
    )
    valid = data is not None and all(
        [contact.is_valid(), form.is_valid(), shifts.is_valid(), languages.is_valid()]
    )
    if valid:
        membership = contact.cleaned_data["ordered_by"]
        valid = _contact_may_order(contact, membership, form.cleaned_data["site"])
    if valid:
        staffing_request = staffing_request_submit(
            by=membership.user,
            entered_by=request.user,
            **order_submit_kwargs(form=form, shifts=shifts, languages=languages),
        )
        messages.success(request, _("Request entered for the client. They are told by email."))
        return redirect("recruiter_request_detail", pk=staffing_request.pk)
    if data is not None:
        messages.error(request, _("Please check the highlighted fields."))
    context = {
        "company": company,
        "contact": contact,
        "form": form,
        "shifts": shifts,
        "languages": languages,
    }
    return render(request, "clients/agency/phone_order.html", context)


def _phone_order_initial(company: ClientCompany) -> tuple[dict, list[dict], list[dict]]:
    """As the client's own form starts: their first service profile, tomorrow evening."""
    profile = company.service_profiles.filter(is_active=True).first()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    shifts = [{"date": tomorrow, "start": dt.time(16), "end": dt.time(21)}]
    if profile is None:
        return {}, shifts, []
    initial = {
        "site": profile.site_id,
        "service_profile": profile.pk,
        "required_skills": list(profile.valued_skills.values_list("pk", flat=True)),
    }
    languages = [{"language": pl.language, "level": pl.level} for pl in profile.languages.all()]
    return initial, shifts, languages


def _contact_may_order(contact: PhoneOrderContactForm, membership, site) -> bool:
    """A contact tied to some sites orders only for those (else the form says so)."""
    sites = list(membership.sites.all())
    if sites and site not in sites:
        contact.add_error(
            "ordered_by",
            _("This contact orders only for: %(sites)s.")
            % {"sites": ", ".join(s.name for s in sites)},
        )
        return False
    return True
