"""Forms for candidate self-service and recruiters' invitations; saving goes through services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from candidates.availability import WEEKDAY_NAMES, DayPart
from candidates.geo import postal_code_lookup
from candidates.languages import CEFRLevel, Language
from candidates.models import (
    Assessment,
    Candidate,
    ConsentPurpose,
    Skill,
    SkillLevel,
    WorkExperience,
    consent_purpose_description,
)
from candidates.scales import AREA_ANCHORS, SCORES, area_label
from candidates.services.consent import PRIVACY_NOTICE_VERSION
from candidates.services.notes import task_assignees
from candidates.services.profile import PROFILE_FIELDS
from staffing.base.models import User

PURPOSE_CHOICES = ConsentPurpose.choices


class DatePicker(forms.DateInput):
    """<input type=date>: the browser wants an ISO value whatever the language's date format."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ConsentFields(forms.Form):
    """The consents asked at sign-up: every box starts unticked (a pre-ticked box is not
    consent), and the version of the notice the person read comes back with the form."""

    purposes = forms.MultipleChoiceField(
        label=_("I agree to"),
        choices=PURPOSE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("You can withdraw each of these at any time on your privacy page."),
    )
    notice_read = forms.BooleanField(label=_("I have read the privacy notice"), required=True)
    notice_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice_version"].initial = PRIVACY_NOTICE_VERSION

    def purpose_rows(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, what it means, ticked) per purpose, for the sign-up template."""
        ticked = set(self["purposes"].value() or [])
        return [
            (value, label, consent_purpose_description(value), value in ticked)
            for value, label in PURPOSE_CHOICES
        ]

    def clean_notice_version(self) -> str:
        # A form rendered before the notice changed asks the person to read the new one.
        version = self.cleaned_data.get("notice_version") or PRIVACY_NOTICE_VERSION
        if version != PRIVACY_NOTICE_VERSION:
            raise forms.ValidationError(
                _("The privacy notice has changed since you opened this page. Read it again.")
            )
        return version


class SignupExtraForm(ConsentFields):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    field_order = ["first_name", "last_name"]

    def signup(self, request, user) -> None:
        """Required by allauth; the profile is created by the adapter's save_user."""


