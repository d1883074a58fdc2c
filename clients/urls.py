from django.urls import path

from clients import views

urlpatterns = [
    path("requests/", views.request_list, name="client_requests"),
    path("requests/new/", views.request_new, name="client_request_new"),
    path("requests/<int:pk>/", views.request_detail, name="client_request_detail"),
    path("requests/<int:pk>/status/", views.request_status, name="client_request_status"),
]
