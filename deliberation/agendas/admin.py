"""Back office for agendas, sessions and the record of session transitions."""

from __future__ import annotations

from django.contrib import admin

from deliberation.common.sanitize import sanitize_rich_text

from .models import Agenda, Session, SessionTransition


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("title", "kind", "state", "starts_at", "venue")
    readonly_fields = ("state",)
    show_change_link = True


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "topic", "disclosure", "status", "created_at")
    list_filter = ("disclosure", "status", "topic", "organisation")
    search_fields = ("title", "organisation__name")
    autocomplete_fields = ("organisation", "invitees")
    date_hierarchy = "created_at"
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [SessionInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # The back office goes through the same sanitiser as the facilitator pages.
        obj.description_html = sanitize_rich_text(obj.description_html)
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class TransitionInline(admin.TabularInline):
    model = SessionTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "actor")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "agenda", "kind", "state", "starts_at", "venue", "join_code")
    list_filter = ("state", "kind", "agenda__organisation")
    search_fields = ("title", "agenda__title", "join_code")
    autocomplete_fields = ("agenda",)
    date_hierarchy = "starts_at"
    # State changes go through the state machine on the session page, not a free field.
    readonly_fields = ("state", "join_code", "last_seq", "created_by", "created_at")
    inlines = [TransitionInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SessionTransition)
class SessionTransitionAdmin(admin.ModelAdmin):
    list_display = ("session", "from_state", "to_state", "actor", "at")
    list_filter = ("to_state",)
    search_fields = ("session__title",)
    readonly_fields = ("session", "from_state", "to_state", "actor", "at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
