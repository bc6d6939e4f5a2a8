"""Back office for API tokens: issue (the secret is shown once), revoke, read the log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.common.admin import ReadOnlyAdmin

from . import services
from .models import ApiToken, ApiTokenUse


class IssueForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "organisation", "account", "scope")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account, organisation = data.get("account"), data.get("organisation")
        if account is not None and organisation is not None:
            if account.organisation_id != organisation.pk:
                self.add_error("account", _("권한 계정은 그 기관의 계정이어야 합니다."))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "account", "scope", "prefix", "created_at",
                    "last_used_at", "revoked_at")  # fmt: skip
    list_filter = ("scope", "organisation")
    search_fields = ("name", "prefix", "organisation__name")
    autocomplete_fields = ("organisation", "account")
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        if obj is None:
            kwargs["form"] = IssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("name", "organisation", "account", "scope", "prefix", "created_by",
                "created_at", "last_used_at", "revoked_at", "revoked_by")  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # a token never changes; revoke it and issue another
        token, raw = services.token_issue(
            actor=request.user,
            organisation=obj.organisation,
            account=obj.account,
            name=obj.name,
            scope=obj.scope,
        )
        obj.pk = token.pk
        obj.prefix = token.prefix
        self.message_user(
            request,
            _("새 토큰입니다. 지금 한 번만 보여 드리니 안전한 곳에 옮겨 두십시오: %(token)s")
            % {"token": raw},
            messages.WARNING,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the log of its uses stays; revoke instead

    @admin.action(description=gettext_lazy("선택한 토큰 폐기"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.token_revoke(actor=request.user, token=token)
        self.message_user(request, _("토큰을 폐기했습니다."), messages.SUCCESS)


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(ReadOnlyAdmin):
    list_display = ("at", "token", "method", "path", "allowed", "ip")
    list_filter = ("allowed", "method", "token")
