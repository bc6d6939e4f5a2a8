"""Back office: programme kinds are edited here; the rest is read-only (written through
the registry's services, which analyse texts and check permissions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AnnualPlan, FriendlyCityDesignation, OverlapMark, Programme, ProgrammeKind


@admin.register(ProgrammeKind)
class ProgrammeKindAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    prepopulated_fields = {"slug": ["name_en"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "kind", "stage", "status", "disclosure"]
    list_filter = ["kind", "stage", "status", "disclosure"]
    search_fields = ["title", "description"]


@admin.register(OverlapMark)
class OverlapMarkAdmin(ReadOnlyAdmin):
    list_display = ["first", "second", "verdict", "score", "marked_by", "marked_at"]
    list_filter = ["verdict"]


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "year", "kind"]


@admin.register(FriendlyCityDesignation)
class FriendlyCityDesignationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "designated_on", "valid_until"]
