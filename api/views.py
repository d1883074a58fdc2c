"""The REST API for client systems: everything is scoped to the key's company, so another
company's id answers 404. Views parse, look up within the company and call the same services
as the client manager's pages."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from api.exceptions import IdempotencyKeyReused
from api.language import api_language
from api.permissions import MayOrder
from api.serializers import (
    DeclineSerializer,
    FeedbackSerializer,
    NoShowSerializer,
    PlacementFilterSerializer,
    PlacementSerializer,
    PresentedPersonSerializer,
    ReasonSerializer,
    RequestFilterSerializer,
    ServiceProfileSerializer,
    SiteSerializer,
    StaffingRequestCreateSerializer,
    StaffingRequestDetailSerializer,
    StaffingRequestSerializer,
)
from api.services.orders import (
    IdempotencyConflict,
    api_request_submit,
    body_hash,
    idempotent_request_find,
)
from candidates.models import Candidate
from clients.models import ServiceProfile, Site
from staffing.models import Placement, Shift, StaffingRequest
from staffing.presenters import PresentedPerson, presented_people
from staffing.services.disclosure import candidate_views_record
from staffing.services.feedback import (
    candidate_mark_set,
    presented_decline,
    service_rating_give,
)
from staffing.services.placements import placement_no_show_report
from staffing.services.requests.cancel import request_cancel, shift_cancel

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string up to 255 characters: a retried POST with the same key and body "
        "answers with the request the first one created, and creates nothing."
    ),
)


class ApiViewMixin:
    """Every API view: answers in the language of `Accept-Language`, within the key's company."""

    permission_classes = [IsAuthenticated, MayOrder]

    def dispatch(self, request, *args, **kwargs):
        language = api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        response.headers["Content-Language"] = language
        return response

    @property
    def company(self):
        # None only while drf-spectacular inspects the view without a caller.
        return getattr(self.request.user, "company", None)  # type: ignore[attr-defined]

    @property
    def actor(self):
        """Who the audit log names for this key's changes: the person who created the key."""
        return self.request.user.key.created_by  # type: ignore[attr-defined]


class NewestFirstCursor(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema(tags=["sites"])
class SiteViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SiteSerializer
    pagination_class = None

    def get_queryset(self):
        return Site.objects.filter(company=self.company).order_by("name", "pk")


@extend_schema(tags=["service profiles"])
class ServiceProfileViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceProfileSerializer
    pagination_class = None

    def get_queryset(self):
        return ServiceProfile.objects.filter(company=self.company).order_by("name", "pk")


REQUEST_FILTERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=StaffingRequest.Status.values,
        description=("Only requests in these statuses (repeat the parameter for several)."),
    ),
    OpenApiParameter("site", OpenApiTypes.INT, description=("Only requests for this site.")),
    OpenApiParameter(
        "starts_after",
        OpenApiTypes.DATE,
        description=("Only requests with a shift starting on or after this day."),
    ),
    OpenApiParameter(
        "starts_before",
        OpenApiTypes.DATE,
        description=("Only requests with a shift starting on or before this day."),
    ),
]


def _query_params(request: Request, many: tuple[str, ...]) -> dict:
    params = {key: request.query_params.get(key) for key in request.query_params}
    for key in many:
        if key in request.query_params:
            params[key] = request.query_params.getlist(key)
    return params


