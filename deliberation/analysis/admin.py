"""Read-only back office view of the Korean analysis queue (the worker owns its states)."""

from __future__ import annotations

from django.contrib import admin

from deliberation.common.admin import ReadOnlyAdmin

from .models import TextAnalysis


@admin.register(TextAnalysis)
class TextAnalysisAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "object_id", "session", "state", "attempts", "requested_at")
    list_filter = ("state", "kind", "analyser")
    exclude = ("normalised_text",)
