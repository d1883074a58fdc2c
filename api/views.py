"""The REST API for client systems: everything is scoped to the key's company, so another
company's id answers 404."""

from __future__ import annotations

from rest_framework import viewsets

from api.serializers import ServiceProfileSerializer, SiteSerializer, StaffingRequestSerializer
from clients.models import ServiceProfile, Site
from staffing.models import StaffingRequest


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SiteSerializer

    def get_queryset(self):
        return Site.objects.filter(company=self.request.user.company).order_by("name")


class ServiceProfileViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceProfileSerializer

    def get_queryset(self):
        return ServiceProfile.objects.filter(company=self.request.user.company).order_by("name")


class StaffingRequestViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StaffingRequestSerializer

    def get_queryset(self):
        return (
            StaffingRequest.objects.filter(company=self.request.user.company)
            .prefetch_related("shifts__cancellation")
            .order_by("-created_at", "-pk")
        )
