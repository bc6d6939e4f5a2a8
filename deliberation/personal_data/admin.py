"""Back office: new versions of the notice, the consent and audit logs, and answering a
resident's request made by phone or letter through the same services as the data page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.people.models import User

from . import selectors, services
from .forms import AdminRequestForm
from .models import ConsentRecord, DataSubject, PersonalDataAction, PrivacyNotice, Withdrawal
from .views import export_response

ADMIN = PersonalDataAction.Channel.ADMIN


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_admin_role", False))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """A version once saved never changes: an edit is a new version, through the service."""

    list_display = ("version", "effective_date", "asks_consent_again", "change_note", "created_at")
    fields = ("effective_date", "body_ko", "body_en", "asks_consent_again", "change_note")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        current = selectors.notice_current()
        return {
            "effective_date": current.effective_date,
            "body_ko": current.body_ko,
            "body_en": current.body_en,
        }

    def save_model(self, request: HttpRequest, obj: PrivacyNotice, form: Any, change: bool) -> None:
        created = services.notice_create(
            actor=request.user,  # type: ignore[arg-type]
            effective_date=form.cleaned_data["effective_date"],
            body_ko=form.cleaned_data["body_ko"],
            body_en=form.cleaned_data["body_en"],
            asks_consent_again=form.cleaned_data["asks_consent_again"],
            change_note=form.cleaned_data["change_note"],
        )
        obj.pk = created.pk
        obj.version = created.version


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "notice", "scope", "granted", "channel", "at")
    list_filter = ("scope", "granted", "channel")


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ("user", "cause", "at")
    list_filter = ("cause",)


@admin.register(PersonalDataAction)
class PersonalDataActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "channel", "actor", "subject", "reference")
    list_filter = ("kind", "channel")
    search_fields = ("reference",)


@admin.register(DataSubject)
class DataSubjectAdmin(ReadOnlyAdmin):
    """Find a resident, see their data, download it or withdraw them, on their request."""

    list_display = ("pk", "nickname", "region", "date_joined", "is_active")
    search_fields = ("nickname", "username")
    list_display_links = ("pk", "nickname")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super().get_queryset(request).filter(role=User.Role.RESIDENT).select_related("region")
        )

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:user_id>/request/", wrap(self.request_view), name="personal_data_request"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        return HttpResponseRedirect(reverse("admin:personal_data_request", args=[int(object_id)]))

    def request_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """One resident's data and the actions an administrator may take for them."""
        if not _is_admin(request):
            raise PermissionDenied
        subject = get_object_or_404(User, pk=user_id, role=User.Role.RESIDENT)
        actor: User = request.user  # type: ignore[assignment]
        form = AdminRequestForm(request.POST if request.method == "POST" else None)
        action = request.POST.get("action", "")
        if request.method == "POST" and form.is_valid():
            reference = form.cleaned_data["reference"]
            try:
                if action in ("json", "csv"):
                    services.export_logged(
                        user=subject, actor=actor, channel=ADMIN, fmt=action, reference=reference
                    )
                    return export_response(
                        selectors.person_record(subject), action, f"madang-resident-{subject.pk}"
                    )
                if action == "optional":
                    services.consent_withdraw_optional(
                        user=subject,
                        notice=selectors.notice_current(),
                        actor=actor,
                        channel=ADMIN,
                        reference=reference,
                    )
                    messages.success(request, _("선택 항목 동의를 철회하고 연령대를 지웠습니다."))
                elif action == "withdraw":
                    services.resident_withdraw(
                        user=subject, actor=actor, channel=ADMIN, reference=reference
                    )
                    messages.success(request, _("탈퇴(익명 처리)했습니다."))
                else:
                    form.add_error(None, _("할 일을 골라 주세요."))
            except ValidationError as exc:
                form.add_error(None, exc)
            if not form.errors:
                return HttpResponseRedirect(request.path)
        elif request.method == "GET":
            services.view_logged(user=subject, actor=actor)
        record = selectors.person_record(subject)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext_lazy("주민 개인정보 요청 처리"),
            "opts": self.model._meta,
            "subject": subject,
            "record": record,
            "counts": selectors.record_counts(record),
            "form": form,
            "may_withdraw": services.may_withdraw(subject),
            "actions_log": PersonalDataAction.objects.filter(subject=subject).select_related(
                "actor"
            )[:50],
        }
        return TemplateResponse(request, "personal_data/admin_request.html", context)
