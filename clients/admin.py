from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clients.models import (
    CandidateMark,
    ClientCompany,
    ClientInvitation,
    ClientMembership,
    ProfileLanguage,
    ProfileRulesVersion,
    ServiceProfile,
    Site,
    TypicalShift,
)
from staffing.base.admin_readonly import ReadOnlyAdmin


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class MembershipInline(admin.TabularInline):
    model = ClientMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ClientCompany)
class ClientCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "business_id", "is_active"]
    search_fields = ["name", "business_id"]
    inlines = [SiteInline, MembershipInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "city", "postal_code"]
    list_filter = ["city"]
    search_fields = ["name", "company__name"]


class ProfileLanguageInline(admin.TabularInline):
    model = ProfileLanguage
    extra = 0


class TypicalShiftInline(admin.TabularInline):
    model = TypicalShift
    extra = 0


@admin.register(ServiceProfile)
class ServiceProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "site", "role_type", "focus", "is_active"]
    list_filter = ["role_type", "focus", "is_active"]
    inlines = [ProfileLanguageInline, TypicalShiftInline]
    filter_horizontal = ["valued_skills"]
    # Weights change on the Clients page only, where each saved set is a new rules version.
    readonly_fields = ["weights", "weights_version"]
    fieldsets = [
        (None, {"fields": ["company", "site", "name", "role_type", "focus", "is_active"]}),
        (
            _("What the client values"),
            {"fields": ["description", "valued_skills", "weights", "weights_version"]},
        ),
        (
            _("What the offer tells people"),
            {
                "fields": [
                    ("pay_min", "pay_max"),
                    ("contact_name", "contact_phone"),
                    "instructions",
                ]
            },
        ),
    ]


@admin.register(CandidateMark)
class CandidateMarkAdmin(admin.ModelAdmin):
    list_display = ["company", "candidate", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["candidate", "created_by"]


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
    filter_horizontal = ["sites"]


# Written by the back office's services (audited), read-only here.
@admin.register(ProfileRulesVersion)
class ProfileRulesVersionAdmin(ReadOnlyAdmin):
    list_display = ["profile", "number", "created_by", "created_at"]


@admin.register(ClientInvitation)
class ClientInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "company", "invited_by", "created_at", "accepted_at"]


@admin.register(ProfileLanguage)
class ProfileLanguageAdmin(admin.ModelAdmin):
    list_display = ["__str__"]


@admin.register(TypicalShift)
class TypicalShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
