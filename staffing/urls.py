from django.contrib import admin
from django.urls import include, path

from staffing.views import (
    account,
    bench,
    home,
    offers,
    operations,
    pools,
    recruiter,
    service_levels,
)

# The admin site logs in through allauth (MFA, rate limits), never with its own form.
admin.site.login = account.admin_login

urlpatterns = [
    path("", home.landing, name="landing"),
    path("home/", home.home, name="home"),
    path("health/", operations.health, name="health"),
    path("agency/system/", operations.system, name="agency_system"),
    path("agency/requests/", recruiter.board, name="recruiter_board"),
    path("agency/requests/<int:pk>/", recruiter.request_detail, name="recruiter_request_detail"),
    path(
        "agency/requests/<int:pk>/shortlist/rows/",
        recruiter.shortlist_rows_view,
        name="recruiter_shortlist_rows",
    ),
    path(
        "agency/requests/<int:pk>/shortlist/<int:entry_pk>/explanation/",
        recruiter.shortlist_entry_explanation,
        name="recruiter_shortlist_entry_explanation",
    ),
    path("agency/bench/", bench.coverage, name="bench_coverage"),
    path("agency/bench/<int:profile_id>/", bench.detail, name="bench_detail"),
    path("agency/pools/", pools.pools, name="talent_pools"),
    path("agency/pools/<int:pk>/", pools.pool_detail, name="talent_pool_detail"),
    path("agency/pools/add/", pools.pool_add, name="talent_pool_add"),
    path("agency/pools/<int:pk>/remove/", pools.pool_remove, name="talent_pool_remove"),
    path("agency/service-levels/", service_levels.service_levels_page, name="service_levels"),
    path(
        "client/service-levels/",
        service_levels.service_levels_page,
        name="client_service_levels",
    ),
    path(
        "agency/requests/<int:pk>/approve/",
        recruiter.shortlist_approve_view,
        name="recruiter_shortlist_approve",
    ),
    path(
        "agency/requests/<int:pk>/shortlist/edit/",
        recruiter.shortlist_edit,
        name="recruiter_shortlist_edit",
    ),
    path(
        "agency/requests/<int:pk>/shortlist/add/",
        recruiter.shortlist_add,
        name="recruiter_shortlist_add",
    ),
    path(
        "agency/requests/<int:pk>/search/",
        recruiter.candidate_search_view,
        name="recruiter_candidate_search",
    ),
    path(
        "agency/placements/<int:pk>/no-show/",
        recruiter.placement_no_show,
        name="recruiter_placement_no_show",
    ),
    path(
        "agency/requests/<int:pk>/offers/", offers.request_offers, name="recruiter_request_offers"
    ),
    path("client/", include("clients.urls")),
    path("api/v1/", include("api.urls")),
    path("api/", include("api.docs_urls")),
    path("settings/api/", include("api.page_urls")),
    path("me/offers/", offers.candidate_offers, name="candidate_offers"),
    path("me/offers/<int:pk>/answer/", offers.offer_answer, name="offer_answer"),
    path("me/assignments/", offers.candidate_assignments, name="candidate_assignments"),
    path("me/assignments/<int:pk>/cancel/", offers.assignment_cancel, name="assignment_cancel"),
    path("me/records/<int:pk>/contest/", offers.record_contest, name="record_contest"),
    path("o/<str:token>/", offers.offer_link, name="offer_link"),
    path("me/", include("candidates.urls")),
    path("agency/candidates/", include("candidates.agency_urls")),
    path("agency/clients/", include("clients.agency_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/security/", account.security, name="account_security"),
    path("account/security/sessions/end/", account.sessions_end, name="account_sessions_end"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]

handler500 = "staffing.errors.server_error"
