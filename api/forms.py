from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey
from api.services.webhooks import WebhookUrlError, webhook_url_check
from staffing.base import events

EVENT_CHOICES = [
    (events.REQUEST_SHORTLISTED, _("request.shortlisted: the shortlist is ready")),
    (events.REQUEST_APPROVED, _("request.approved: the agency approved the shortlist")),
    (events.PLACEMENT_CONFIRMED, _("placement.confirmed: a person was booked")),
    (events.PLACEMENT_CANCELLED, _("placement.cancelled: a booking was cancelled")),
    (events.REQUEST_FILLED, _("request.filled: every place is filled")),
    (events.REQUEST_NEEDS_ATTENTION, _("request.needs_attention: the agency is looking further")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("E.g. the system using it.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices)


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhook_url_check(url)
        except WebhookUrlError as error:
            raise forms.ValidationError(str(error)) from error
        return url


class WebhookEndpointCreateForm(WebhookEndpointForm):
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        min_length=24,
        max_length=100,
        help_text=_("Leave empty to have one generated. It is shown once."),
    )


class WebhookEndpointChangeForm(WebhookEndpointForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
