from django.urls import re_path
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sites", views.SiteViewSet, basename="api-site")
router.register("service-profiles", views.ServiceProfileViewSet, basename="api-service-profile")
router.register("requests", views.StaffingRequestViewSet, basename="api-request")
router.register("placements", views.PlacementViewSet, basename="api-placement")

urlpatterns = [*router.urls, re_path(r"", views.ApiNotFoundView.as_view(), name="api-not-found")]