class JoinForm(ConsentFields):
    """Accepting a recruiter's invitation: names (pre-filled) and a password."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    field_order = ["first_name", "last_name", "password"]

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = list(PROFILE_FIELDS)  # what `profile_update` saves
        labels = {"introduction": _("A few words about you")}
        help_texts = {
            "introduction": _("Shown to recruiters. Never used for ranking or matching."),
            "postal_code": _("Where you usually start from, e.g. 00100."),
        }
        widgets = {
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
            "max_travel_km": forms.NumberInput(attrs={"min": 1, "max": 200}),
            "introduction": forms.Textarea(attrs={"rows": 3, "maxlength": 600}),
        }

    def clean_postal_code(self) -> str:
        code = (self.cleaned_data.get("postal_code") or "").strip()
        if code and postal_code_lookup(code) is None:
            raise forms.ValidationError(
                _("We do not know the postal code %(code)s. Check it: five digits, e.g. 00100."),
                params={"code": code},
            )
        return code

    def clean(self):
        data = super().clean()
        if not data.get("works_retail") and not data.get("works_office"):
            raise forms.ValidationError(_("Choose at least one kind of work."))
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    level = forms.TypedChoiceField(label=_("Level"), choices=CEFRLevel.choices, coerce=int)


class SkillForm(forms.Form):
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all())
    level = forms.TypedChoiceField(
        label=_("Level"), choices=SkillLevel.choices, coerce=int, initial=SkillLevel.GOOD
    )


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = WorkExperience
        fields = ["employer", "title", "started", "ended", "description"]
        widgets = {
            "started": DatePicker(),
            "ended": DatePicker(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        if data.get("ended") and data.get("started") and data["ended"] < data["started"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


def cell_name(weekday: int, part: int) -> str:
    return f"cell_{weekday}_{part}"


class AvailabilityForm(forms.Form):
    """21 checkboxes, one per weekday and day-part; rendered as big toggle buttons."""

    def __init__(self, *args, cells: set[tuple[int, int]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, day_name in enumerate(WEEKDAY_NAMES):
            for part in DayPart:
                self.fields[cell_name(weekday, part.value)] = forms.BooleanField(
                    label=f"{day_name} {part.label}",
                    required=False,
                    initial=(weekday, part.value) in (cells or set()),
                )

    def cells(self) -> set[tuple[int, int]]:
        return {
            (weekday, part.value)
            for weekday in range(7)
            for part in DayPart
            if self.cleaned_data.get(cell_name(weekday, part.value))
        }


class DateOffForm(forms.Form):
    date = forms.DateField(label=_("Day off"), widget=DatePicker())


class CVForm(forms.Form):
    file = forms.FileField(
        label=_("CV (PDF or Word DOCX, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > settings.CV_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 5 MB."))
        return file


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type your email address to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != self.email.lower():
            raise forms.ValidationError(_("That is not your email address."))
        return value


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        help_text=_("The email and the person's account use this language."),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Someone with this email address already has an account.")
            )
        return email


REQUIRED_AREAS = ("service_attitude", "communication", "sales")


class AssessmentForm(forms.Form):
    """A structured assessment: the type, each area on its anchored 1–5 scale, and for a
    language check the language and the level heard."""

    kind = forms.ChoiceField(label=_("Type of assessment"), choices=Assessment.Kind.choices)
    assessed_on = forms.DateField(label=_("Date"), widget=DatePicker(), required=True)
    evenings_weekends_confirmed = forms.BooleanField(
        label=_("Evenings and weekends availability confirmed"), required=False
    )
    language_checked = forms.ChoiceField(
        label=_("Language checked"), choices=[("", "–"), *Language.choices], required=False
    )
    language_level_verified = forms.TypedChoiceField(
        label=_("Verified level"),
        choices=[("", "–"), *CEFRLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    summary = forms.CharField(
        label=_("Summary for the candidate"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    notes = forms.CharField(
        label=_("Internal notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Never used for matching."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for area in AREA_ANCHORS:
            self.fields[area] = forms.TypedChoiceField(
                label=area_label(area),
                choices=[(score, str(score)) for score in SCORES],
                coerce=int,
                empty_value=None,
                required=False,  # the three REQUIRED_AREAS are checked in clean()
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            # Shown as needed (not "optional"): only a language check may leave them out.
            self.fields[area].rated_always = area in REQUIRED_AREAS  # type: ignore[attr-defined]
        for name in ("kind", "language_checked", "language_level_verified"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("assessed_on", "summary", "notes"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["evenings_weekends_confirmed"].widget.attrs["class"] = "form-check-input"

    def area_rows(self) -> list[tuple[forms.BoundField, list[tuple[int, str]]]]:
        """Each area's field with its anchors (1, 3, 5), for the template."""
        return [
            (self[area], [(score, str(text)) for score, text in anchors.items()])
            for area, anchors in AREA_ANCHORS.items()
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        # Every assessment rates the three main areas, but a language check may rate only the
        # language (then its empty ratings never replace an interview's in matching); one
        # that rates any of them rates all three.
        missing = [area for area in REQUIRED_AREAS if data.get(area) is None]
        language_check = data.get("kind") == Assessment.Kind.LANGUAGE_CHECK
        if missing and not (language_check and len(missing) == len(REQUIRED_AREAS)):
            for area in missing:
                self.add_error(area, forms.Field.default_error_messages["required"])
        language, level = data.get("language_checked"), data.get("language_level_verified")
        if data.get("kind") == Assessment.Kind.LANGUAGE_CHECK and not (language and level):
            raise forms.ValidationError(_("A language check needs the language and the level."))
        if bool(language) != bool(level):
            raise forms.ValidationError(_("Give both the language checked and its level."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Seen by the agency only; never used for matching."),
    )


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("Task"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("e.g. call back on Tuesday")}
        ),
    )
    due_on = forms.DateField(label=_("Due"), widget=DatePicker(attrs={"class": "form-control"}))
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = task_assignees()
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.email
        if user is not None and not self.is_bound:
            self.fields["assignee"].initial = user.pk
