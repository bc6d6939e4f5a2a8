"""The privacy notice, asking for consent again, and a resident's own data page."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation.people.models import User

from . import selectors, services
from .forms import ConsentForm, WithdrawForm
from .models import ConsentRecord, PersonalDataAction, PrivacyNotice

SELF = PersonalDataAction.Channel.SELF


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return next_url


def consent_redirect(request: HttpRequest) -> HttpResponse | None:
    """Send a resident who has not consented to the notice in force to consent first."""
    if not selectors.consent_needed(request.user):
        return None
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('personal_data:consent')}?{query}")


@require_GET
def notice(request: HttpRequest, version: int | None = None) -> HttpResponse:
    """The privacy notice in force (or an earlier version, for the record)."""
    current = selectors.notice_current()
    if version is None:
        shown = current
    else:
        shown = get_object_or_404(
            PrivacyNotice, version=version, effective_date__lte=timezone.localdate()
        )
    versions = [v for v in selectors.notice_versions() if v.effective_date <= timezone.localdate()]
    return render(
        request,
        "personal_data/notice.html",
        {
            "notice": shown,
            "current": current,
            "body": selectors.notice_body(shown),
            "controller": selectors.controller(),
            "versions": versions,
        },
    )


@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """A resident asked again after the notice changed: required and optional, separately."""
    user = request.user
    next_url = _safe_next(request)
    if not (isinstance(user, User) and user.is_authenticated and user.is_resident):
        return HttpResponseRedirect(next_url)
    current = selectors.notice_current()
    form = ConsentForm(
        request.POST if request.method == "POST" else None, notice=current, age_band=None
    )
    if request.method == "POST" and form.is_valid():
        services.consent_record(
            user=user,
            notice=current,
            optional=form.cleaned_data["optional"],
            channel=ConsentRecord.Channel.RENEWAL,
        )
        messages.success(request, _("동의를 기록했습니다."))
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "personal_data/consent.html",
        {"consent_form": form, "notice": current, "next": next_url, "had_age_band": user.age_band},
    )


def _person(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """What Madang holds about the person looking, with downloads and withdrawal."""
    person = _person(request)
    if person is None:
        return render(request, "personal_data/my_data.html", {"person": None}, status=200)
    record = selectors.person_record(person)
    optional = selectors.optional_consent(person)
    return render(
        request,
        "personal_data/my_data.html",
        {
            "person": person,
            "record": record,
            "counts": selectors.record_counts(record),
            "optional": optional,
            "may_withdraw": services.may_withdraw(person),
            "notice": selectors.notice_current(),
        },
    )


def export_response(record: dict[str, object], fmt: str, filename: str) -> HttpResponse:
    """A person's record as a JSON or CSV download."""
    if fmt == "json":
        body = orjson.dumps(record, option=orjson.OPT_INDENT_2)
        content_type = "application/json; charset=utf-8"
    else:
        body = selectors.record_csv(record)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def my_data_export(request: HttpRequest, fmt: str) -> HttpResponse:
    person = _person(request)
    if person is None or fmt not in ("json", "csv"):
        raise Http404
    services.export_logged(user=person, actor=person, channel=SELF, fmt=fmt)
    return export_response(selectors.person_record(person), fmt, "madang-my-data")


@require_POST
def my_data_optional_withdraw(request: HttpRequest) -> HttpResponse:
    """Withdraw consent to the optional items: the age band goes at once."""
    person = _person(request)
    if person is None:
        raise Http404
    services.consent_withdraw_optional(
        user=person, notice=selectors.notice_current(), actor=person, channel=SELF
    )
    messages.success(request, _("선택 항목 동의를 철회했고 연령대를 지웠습니다."))
    return HttpResponseRedirect(reverse("personal_data:my_data"))


@require_http_methods(["GET", "POST"])
def my_data_withdraw(request: HttpRequest) -> HttpResponse:
    """Withdraw, after a page that says what goes and what stays in the public record."""
    person = _person(request)
    if person is None:
        return HttpResponseRedirect(reverse("personal_data:my_data"))
    if not services.may_withdraw(person):
        messages.info(
            request, _("이 계정은 마당에서 직접 탈퇴할 수 없습니다. 운영 기관에 요청해 주세요.")
        )
        return HttpResponseRedirect(reverse("personal_data:my_data"))
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_withdraw(user=person, actor=person, channel=SELF)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            messages.success(
                request,
                _("탈퇴했습니다. 이 기기의 참여 정보도 지웠습니다. 고맙습니다."),
            )
            response = HttpResponseRedirect("/")
            response.delete_cookie(settings.RESIDENT_COOKIE_NAME, samesite="Lax")
            return response
    counts = selectors.record_counts(selectors.person_record(person))
    return render(
        request,
        "personal_data/withdraw.html",
        {"form": form, "counts": counts, "withdrawn_name": services.WITHDRAWN_NICKNAME},
    )
