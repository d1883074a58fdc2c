from django.urls import path

from api import pages

urlpatterns = [
    path("", pages.api_settings, name="api_settings"),
    path("<int:company_id>/", pages.api_settings_company, name="api_settings_company"),
    path("<int:company_id>/keys/", pages.api_key_new, name="api_key_new"),
    path("<int:company_id>/keys/<int:pk>/", pages.api_key_change, name="api_key_change"),
    path(
        "<int:company_id>/keys/<int:pk>/revoke/",
        pages.api_key_revoke_view,
        name="api_key_revoke",
    ),
    path("<int:company_id>/webhooks/", pages.webhook_new, name="api_webhook_new"),
    path("<int:company_id>/webhooks/<int:pk>/", pages.webhook_detail, name="api_webhook_detail"),
    path(
        "<int:company_id>/webhooks/<int:pk>/change/",
        pages.webhook_change,
        name="api_webhook_change",
    ),
    path(
        "<int:company_id>/webhooks/<int:pk>/delete/",
        pages.webhook_delete,
        name="api_webhook_delete",
    ),
    path(
        "<int:company_id>/deliveries/<int:pk>/resend/",
        pages.delivery_resend,
        name="api_delivery_resend",
    ),
]
