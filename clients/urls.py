from django.urls import path

from clients import join_views, views

urlpatterns = [
    path("requests/", views.request_list, name="client_requests"),
    path("requests/new/", views.request_new, name="client_request_new"),
    path("requests/new/estimate/", views.request_estimate, name="client_request_estimate"),
    path("requests/<int:pk>/", views.request_detail, name="client_request_detail"),
    path("requests/<int:pk>/status/", views.request_status, name="client_request_status"),
    path("requests/<int:pk>/people/", views.request_people, name="client_request_people"),
    path(
        "requests/<int:pk>/people/<int:candidate_id>/decline/",
        views.person_decline,
        name="client_person_decline",
    ),
    path("requests/<int:pk>/cancel/", views.request_cancel_view, name="client_request_cancel"),
    path("placements/<int:pk>/feedback/", views.placement_feedback, name="client_feedback"),
    path("placements/<int:pk>/no-show/", views.placement_no_show, name="client_no_show"),
    path("join/<str:token>/", join_views.client_join, name="client_join"),
]