@extend_schema(tags=["requests"])
class StaffingRequestViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    pagination_class = NewestFirstCursor

    def get_serializer_class(self):
        if self.action == "list":
            return StaffingRequestSerializer
        return StaffingRequestDetailSerializer

    def get_queryset(self):
        return (
            StaffingRequest.objects.filter(company=self.company)
            .select_related("company", "site", "service_profile")
            .prefetch_related("shifts__cancellation")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = RequestFilterSerializer(data=_query_params(self.request, ("status",)))
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        if wanted.get("status"):
            queryset = queryset.filter(status__in=wanted["status"])
        if wanted.get("site"):
            queryset = queryset.filter(site_id=wanted["site"])
        shifts = Shift.objects.filter(request=OuterRef("pk"))
        if wanted.get("starts_after"):
            shifts = shifts.filter(starts_at__date__gte=wanted["starts_after"])
        if wanted.get("starts_before"):
            shifts = shifts.filter(starts_at__date__lte=wanted["starts_before"])
        if wanted.get("starts_after") or wanted.get("starts_before"):
            queryset = queryset.filter(Exists(shifts))
        return queryset

    @extend_schema(
        summary="List requests, newest first",
        parameters=[
            *REQUEST_FILTERS,
            OpenApiParameter("cursor", OpenApiTypes.STR, description=("The page to read.")),
            OpenApiParameter("page_size", OpenApiTypes.INT, description=("At most 100.")),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Read a request with its status, steps and timeline")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Order staff",
        request=StaffingRequestCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: StaffingRequestDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is not None and not 1 <= len(key.strip()) <= 255:
            raise ValidationError({"Idempotency-Key": [_("Use 1 to 255 characters.")]})
        digest = body_hash(request.data)
        try:
            earlier = key and idempotent_request_find(company=self.company, key=key, digest=digest)
            if earlier:
                return self._created(earlier, replayed=True)
            order = StaffingRequestCreateSerializer(
                data=request.data, context={"company": self.company}
            )
            order.is_valid(raise_exception=True)
            created, new = api_request_submit(
                company=self.company,
                by=self.actor,
                order=order.validated_data,
                idempotency_key=key,
                digest=digest,
            )
        except IdempotencyConflict as error:
            raise IdempotencyKeyReused(
                _("This Idempotency-Key was used with another request body.")
            ) from error
        return self._created(created, replayed=not new)

    def _created(self, staffing_request: StaffingRequest, *, replayed: bool) -> Response:
        staffing_request = self.get_queryset().get(pk=staffing_request.pk)
        data = StaffingRequestDetailSerializer(staffing_request).data
        location = reverse("api-request-detail", args=[staffing_request.pk], request=self.request)
        headers = {"Location": location}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(
        summary="Cancel the whole request",
        request=ReasonSerializer,
        responses={200: StaffingRequestDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        staffing_request = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        request_cancel(
            staffing_request=staffing_request, by=self.actor, reason=body.validated_data["reason"]
        )
        return self._detail(staffing_request)

    @extend_schema(
        summary="Cancel one shift of the request",
        request=ReasonSerializer,
        responses={200: StaffingRequestDetailSerializer},
        parameters=[OpenApiParameter("shift_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"shifts/(?P<shift_id>[0-9]+)/cancel")
    def shift_cancel(self, request, pk=None, shift_id=None):
        staffing_request = self.get_object()
        shift = staffing_request.shifts.filter(pk=_int_or_404(shift_id)).first()
        if shift is None:
            raise NotFound
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shift_cancel(shift=shift, by=self.actor, reason=body.validated_data["reason"])
        return self._detail(staffing_request)

    def _detail(self, staffing_request: StaffingRequest) -> Response:
        fresh = self.get_queryset().get(pk=staffing_request.pk)
        return Response(StaffingRequestDetailSerializer(fresh).data)

    @extend_schema(
        summary="The people presented for the request",
        description=(
            "Once the agency has approved the shortlist: the people placed (full name and phone) "
            "and the best people still in play (first name and why they fit)."
        ),
        responses={200: PresentedPersonSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def people(self, request, pk=None):
        staffing_request = self.get_object()
        people = presented_people(staffing_request)
        candidate_views_record(
            viewer=self.actor, staffing_request=staffing_request, people=people, page_load=False
        )
        return Response(PresentedPersonSerializer(people, many=True).data)

    @extend_schema(
        summary="Decline a presented person",
        description=(
            "The agency offers the place to the next best person; a placement of theirs on this "
            "request is cancelled. The reason is read by the agency, never by the person."
        ),
        request=DeclineSerializer,
        responses={200: PresentedPersonSerializer(many=True)},
        parameters=[OpenApiParameter("candidate_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"people/(?P<candidate_id>[0-9]+)/decline",
        pagination_class=None,
    )
    def decline(self, request, pk=None, candidate_id=None):
        staffing_request = self.get_object()
        wanted = _int_or_404(candidate_id)
        presented = {p.candidate_id for p in presented_people(staffing_request)}
        if wanted not in presented:
            raise NotFound
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        presented_decline(
            staffing_request=staffing_request,
            candidate=Candidate.objects.get(pk=wanted),
            by=self.actor,
            reason=body.validated_data["reason"],
        )
        people = presented_people(staffing_request)
        return Response(PresentedPersonSerializer(people, many=True).data)


def _int_or_404(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 2**31:
        raise NotFound
    return number


PLACEMENT_FILTERS = [
    OpenApiParameter("request", OpenApiTypes.INT, description=("Only this request's.")),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=Placement.Status.values,
        description=("Only placements in these statuses."),
    ),
    OpenApiParameter("cursor", OpenApiTypes.STR, description=("The page to read.")),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=("At most 100.")),
]


@extend_schema(tags=["placements"])
class PlacementViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PlacementSerializer
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        return Placement.objects.filter(request__company=self.company).select_related(
            "candidate", "shift__cancellation", "service_rating", "request"
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = PlacementFilterSerializer(data=_query_params(self.request, ("status",)))
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        if wanted.get("request"):
            queryset = queryset.filter(request_id=wanted["request"])
        if wanted.get("status"):
            queryset = queryset.filter(status__in=wanted["status"])
        return queryset

    def _disclosed(self, placements: list[Placement]) -> None:
        """Log what the key's company was shown of each person, as the request page does."""
        by_request: dict[int, list[Placement]] = defaultdict(list)
        for placement in placements:
            by_request[placement.request_id].append(placement)
        for request_placements in by_request.values():
            people = [
                PresentedPerson(
                    candidate_id=p.candidate_id,
                    first_name=p.candidate.first_name,
                    fit=[],
                    languages=[],
                    skills=[],
                    band="",
                    placed=p.status in Placement.ACTIVE_STATUSES,
                )
                for p in request_placements
            ]
            candidate_views_record(
                viewer=self.actor,
                staffing_request=request_placements[0].request,
                people=people,
                page_load=False,
            )

    @extend_schema(summary="List placements, newest first", parameters=PLACEMENT_FILTERS)
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        placements = list(page or [])
        self._disclosed(placements)
        return self.get_paginated_response(self.get_serializer(placements, many=True).data)

    @extend_schema(summary="Read a placement")
    def retrieve(self, request, *args, **kwargs):
        placement = self.get_object()
        self._disclosed([placement])
        return Response(self.get_serializer(placement).data)

    @extend_schema(
        summary="Feedback after the shift: rating, favourite or do-not-return",
        request=FeedbackSerializer,
        responses={200: PlacementSerializer},
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        placement = self.get_object()
        body = FeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "rating" in body.validated_data:
            service_rating_give(
                placement=placement,
                by=self.actor,
                score=body.validated_data["rating"],
                comment=body.validated_data["comment"],
            )
        if "mark" in body.validated_data:
            candidate_mark_set(
                company=self.company,
                candidate=placement.candidate,
                by=self.actor,
                kind=body.validated_data["mark"],
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=placement.pk)).data)

    @extend_schema(
        summary="Report that the person did not come",
        request=NoShowSerializer,
        responses={200: PlacementSerializer},
    )
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        placement = self.get_object()
        body = NoShowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        placement_no_show_report(
            placement=placement, by=self.actor, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=placement.pk)).data)


@extend_schema(exclude=True)
class ApiNotFoundView(ApiViewMixin, APIView):
    """Any other address under the API answers a problem+json 404, not the site's HTML page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound

    options = http_method_not_allowed
