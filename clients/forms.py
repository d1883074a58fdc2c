from __future__ import annotations

import datetime as dt
import itertools
import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from candidates.languages import CEFRLevel, Language
from candidates.models import Skill
from clients.models import ServiceProfile, Site
from staffing.models import StaffingRequest

MAX_SHIFTS = 7
MAX_LANGUAGES = 4


def _brand_prefix(site_names: list[str]) -> str:
    """The leading words every site name of a company shares ("Kotimarket " of "Kotimarket
    Kamppi" and "Kotimarket Hervanta"): the same on every choice, so it says nothing."""
    if len(site_names) < 2:
        return ""
    words = [name.split(" ") for name in site_names]
    shared: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    # Keep at least one word of every name.
    if any(len(w) <= len(shared) for w in words):
        shared = shared[: min(len(w) for w in words) - 1]
    return " ".join(shared) + " " if shared else ""


def profile_choice_label(profile: ServiceProfile, *, brand: str = "") -> str:
    """ "Kamppi – Myymälä: kassa ja palvelu": the site, then the profile, without the company
    name and without the site's name repeated at the start of the profile's."""
    site_name = profile.site.name
    name = profile.name
    for separator in (": ", " – ", " - ", " "):
        if name.startswith(site_name + separator) and len(name) > len(site_name + separator):
            name = name[len(site_name + separator) :]
            break
    short_site = site_name[len(brand) :] if brand and site_name.startswith(brand) else site_name
    return f"{short_site} – {name}"


def profile_choices(profiles: list[ServiceProfile], *, blank: bool = True) -> list:
    """Choices for the one site-and-profile select, grouped by city when that helps (more than
    one city, and some city with more than one choice); `blank` starts with an empty one."""
    brand = _brand_prefix(sorted({p.site.name for p in profiles}))
    labelled = sorted(
        ((p.site.city, profile_choice_label(p, brand=brand), p.pk) for p in profiles),
        key=lambda row: (row[1].casefold(), row[2]),
    )
    cities: dict[str, list[tuple[int, str]]] = {}
    for city, label, pk in labelled:
        cities.setdefault(city, []).append((pk, label))
    choices: list = [("", "—")] if blank else []
    if len(cities) > 1 and any(len(rows) > 1 for rows in cities.values()):
        return choices + sorted(cities.items())
    return choices + [(pk, label) for _city, label, pk in labelled]


class ServiceProfileChoiceField(forms.ModelChoiceField):
    """The one site-and-profile choice: its options ("Kamppi – Kassa", grouped by city when
    that helps) follow its queryset, also when a caller narrows the queryset later (a manager
    tied to some sites). `blank` says whether an empty option comes first."""

    blank = True

    def _get_choices(self):
        # Lazy, as Django's own choices of a queryset are: the queryset is set several times
        # while a form is built (a manager's sites narrow it) and a form that is only
        # validated (a submitted order) never needs the options. Read once when rendered.
        return _OnceChoices(
            lambda: profile_choices(list(self.queryset.select_related("site")), blank=self.blank)
        )

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class _OnceChoices(CallableChoiceIterator):
    """Choices made by `func` when first iterated, then kept (a widget reads them more than
    once while it renders)."""

    def __iter__(self):
        if not hasattr(self, "_made"):
            self._made = list(super().__iter__())
        yield from self._made


class _ListedChoices(forms.models.ModelChoiceIterator):
    """A small table's choices in one plain query, kept for the form's life.

    Django's own iterator reads the queryset with `.iterator()`, which on PostgreSQL opens a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips) for a handful of skills,
    and again each time the choices are read."""

    def _rows(self) -> list:
        if not hasattr(self, "_listed"):
            self._listed = list(self.queryset)
        return self._listed

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._rows():
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self._rows()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self._rows())


class SkillsField(forms.ModelMultipleChoiceField):
    """Skills to tick: the list read once, in one query."""

    iterator = _ListedChoices


