from django.contrib import admin

from candidates.models import (
    Assessment,
    Candidate,
    CandidateLanguage,
    CandidateSkill,
    DateOff,
    Skill,
)


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
    raw_id_fields = ["user"]
    inlines = [LanguageInline, SkillInline, DateOffInline]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "assessed_at", "service_attitude", "communication", "sales"]
    raw_id_fields = ["candidate", "assessed_by"]
