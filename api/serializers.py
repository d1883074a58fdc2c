"""What the API reads and writes. Orders are validated by the order form's own forms, so a
request the page would refuse is refused here with the same messages."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates.languages import CEFRLevel, Language
from clients.forms import LanguageFormSet, ShiftFormSet, StaffingRequestForm
from clients.models import CandidateMark, ServiceProfile, Site
from staffing.models import Placement, Shift, StaffingRequest
from staffing.presenters import request_progress, request_timeline


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ("id", "name", "street_address", "postal_code", "city", "latitude", "longitude")


class ServiceProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceProfile
        fields = ("id", "name", "site", "role_type", "focus", "description", "is_active")


class ShiftSerializer(serializers.ModelSerializer):
    cancelled = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = ("id", "starts_at", "ends_at", "cancelled")

    def get_cancelled(self, shift: Shift) -> bool:
        return shift.is_cancelled


class StaffingRequestSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=StaffingRequest.Status.choices, read_only=True)
    shifts = ShiftSerializer(many=True, read_only=True)

    class Meta:
        model = StaffingRequest
        fields = (
            "id",
            "site",
            "service_profile",
            "urgency",
            "headcount",
            "role_type",
            "status",
            "notes",
            "created_at",
            "shortlisted_at",
            "filled_at",
            "shifts",
        )


class StepSerializer(serializers.Serializer):
    label = serializers.CharField()
    done = serializers.BooleanField()
    at = serializers.DateTimeField(allow_null=True)
    detail = serializers.CharField()
    alert = serializers.BooleanField()


class TimelineItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    text = serializers.CharField()


class StaffingRequestDetailSerializer(StaffingRequestSerializer):
    """One request with its progress steps (received → … → filled) and its timeline, in the
    words the client's request page uses."""

    confirmed = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(StaffingRequestSerializer.Meta):
        fields = (*StaffingRequestSerializer.Meta.fields, "confirmed", "steps", "timeline")

    def get_confirmed(self, req: StaffingRequest) -> int:
        return req.confirmed_people()

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, req: StaffingRequest) -> list[dict[str, Any]]:
        return StepSerializer(request_progress(req), many=True).data

    @extend_schema_field(TimelineItemSerializer(many=True))
    def get_timeline(self, req: StaffingRequest) -> list[dict[str, Any]]:
        return TimelineItemSerializer(request_timeline(req, for_client=True), many=True).data


class ShiftInputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day the shift starts (Europe/Helsinki).")
    start = serializers.TimeField(help_text="Local start time, e.g. 16:00.")
    end = serializers.TimeField(help_text="Local end time; before the start means the next day.")


class LanguageInputSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)
    level = serializers.ChoiceField(choices=[label for _value, label in CEFRLevel.choices])
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StaffingRequestCreateSerializer(serializers.Serializer):
    """An order, as the order form takes it: checked by the form's own validation."""

    site = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    service_profile = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    urgency = serializers.ChoiceField(choices=StaffingRequest.Urgency.choices)
    headcount = serializers.IntegerField(min_value=1, max_value=50)
    shifts = ShiftInputSerializer(many=True, allow_empty=False, max_length=7)
    languages = LanguageInputSerializer(many=True, required=False, max_length=4, default=list)
    required_skills = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=50,
    )
    preferred_skills = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=50,
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        company = self.context["company"]
        form = StaffingRequestForm(_form_data(attrs), company=company)
        shifts = ShiftFormSet(_rows_data("shifts", attrs["shifts"]), prefix="shifts")
        languages = LanguageFormSet(_rows_data("languages", attrs["languages"]), prefix="languages")
        errors: dict[str, Any] = {}
        if not form.is_valid():
            errors.update({_name(k): v for k, v in form.errors.items()})
        for name, formset in (("shifts", shifts), ("languages", languages)):
            if formset.is_valid():
                continue
            rows = [{_name(k): v for k, v in e.items()} for e in formset.errors]
            errors[name] = rows if any(rows) else list(formset.non_form_errors())
        if errors:
            raise serializers.ValidationError(errors)
        return {
            **form.cleaned_data,
            "periods": shifts.periods,
            "language_needs": languages.needs,
        }


