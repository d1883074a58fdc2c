"""Phone numbers: stored in one form (E.164, "+358401234567"), shown the way people read them
("040 1234567" for a Finnish number, "+46 70 123 45 67" for others), checked on input with
`phonenumbers` (Google's libphonenumber data).

`PhoneNumberField` is the model field for every phone column: its form field normalises what
is typed and refuses what is not a number, in ModelForms and the admin alike.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

# Numbers typed without a country code are Finnish.
DEFAULT_REGION = "FI"
INVALID_MESSAGE = _(
    "This is not a phone number we can call. Give it with the area or operator code, "
    "e.g. 040 123 4567, or with the country code, e.g. +46 70 123 45 67."
)


class PhoneNumberInvalid(ValueError):
    pass


def phone_normalise(value: str) -> str:
    """The number in E.164 ("+358401234567"); "" for an empty value. Raises PhoneNumberInvalid
    for anything that is not a valid number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise PhoneNumberInvalid(value) from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberInvalid(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """A stored number as people read it; a value that does not parse is shown as it is."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneNumberFormField(forms.CharField):
    """A phone number as typed (spaces, dashes, 0 or +358 first), cleaned to E.164."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
    default_error_messages = {"invalid": INVALID_MESSAGE}

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        try:
            return phone_normalise(text or "")
        except PhoneNumberInvalid:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        # A stored number is shown formatted; what the person typed is shown as typed.
        if isinstance(value, str) and value.startswith("+"):
            return phone_display(value)
        return value


class PhoneNumberField(models.CharField):
    """A CharField whose form field is `PhoneNumberFormField`.

    It migrates as a plain CharField (`deconstruct`): the column is the same, so adopting it
    on an existing column needs no migration."""

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or PhoneNumberFormField,
            choices_form_class=choices_form_class,
            **kwargs,
        )

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
