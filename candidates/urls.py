from django.urls import path

from candidates import views

urlpatterns = [
    path("", views.home, name="candidate_home"),
]
