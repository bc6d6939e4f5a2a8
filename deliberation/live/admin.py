"""Read-only back office for the live rooms' record: statements, reports, bans and the
moderation log. Moderation happens in the room console, where it is logged and broadcast."""

from __future__ import annotations

from django.contrib import admin

from deliberation.common.admin import ReadOnlyAdmin

from .models import ModerationAction, Participant, Report, Statement


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("pk", "session", "author", "status", "on_stage", "seq", "created_at")
    list_filter = ("status", "on_stage")
    search_fields = ("text", "session__title")
    date_hierarchy = "created_at"


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "statement", "reporter", "reason", "status", "created_at")
    list_filter = ("status",)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    """Bans, mutes and removals per room (filter "banned")."""

    list_display = ("session", "person", "banned", "muted", "removed", "joined_at")
    list_filter = ("banned", "muted", "removed")
    search_fields = ("session__title", "person__username")


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("session", "kind", "actor", "at")
    list_filter = ("kind",)
