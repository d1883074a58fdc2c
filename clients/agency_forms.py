"""The agency's back-office forms for its clients: company, contract terms, site, service
profile (with its languages and typical shifts), matching weights and contacts. Saving goes
through the services in `staffing.services.clients`."""

from __future__ import annotations

import datetime as dt
import re

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from candidates.geo import postal_code_lookup
from clients.forms import BaseLanguageFormSet, LanguageNeedForm
from clients.models import ClientCompany, ClientMembership, ServiceProfile, Site, TypicalShift
from staffing.base.access import RECRUITERS
from staffing.base.models import User
from staffing.explanations import factor_description, factor_label
from staffing.matching.rules import DEFAULT_WEIGHTS, SOFT_FACTORS

BUSINESS_ID = re.compile(r"^\d{7}-\d$")
MAX_TYPICAL_SHIFTS = 21
WEIGHT_MAX = 40  # points a factor may weigh in the editor (the engine accepts up to 100)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ClientCompanyForm(forms.ModelForm):
    class Meta:
        model = ClientCompany
        fields = ["name", "business_id", "is_active"]
        help_texts = {"business_id": _("The Finnish business ID, e.g. 1234567-8.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_business_id(self) -> str:
        value = (self.cleaned_data.get("business_id") or "").strip()
        if not BUSINESS_ID.match(value):
            raise forms.ValidationError(
                _("A business ID is seven digits, a dash and a check digit, e.g. 1234567-8.")
            )
        return value


class ContractTermsForm(forms.ModelForm):
    class Meta:
        model = ClientCompany
        fields = [
            "offer_response_urgent_minutes",
            "offer_response_planned_minutes",
            "cancellation_notice_hours",
            "may_decline_presented",
            "responsible_recruiter",
        ]
        widgets = {
            "offer_response_urgent_minutes": forms.NumberInput(attrs={"min": 5, "max": 1440}),
            "offer_response_planned_minutes": forms.NumberInput(attrs={"min": 5, "max": 1440}),
            "cancellation_notice_hours": forms.NumberInput(attrs={"min": 0, "max": 336}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        field = self.fields["responsible_recruiter"]
        field.queryset = User.objects.filter(role__in=RECRUITERS, is_active=True).order_by("email")
        field.label_from_instance = lambda u: u.get_full_name() or u.email
        defaults = {
            "offer_response_urgent_minutes": settings.OFFER_DEADLINE_URGENT_MINUTES,
            "offer_response_planned_minutes": settings.OFFER_DEADLINE_PLANNED_MINUTES,
        }
        for name, minutes in defaults.items():
            self.fields[name].widget.attrs["placeholder"] = str(minutes)

    def clean(self):
        cleaned = super().clean()
        for name in ("offer_response_urgent_minutes", "offer_response_planned_minutes"):
            minutes = cleaned.get(name)
            if minutes is not None and not 5 <= minutes <= 1440:
                self.add_error(name, _("Give between 5 minutes and 24 hours (1440 minutes)."))
        hours = cleaned.get("cancellation_notice_hours")
        if hours is not None and hours > 336:
            self.add_error("cancellation_notice_hours", _("At most two weeks (336 hours)."))
        return cleaned


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "street_address", "postal_code", "city"]
        widgets = {"postal_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5})}
        help_texts = {
            "postal_code": _("Gives the site's location for distances, e.g. 00100."),
            "city": _("Empty: the postal code's municipality."),
        }

    def __init__(self, *args, company: ClientCompany, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["city"].required = False
        self.helper = _helper()

    def clean_postal_code(self) -> str:
        code = (self.cleaned_data.get("postal_code") or "").strip()
        if postal_code_lookup(code) is None:
            raise forms.ValidationError(
                _("We do not know the postal code %(code)s. Check it: five digits, e.g. 00100."),
                params={"code": code},
            )
        return code

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = self.company.sites.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This client already has a site of that name."))
        return name


class ServiceProfileForm(forms.ModelForm):
    class Meta:
        model = ServiceProfile
        fields = ["name", "site", "role_type", "focus", "description", "valued_skills", "is_active"]
        widgets = {
            "valued_skills": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 2}),
            "focus": forms.RadioSelect,
        }
        help_texts = {
            "description": _("For recruiters to read. Never used for ranking people."),
            "valued_skills": _(
                "Skills the client usually needs: people who have them rank higher."
            ),
        }

    def __init__(self, *args, company: ClientCompany, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["site"].queryset = company.sites.all()
        self.fields["site"].label_from_instance = lambda site: site.name
        self.helper = _helper()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = self.company.service_profiles.filter(name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This client already has a profile of that name."))
        return name


class ProfileLanguageForm(LanguageNeedForm):
    """A language the profile usually needs, with the CEFR level (no reason: it is the
    profile's, not one request's)."""

    reason = None  # type: ignore[assignment]


ProfileLanguageFormSet = forms.formset_factory(
    ProfileLanguageForm, formset=BaseLanguageFormSet, extra=1, max_num=4, validate_max=True
)


class TypicalShiftForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "—"), *TypicalShift._meta.get_field("weekday").choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.TimeField(
        label=_("Starts"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    end = forms.TimeField(
        label=_("Ends"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("weekday"), cleaned.get("start"), cleaned.get("end")
        if day is None and start is None and end is None:
            return cleaned  # an empty row
        if day is None:
            self.add_error("weekday", _("Choose the weekday."))
        if start is None:
            self.add_error("start", _("When does the shift start?"))
        if end is None:
            self.add_error("end", _("When does the shift end?"))
        if start is not None and end is not None:
            length = _hours(start, end)
            if length == 0 or length > 12:
                raise forms.ValidationError(_("A shift is longer than 0 and at most 12 hours."))
        return cleaned


def _hours(start: dt.time, end: dt.time) -> float:
    """A shift's length in hours (an end before the start is the next day)."""
    a = start.hour * 60 + start.minute
    b = end.hour * 60 + end.minute
    return ((b - a) % (24 * 60)) / 60


class BaseTypicalShiftFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if len(set(self.shifts)) != len(self.shifts):
            raise forms.ValidationError(_("The same shift is listed twice."))

    @property
    def shifts(self) -> list[tuple[int, dt.time, dt.time]]:
        return [
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in self.forms
            if f.cleaned_data.get("weekday") is not None
        ]


TypicalShiftFormSet = forms.formset_factory(
    TypicalShiftForm,
    formset=BaseTypicalShiftFormSet,
    extra=1,
    max_num=MAX_TYPICAL_SHIFTS,
    validate_max=True,
)


class ContactInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The sites whose requests they see and order for. None ticked: all sites."),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=_("The email and the person's account use this language."),
    )

    def __init__(self, *args, company: ClientCompany, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = company.sites.all()
        self.fields["sites"].label_from_instance = lambda site: site.name
        self.helper = _helper()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Someone with this email address already has an account.")
            )
        return email


class ContactSitesForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The sites whose requests they see and order for. None ticked: all sites."),
    )

    def __init__(self, *args, company: ClientCompany, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = company.sites.all()
        self.fields["sites"].label_from_instance = lambda site: site.name
        self.helper = _helper()


class ClientJoinForm(forms.Form):
    """Accepting an invitation to order for a client: names (pre-filled) and a password."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_password(self) -> str:
        # Imported here like the candidates' join form: the validators are settings-driven.
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class PhoneOrderContactForm(forms.Form):
    """Whose order a recruiter takes by phone: one of the client's active contacts."""

    ordered_by = forms.ModelChoiceField(
        label=_("Ordered by"),
        queryset=ClientMembership.objects.none(),
        help_text=_("The contact who called. They get the request's emails."),
    )

    def __init__(self, *args, company: ClientCompany, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ordered_by"]
        field.queryset = company.memberships.filter(user__is_active=True).select_related("user")
        field.label_from_instance = lambda m: m.user.get_full_name() or m.user.email


class WeightsForm(forms.Form):
    """One labelled control per soft factor: its name, what it does, and its weight in points
    (0 turns the factor off)."""

    def __init__(self, *args, current: dict[str, float], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code in SOFT_FACTORS:
            self.fields[code] = forms.FloatField(
                label=factor_label(code),
                help_text=factor_description(code),
                min_value=0,
                max_value=WEIGHT_MAX,
                initial=current[code],
                widget=forms.NumberInput(
                    attrs={
                        "type": "range",
                        "min": 0,
                        "max": WEIGHT_MAX,
                        "step": 0.5,
                        "class": "form-range",
                    }
                ),
            )
            self.fields[code].default_weight = DEFAULT_WEIGHTS[code]  # type: ignore[attr-defined]

    @property
    def weights(self) -> dict[str, float]:
        return {code: float(self.cleaned_data[code]) for code in SOFT_FACTORS}
