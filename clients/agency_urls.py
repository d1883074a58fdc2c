from django.urls import path

from clients import agency_views as views

urlpatterns = [
    path("", views.client_list, name="agency_clients"),
    path("new/", views.client_new, name="agency_client_new"),
    path("<int:pk>/", views.client_detail, name="agency_client_detail"),
    path("<int:pk>/edit/", views.client_edit, name="agency_client_edit"),
    path("<int:pk>/terms/", views.client_terms, name="agency_client_terms"),
    path("<int:pk>/sites/new/", views.site_new, name="agency_site_new"),
    path("<int:pk>/profiles/new/", views.profile_new, name="agency_profile_new"),
    path("<int:pk>/contacts/invite/", views.contact_invite_view, name="agency_contact_invite"),
    path("<int:pk>/order/", views.phone_order, name="agency_phone_order"),
    path("sites/<int:pk>/", views.site_edit, name="agency_site_edit"),
    path("profiles/<int:pk>/", views.profile_edit, name="agency_profile_edit"),
    path("profiles/<int:pk>/weights/", views.profile_weights, name="agency_profile_weights"),
    path(
        "profiles/<int:pk>/weights/preview/",
        views.profile_weights_preview,
        name="agency_profile_weights_preview",
    ),
    path("contacts/<int:pk>/", views.contact_edit, name="agency_contact_edit"),
    path(
        "contacts/<int:pk>/deactivate/",
        views.contact_deactivate_view,
        name="agency_contact_deactivate",
    ),
    path(
        "contacts/<int:pk>/activate/", views.contact_activate_view, name="agency_contact_activate"
    ),
]
