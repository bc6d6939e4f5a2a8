"""Back office for digests: webhook endpoints are configured here; digests, answers and
the delivery log are read-only (the publishing workflow, its revision log and webhooks
run only through the digest pages), and failed deliveries can be sent again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.common.admin import ReadOnlyAdmin

from . import webhooks
from .models import Digest, DigestRead, MinistryResponse, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "max_disclosure", "active", "created_at")
    list_filter = ("active", "max_disclosure")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "endpoint",
        "event",
        "digest",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    )
    list_filter = ("state", "event", "endpoint")
    actions = ["resend"]

    @admin.action(description=gettext_lazy("선택한 전달을 다시 보내기"))
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        sent = [
            webhooks.delivery_resend(actor=request.user, delivery=delivery).pk
            for delivery in queryset.select_related("endpoint")
        ]
        self.message_user(
            request,
            _("새 전달 %(ids)s을(를) 보냅니다.") % {"ids": ", ".join(f"#{pk}" for pk in sent)},
            messages.SUCCESS,
        )

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # The change list (and its resend action) needs this; every field stays read-only.
        return bool(request.user.is_active and request.user.is_staff) and obj is None


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "disclosure", "status", "generation", "published_at")
    list_filter = ("status", "disclosure", "topic")
    search_fields = ("title",)


@admin.register(MinistryResponse)
class MinistryResponseAdmin(ReadOnlyAdmin):
    list_display = ("digest", "proposal_title", "status", "created_at")
    list_filter = ("status",)


@admin.register(DigestRead)
class DigestReadAdmin(admin.ModelAdmin):
    """Who read a restricted digest, when and how: a log nobody edits."""

    list_display = ("at", "digest", "reader", "channel", "detail")
    list_filter = ("channel",)
    search_fields = ("digest__title", "reader__username", "reader__nickname")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in DigestRead._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