def _name(field: str) -> str:
    return "non_field_errors" if field == "__all__" else field


def _form_data(attrs: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name in ("site", "service_profile", "urgency", "headcount", "notes"):
        data[name] = str(attrs[name])
    data.setlist("required_skills", [str(s) for s in attrs["required_skills"]])
    data.setlist("preferred_skills", [str(s) for s in attrs["preferred_skills"]])
    return data


def _rows_data(prefix: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    """A formset's POST data for these rows (ISO dates and times, which every language's
    input formats accept)."""
    levels = {label: str(value) for value, label in CEFRLevel.choices}
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "level":
                value = levels[value]
            elif key in ("start", "end"):
                value = value.strftime("%H:%M:%S")
            elif key == "date":
                value = value.isoformat()
            data[f"{prefix}-{index}-{key}"] = str(value)
    return data


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class NoShowSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FeedbackSerializer(serializers.Serializer):
    """After the shift: a rating (1–5 with a comment), a mark for next time, or both."""

    rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    mark = serializers.ChoiceField(
        choices=[("", _("No mark")), *CandidateMark.Kind.choices],
        required=False,
        help_text="favourite, do_not_return, or an empty string to clear the mark.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "rating" not in attrs and "mark" not in attrs:
            raise serializers.ValidationError(_("Give a rating, a mark, or both."))
        return attrs


class PresentedPersonSerializer(serializers.Serializer):
    """A person shown to the client: the first name and why they fit until they are placed
    with the client; then the full name and phone too."""

    candidate_id = serializers.IntegerField()
    first_name = serializers.CharField()
    full_name = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    placed = serializers.BooleanField()
    fit = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    skills = serializers.ListField(child=serializers.CharField())
    band = serializers.CharField()
    placements = serializers.ListField(child=serializers.IntegerField())

    def to_representation(self, person: Any) -> dict[str, Any]:
        return {
            "candidate_id": person.candidate_id,
            "first_name": person.first_name,
            "full_name": person.full_name if person.placed else None,
            "phone": (person.phone or None) if person.placed else None,
            "placed": person.placed,
            "fit": [str(line) for line in person.fit],
            "languages": [str(x) for x in person.languages],
            "skills": [str(x) for x in person.skills],
            "band": str(person.band or ""),
            "placements": [p.pk for p in person.placements],
        }


class PlacedPersonSerializer(serializers.Serializer):
    candidate_id = serializers.IntegerField()
    first_name = serializers.CharField()
    full_name = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)


class PlacementSerializer(serializers.ModelSerializer):
    """A booking of one person on one shift. The person's full name and phone are shown while
    the placement is active (confirmed or completed), as on the request page."""

    status = serializers.ChoiceField(choices=Placement.Status.choices, read_only=True)
    shift = ShiftSerializer(read_only=True)
    person = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = ("id", "request", "shift", "status", "person", "rating", "created_at")

    @extend_schema_field(PlacedPersonSerializer)
    def get_person(self, placement: Placement) -> dict[str, Any]:
        shown = placement.candidate.shown_to_client(
            placed=placement.status in Placement.ACTIVE_STATUSES
        )
        return {
            "candidate_id": placement.candidate_id,
            "first_name": shown["first_name"],
            "full_name": shown["full_name"] or None,
            "phone": shown["phone"] or None,
        }

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_rating(self, placement: Placement) -> int | None:
        rating = getattr(placement, "service_rating", None)
        return rating.score if rating is not None else None


class RequestFilterSerializer(serializers.Serializer):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=StaffingRequest.Status.choices), required=False
    )
    site = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    starts_after = serializers.DateField(required=False)
    starts_before = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("starts_after"), attrs.get("starts_before")
        if after and before and before < after:
            raise serializers.ValidationError(
                {"starts_before": _("The end of the range is before its start.")}
            )
        return attrs


class PlacementFilterSerializer(serializers.Serializer):
    request = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Placement.Status.choices), required=False
    )