class StaffingRequestForm(forms.Form):
    """The client manager's order: where and what (one choice: a service profile belongs to a
    site), when, how many, how urgent; languages and skills start from the profile.

    `cleaned_data["site"]` is the chosen profile's site, so a site and a profile that do not
    belong together cannot be ordered."""

    service_profile = ServiceProfileChoiceField(
        label=_("Site and work"),
        queryset=ServiceProfile.objects.none(),
        error_messages={"required": _("Choose the site and the kind of work.")},
    )
    # Not shown: the site is the chosen profile's. Callers that send one anyway (the API, a
    # page narrowing the sites) get it checked against the profile.
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, widget=forms.HiddenInput
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=StaffingRequest.Urgency.choices,
        initial=StaffingRequest.Urgency.URGENT,
        widget=forms.RadioSelect,
    )
    headcount = forms.IntegerField(label=_("How many"), min_value=1, max_value=50, initial=1)
    required_skills = SkillsField(
        label=_("Required skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_skills = SkillsField(
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
        field = self.fields["service_profile"]
        # An empty choice only when nothing is chosen yet: one that is chosen stays chosen.
        field.blank = not (self.is_bound or self.initial.get("service_profile") is not None)
        field.queryset = company.service_profiles.filter(is_active=True).select_related(
            "site__company"  # what a submitted order is stored and told with
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        profile, site = cleaned.get("service_profile"), cleaned.get("site")
        if site and profile and profile.site_id != site.pk:
            self.add_error("service_profile", _("This service profile belongs to another site."))
        cleaned["site"] = profile.site if profile else None
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
    # The order form says once, beside "Add a shift", that an end before the start means the
    # next day.
    end = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
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


def order_extras_summary(form: StaffingRequestForm, languages: forms.BaseFormSet) -> list[str]:
    """One line each for what sits behind the order form's "more": the languages and skills
    the order asks for (the profile's at first, or what was typed)."""
    levels = dict(CEFRLevel.choices)
    needs = []
    for language_form in languages.forms:
        code, level = language_form["language"].value(), language_form["level"].value()
        if code in Language.values:
            level_label = levels.get(int(level)) if str(level or "").isdigit() else None
            needs.append(f"{Language(code).label} {level_label or ''}".strip())
    lines = [", ".join(needs)] if needs else [str(_("No language asked for"))]
    required = len([v for v in form["required_skills"].value() or [] if str(v).strip()])
    preferred = len([v for v in form["preferred_skills"].value() or [] if str(v).strip()])
    if required:
        lines.append(
            ngettext("%(n)s required skill", "%(n)s required skills", required) % {"n": required}
        )
    if preferred:
        lines.append(
            ngettext("%(n)s nice-to-have skill", "%(n)s nice-to-have skills", preferred)
            % {"n": preferred}
        )
    return lines


def order_errors(
    form: StaffingRequestForm, shifts: forms.BaseFormSet, languages: forms.BaseFormSet
) -> list[str]:
    """Every error of a sent order, each saying where it is, for the summary above the form."""
    out: list[str] = []

    def add(form_errors, fields, where: str = "") -> None:
        for name, messages in form_errors.items():
            label = where if name == "__all__" else fields[name].label if name in fields else ""
            if where and name != "__all__":
                label = f"{where}, {str(label).lower()}"
            out.extend(f"{label}: {message}" if label else str(message) for message in messages)

    add(form.errors, form.fields)
    out.extend(str(m) for m in shifts.non_form_errors())
    for number, shift_form in enumerate(shifts.forms, start=1):
        add(shift_form.errors, shift_form.fields, gettext("Shift %(n)s") % {"n": number})
    out.extend(str(m) for m in languages.non_form_errors())
    for number, language_form in enumerate(languages.forms, start=1):
        add(language_form.errors, language_form.fields, gettext("Language %(n)s") % {"n": number})
    return out
