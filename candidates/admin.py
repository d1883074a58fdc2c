from django.contrib import admin

from candidates.models import (
    Assessment,
    Candidate,
    CandidateActivity,
    CandidateCV,
    CandidateImport,
    CandidateLanguage,
    CandidateNote,
    CandidateSkill,
    CandidateTask,
    Consent,
    DateOff,
    Invitation,
    RetentionRun,
    SavedSearch,
    SavedSearchMatch,
    Skill,
    StatementRequest,
    WorkExperience,
)
from staffing.base.admin_readonly import ReadOnlyAdmin


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_en", "name_sv"]


class LanguageInline(admin.TabularInline):
    model = CandidateLanguage
    extra = 0


class SkillInline(admin.TabularInline):
    model = CandidateSkill
    extra = 0


class DateOffInline(admin.TabularInline):
    model = DateOff
    extra = 0


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "postal_code", "status", "matching_consent", "updated_at"]
    list_filter = ["status", "matching_consent", "works_retail", "works_office"]
    search_fields = ["first_name", "last_name", "email", "postal_code"]
    raw_id_fields = ["user", "merged_into", "imported_from"]
    inlines = [LanguageInline, SkillInline, DateOffInline]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "assessed_at", "service_attitude", "communication", "sales"]
    raw_id_fields = ["candidate", "assessed_by"]


@admin.register(CandidateLanguage)
class CandidateLanguageAdmin(admin.ModelAdmin):
    list_display = ["candidate", "__str__"]
    raw_id_fields = ["candidate"]


@admin.register(CandidateSkill)
class CandidateSkillAdmin(admin.ModelAdmin):
    list_display = ["candidate", "__str__"]
    raw_id_fields = ["candidate"]


@admin.register(DateOff)
class DateOffAdmin(admin.ModelAdmin):
    list_display = ["candidate", "__str__"]
    raw_id_fields = ["candidate"]


@admin.register(WorkExperience)
class WorkExperienceAdmin(admin.ModelAdmin):
    list_display = ["candidate", "employer", "title", "started", "ended"]
    raw_id_fields = ["candidate"]


# Consents, invitations, activity, CVs and statements are written by services that record,
# email or re-rank; the admin only shows them.
@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "purpose", "version", "given_at", "withdrawn_at"]
    list_filter = ["purpose"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "candidate", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email"]


@admin.register(CandidateActivity)
class CandidateActivityAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "last_seen_at"]


@admin.register(CandidateCV)
class CandidateCVAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "original_name", "size", "uploaded_at"]


@admin.register(StatementRequest)
class StatementRequestAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "assessment", "requested_at", "answered_at"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "paused", "asked", "erased", "finished_at"]


# Notes, tasks and saved searches are written (and audited) by services; the admin shows them.
@admin.register(CandidateNote)
class CandidateNoteAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "author", "created_at"]


@admin.register(CandidateTask)
class CandidateTaskAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "title", "due_on", "assignee", "done_at"]
    list_filter = ["done_at"]


@admin.register(SavedSearch)
class SavedSearchAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "created_at", "checked_at"]


@admin.register(SavedSearchMatch)
class SavedSearchMatchAdmin(ReadOnlyAdmin):
    list_display = ["search", "candidate", "first_matched_at"]


@admin.register(CandidateImport)
class CandidateImportAdmin(ReadOnlyAdmin):
    """Imports are run by candidates.services.imports; the admin only shows them."""

    list_display = ["file_name", "created_at", "created_by", "status", "total", "created_count"]
    list_filter = ["status"]
    exclude = ["rows"]
