from __future__ import annotations

import datetime as dt
import itertools
import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from candidates.languages import CEFRLevel, Language
from candidates.models import Skill
from clients.models import ServiceProfile, Site
from staffing.models import StaffingRequest

MAX_SHIFTS = 7
MAX_LANGUAGES = 4


class StaffingRequestForm(forms.Form):
    """The client manager's order: where, what kind of work, how many, how urgent."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    service_profile = forms.ModelChoiceField(
        label=_("Service profile"), queryset=ServiceProfile.objects.none()
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=StaffingRequest.Urgency.choices,
        initial=StaffingRequest.Urgency.URGENT,
        widget=forms.RadioSelect,
    )
    headcount = forms.IntegerField(label=_("People needed"), min_value=1, max_value=50, initial=1)
    required_skills = forms.ModelMultipleChoiceField(
        label=_("Required skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_skills = forms.ModelMultipleChoiceField(
        label=_("Nice to have"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes for the agency"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Practical details such as where to report. Never used for ranking people."),
    )
    # One-time token: the same form sent twice (a timeout, a double tap) stores one request.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = uuid.uuid4
        self.fields["site"].queryset = company.sites.all()
        self.fields["service_profile"].queryset = company.service_profiles.filter(is_active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        site, profile = cleaned.get("site"), cleaned.get("service_profile")
        if site and profile and profile.site_id != site.pk:
            self.add_error("service_profile", _("This service profile belongs to another site."))
        both = set(cleaned.get("required_skills") or []) & set(
            cleaned.get("preferred_skills") or []
        )
        if both:
            self.add_error(
                "preferred_skills", _("A skill cannot be both required and nice to have.")
            )
        return cleaned


class ShiftForm(forms.Form):
    # HTML date and time inputs take ISO values whatever the user's locale.
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    start = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("Ends"),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        help_text=_("An end before the start means the next day."),
    )

    def clean(self):
        cleaned = super().clean()
        date, start, end = cleaned.get("date"), cleaned.get("start"), cleaned.get("end")
        if date is None or start is None or end is None:
            return cleaned
        starts_at = timezone.make_aware(dt.datetime.combine(date, start))
        end_day = date if end > start else date + dt.timedelta(days=1)
        ends_at = timezone.make_aware(dt.datetime.combine(end_day, end))
        if starts_at < timezone.now():
            raise forms.ValidationError(_("The shift starts in the past."))
        if ends_at - starts_at > dt.timedelta(hours=12):
            raise forms.ValidationError(_("A shift can be at most 12 hours long."))
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        return cleaned


class BaseShiftFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        periods = sorted(
            (f.cleaned_data["starts_at"], f.cleaned_data["ends_at"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        )
        if not periods:
            raise forms.ValidationError(_("Add at least one shift."))
        for (_s1, e1), (s2, _e2) in itertools.pairwise(periods):
            if s2 < e1:
                raise forms.ValidationError(_("Two shifts overlap."))

    @property
    def periods(self) -> list[tuple[dt.datetime, dt.datetime]]:
        return sorted(
            (f.cleaned_data["starts_at"], f.cleaned_data["ends_at"])
            for f in self.forms
            if f.cleaned_data
        )


ShiftFormSet = forms.formset_factory(
    ShiftForm,
    formset=BaseShiftFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_SHIFTS,
    validate_min=True,
    validate_max=True,
)


class LanguageNeedForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *Language.choices], required=False
    )
    level = forms.TypedChoiceField(
        label=_("Level the work needs"),
        choices=[("", "—"), *CEFRLevel.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Swedish-speaking customers")}),
    )

    def clean(self):
        cleaned = super().clean()
        language, level = cleaned.get("language"), cleaned.get("level")
        if language and not level:
            self.add_error("level", _("Say which CEFR level the work needs."))
        if level and not language:
            self.add_error("language", _("Choose the language."))
        reason = (cleaned.get("reason") or "").lower()
        if "native" in reason or "äidinkiel" in reason or "syntyperäi" in reason:
            self.add_error(
                "reason",
                _("Describe what the work needs (a CEFR level), not whose mother tongue it is."),
            )
        return cleaned


class BaseLanguageFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            language = form.cleaned_data.get("language")
            if language and language in seen:
                raise forms.ValidationError(_("Each language once, please."))
            seen.add(language)

    @property
    def needs(self) -> list[tuple[str, int, str]]:
        return [
            (f.cleaned_data["language"], f.cleaned_data["level"], f.cleaned_data.get("reason", ""))
            for f in self.forms
            if f.cleaned_data.get("language")
        ]


LanguageFormSet = forms.formset_factory(
    LanguageNeedForm,
    formset=BaseLanguageFormSet,
    extra=1,
    min_num=0,
    max_num=MAX_LANGUAGES,
    validate_max=True,
)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not this person?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The agency reads it to find a better fit. The person does not see it."),
    )


class CancelForm(forms.Form):
    """Cancel the whole request, or one shift of it."""

    shift = forms.TypedChoiceField(label=_("What to cancel"), coerce=int, empty_value=None)
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.TextInput()
    )

    def __init__(self, *args, shifts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("The whole request"))]
        if len(shifts) > 1:
            choices += [
                (
                    s.pk,
                    _("Only the shift %(when)s")
                    % {
                        "when": date_format(
                            timezone.localtime(s.starts_at), "SHORT_DATETIME_FORMAT"
                        )
                    },
                )
                for s in shifts
            ]
        self.fields["shift"].choices = choices
        self.fields["shift"].required = False


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Service"),
        choices=[(i, f"{i} ★") for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person sees your rating and comment."),
    )
    mark = forms.ChoiceField(
        label=_("Next time"),
        required=False,
        choices=[
            ("", _("No preference")),
            ("favourite", _("A favourite: offer to them first")),
            ("do_not_return", _("Do not send this person to us again")),
        ],
        widget=forms.RadioSelect,
    )


class NoShowForm(forms.Form):
    reason = forms.CharField(
        label=_("What happened?"),
        required=False,
        max_length=500,
        widget=forms.TextInput(),
    )
