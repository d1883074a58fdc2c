from django.urls import path

from candidates.views import agency, imports, notes

urlpatterns = [
    path("", agency.candidate_list, name="recruiter_candidates"),
    path("export.csv", agency.candidate_export, name="recruiter_candidates_export"),
    path("export.xlsx", agency.candidate_export_xlsx, name="recruiter_candidates_export_xlsx"),
    path("invite/", agency.candidate_invite, name="recruiter_candidate_invite"),
    path("invite/many/", imports.invite_many, name="recruiter_invite_many"),
    path("import/", imports.import_upload, name="recruiter_import_upload"),
    path("import/<int:pk>/", imports.import_detail, name="recruiter_import_detail"),
    path(
        "import/<int:pk>/progress/", imports.import_progress_view, name="recruiter_import_progress"
    ),
    path("import/<int:pk>/start/", imports.import_start, name="recruiter_import_start"),
    path("import/<int:pk>/invite/", imports.import_invite, name="recruiter_import_invite"),
    path("duplicates/", imports.duplicates, name="recruiter_duplicates"),
    path("merge/", imports.candidate_merge_view, name="recruiter_candidate_merge"),
    path("retention/", agency.retention, name="agency_retention"),
    path("tasks/", notes.my_tasks, name="recruiter_tasks"),
    path("searches/save/", notes.saved_search_save, name="recruiter_saved_search_save"),
    path(
        "searches/<int:pk>/delete/",
        notes.saved_search_delete_view,
        name="recruiter_saved_search_delete",
    ),
    path("tasks/<int:pk>/done/", notes.task_done_view, name="recruiter_task_done"),
    path("<int:pk>/notes/add/", notes.note_add_view, name="recruiter_note_add"),
    path("<int:pk>/tasks/add/", notes.task_add_view, name="recruiter_task_add"),
    path("<int:pk>/", agency.candidate_detail, name="recruiter_candidate_detail"),
    path("<int:pk>/assessments/add/", agency.assessment_add, name="recruiter_assessment_add"),
    path("<int:pk>/profile/", agency.profile_edit, name="recruiter_profile_edit"),
    path("<int:pk>/cv/", agency.candidate_cv, name="candidate_cv_for_viewer"),
    path(
        "statements/<int:pk>/write/",
        agency.statement_write_view,
        name="recruiter_statement_write",
    ),
    path(
        "records/<int:pk>/answer/",
        agency.record_answer,
        name="recruiter_record_answer",
    ),
]
