from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from staffing.base.admin_readonly import ReadOnlyAdmin
from staffing.models import (
    AuditEvent,
    Bench,
    BenchEntry,
    Offer,
    OutboundEmail,
    Placement,
    PresentedDecline,
    ReliabilityRecord,
    RequestLanguage,
    ServiceRating,
    Shift,
    ShiftCancellation,
    Shortlist,
    ShortlistEdit,
    ShortlistEntry,
    StaffingRequest,
    SweepMark,
    TalentPool,
    TalentPoolMember,
    TaskFailure,
    User,
    WorkerHeartbeat,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "first_name", "last_name", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "role", "language"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})
    ]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


class RequestLanguageInline(admin.TabularInline):
    model = RequestLanguage
    extra = 0


@admin.register(StaffingRequest)
class StaffingRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "company", "site", "urgency", "headcount", "status", "created_at"]
    list_filter = ["status", "urgency", "company"]
    inlines = [ShiftInline, RequestLanguageInline]
    raw_id_fields = ["submitted_by"]
    filter_horizontal = ["required_skills", "preferred_skills"]


class ShortlistEntryInline(admin.TabularInline):
    model = ShortlistEntry
    extra = 0
    raw_id_fields = ["candidate"]


@admin.register(Shortlist)
class ShortlistAdmin(admin.ModelAdmin):
    list_display = ["id", "request", "rules_version", "eligible_count", "created_at", "approved_at"]
    inlines = [ShortlistEntryInline]
    raw_id_fields = ["request", "approved_by"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["id", "candidate", "request", "shift", "status"]
    list_filter = ["status"]
    raw_id_fields = ["candidate", "request", "shift"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["action", "target_type"]
    raw_id_fields = ["actor", "staffing_request", "candidate"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["id", "request", "candidate", "wave", "status", "deadline", "responded_at"]
    list_filter = ["status"]
    raw_id_fields = ["request", "candidate", "shortlist_entry"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key", "to", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "language"]
    search_fields = ["key", "to"]
    readonly_fields = ["key", "to", "language", "subject", "body", "created_at", "sent_at"]


@admin.register(ReliabilityRecord)
class ReliabilityRecordAdmin(admin.ModelAdmin):
    """Recruiters read a person's account of a contested record here; deleting the record
    withdraws it."""

    list_display = ["created_at", "candidate", "kind", "contested_at", "answered_at"]
    list_filter = ["kind", ("contested_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["placement", "candidate", "reported_by"]
    # Answers are written on the recruiter's candidate page (reliability_record_answer).
    readonly_fields = ["contest_reason", "contested_at", "answer", "answered_by", "answered_at"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "request"]
    raw_id_fields = ["request"]


@admin.register(RequestLanguage)
class RequestLanguageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "request"]
    raw_id_fields = ["request"]


# Rows below are written by services (ranking, curation, feedback, operations) that record
# and re-rank; the admin only shows them.
@admin.register(ShortlistEntry)
class ShortlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "shortlist", "candidate"]


@admin.register(Bench)
class BenchAdmin(ReadOnlyAdmin):
    list_display = ["profile", "rules_version", "refreshed_at"]


@admin.register(BenchEntry)
class BenchEntryAdmin(ReadOnlyAdmin):
    list_display = ["bench", "rank", "candidate", "score", "shifts_available"]


@admin.register(SweepMark)
class SweepMarkAdmin(ReadOnlyAdmin):
    list_display = ["name", "at"]


@admin.register(ShortlistEdit)
class ShortlistEditAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "shortlist"]


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "placement", "candidate"]


@admin.register(PresentedDecline)
class PresentedDeclineAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "request", "candidate"]


@admin.register(ShiftCancellation)
class ShiftCancellationAdmin(ReadOnlyAdmin):
    list_display = ["shift", "reason", "by"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["hostname", "pid", "started_at", "last_seen", "pool_ready"]


@admin.register(TaskFailure)
class TaskFailureAdmin(ReadOnlyAdmin):
    list_display = ["failed_at", "task_name", "exception_type"]


# Talent pools change matching (the engine's talent pool factor): written by services that
# re-rank the people changed; the admin only shows them.
@admin.register(TalentPool)
class TalentPoolAdmin(ReadOnlyAdmin):
    list_display = ["name", "company", "service_profile", "created_at"]


@admin.register(TalentPoolMember)
class TalentPoolMemberAdmin(ReadOnlyAdmin):
    list_display = ["pool", "candidate", "source", "added_at"]
