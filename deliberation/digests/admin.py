"""Administration of webhook endpoints and a read-only view of the delivery log."""

from __future__ import annotations

from django.contrib import admin

from .models import Digest, MinistryResponse, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "max_disclosure", "active", "created_at")
    list_filter = ("active", "max_disclosure")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "endpoint",
        "event",
        "digest",
        "state",
        "attempts",
        "created_at",
        "delivered_at",
    )
    list_filter = ("state", "event", "endpoint")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "disclosure", "status", "published_at")
    list_filter = ("status", "disclosure", "topic")
    search_fields = ("title",)
    readonly_fields = ("content", "search_text", "sources", "keywords")


@admin.register(MinistryResponse)
class MinistryResponseAdmin(admin.ModelAdmin):
    list_display = ("digest", "proposal_title", "status", "created_at")
    list_filter = ("status",)
