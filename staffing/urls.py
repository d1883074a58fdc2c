from django.contrib import admin
from django.urls import include, path

from staffing.views import home, recruiter

urlpatterns = [
    path("", home.landing, name="landing"),
    path("home/", home.home, name="home"),
    path("agency/requests/", recruiter.board, name="recruiter_board"),
    path("agency/requests/<int:pk>/", recruiter.request_detail, name="recruiter_request_detail"),
    path("client/", include("clients.urls")),
    path("me/", include("candidates.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]
