from django.urls import path

from candidates.views import join
from candidates.views import self_service as views

urlpatterns = [
    path("", views.home, name="candidate_home"),
    path("verify/", views.verify_pending, name="candidate_verify_pending"),
    path("profile/", views.profile, name="candidate_profile"),
    path("languages/", views.languages, name="candidate_languages"),
    path(
        "languages/<str:language>/remove/", views.language_remove, name="candidate_language_remove"
    ),
    path("skills/", views.skills, name="candidate_skills"),
    path("skills/<int:skill_id>/remove/", views.skill_remove, name="candidate_skill_remove"),
    path("experience/", views.experience, name="candidate_experience"),
    path(
        "experience/<int:pk>/remove/", views.experience_remove, name="candidate_experience_remove"
    ),
    path("availability/", views.availability, name="candidate_availability"),
    path(
        "availability/confirm/", views.availability_confirm, name="candidate_availability_confirm"
    ),
    path(
        "availability/still-same/<str:token>/",
        views.availability_token,
        name="candidate_availability_token",
    ),
    path("dates-off/", views.date_off_add, name="candidate_date_off_add"),
    path("dates-off/<int:pk>/remove/", views.date_off_remove, name="candidate_date_off_remove"),
    path("cv/", views.cv, name="candidate_cv"),
    path("cv/download/", views.cv_download, name="candidate_cv_download"),
    path("cv/remove/", views.cv_delete, name="candidate_cv_remove"),
    path("privacy/", views.privacy, name="candidate_privacy"),
    path("privacy/<str:purpose>/", views.consent_change, name="candidate_consent"),
    path("visibility/", views.visibility, name="candidate_visibility"),
    path(
        "assessments/<int:pk>/statement/",
        views.statement_request,
        name="candidate_statement_request",
    ),
    path("data/", views.data, name="candidate_data"),
    path("data/export/", views.data_export_page, name="candidate_data_export"),
    path("data/export/file/", views.data_export_file, name="candidate_data_file"),
    path("data/download/", views.data_download, name="candidate_data_download"),
    path("data/erase/", views.erase, name="candidate_erase"),
    path("resume/", views.resume, name="candidate_resume"),
    path("renew/<str:token>/", views.renew, name="candidate_renew"),
    path("join/<str:token>/", join.join, name="candidate_join"),
]
