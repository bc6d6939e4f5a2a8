"""Back office for organisations, municipality profiles and people."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import MunicipalityProfile, Organisation, User


class ProfileInline(admin.StackedInline):
    model = MunicipalityProfile
    can_delete = False
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "kind", "parent", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    autocomplete_fields = ("parent",)
    inlines = [ProfileInline]


@admin.register(MunicipalityProfile)
class MunicipalityProfileAdmin(admin.ModelAdmin):
    list_display = (
        "organisation",
        "cooperation_stage",
        "partner_count",
        "international_team_size",
        "has_exchange_ordinance",
        "friendly_city_designated",
    )
    list_filter = ("cooperation_stage", "has_exchange_ordinance", "friendly_city_designated")
    search_fields = ("organisation__name", "organisation__name_en")
    autocomplete_fields = ("organisation",)

    @admin.display(description=_("해외 교류 도시 수"))
    def partner_count(self, obj: MunicipalityProfile) -> int:
        return len(obj.exchange_partners or [])


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "nickname",
        "role",
        "organisation",
        "region",
        "clearance",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "clearance", "is_active", "is_staff", "organisation")
    search_fields = ("username", "nickname", "email", "first_name", "last_name")
    autocomplete_fields = ("organisation", "region")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("마당"),
            {"fields": ("role", "organisation", "nickname", "region", "age_band", "clearance")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("마당"), {"fields": ("role", "organisation", "nickname", "region", "clearance")}),
    )
