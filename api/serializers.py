from __future__ import annotations

from rest_framework import serializers

from clients.models import ServiceProfile, Site
from staffing.models import Shift, StaffingRequest


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ("id", "name", "street_address", "postal_code", "city", "latitude", "longitude")


class ServiceProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceProfile
        fields = ("id", "name", "site", "role_type", "focus", "description", "is_active")


class ShiftSerializer(serializers.ModelSerializer):
    cancelled = serializers.BooleanField(source="is_cancelled", read_only=True)

    class Meta:
        model = Shift
        fields = ("id", "starts_at", "ends_at", "cancelled")


class StaffingRequestSerializer(serializers.ModelSerializer):
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
