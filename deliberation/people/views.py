"""Sign-in, sign-out, the resident's quick-join and attaching an account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from deliberation.personal_data import selectors as privacy_selectors
from deliberation.personal_data import services as privacy_services
from deliberation.personal_data.forms import ConsentForm
from deliberation.personal_data.models import ConsentRecord

from . import limits, services
from .devices import request_device
from .forms import AttachAccountForm, QuickJoinForm, SignInForm
from .identity import resident_token
from .models import User


class SignInView(LoginView):
    template_name = "people/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def signin_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt is counted against: ``Admin`` and ``admin`` are one."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().casefold()[:150]


def signin_locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The lockout page django-axes shows: what happened and how to get back in (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "people/locked_out.html",
        {"minutes": minutes, "next": _safe_next(request)},
        status=429,
    )


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return next_url


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out of the account and forget the resident cookie; its sockets lose access."""
    user = request.user
    if user.is_authenticated and isinstance(user, User) and user.is_resident:
        services.user_revoke_tokens(user=user)
    logout(request)
    messages.info(request, _("로그아웃했습니다."))
    response = HttpResponseRedirect("/")
    response.delete_cookie(settings.RESIDENT_COOKIE_NAME, samesite="Lax")
    return response


def _set_resident_cookie(response: HttpResponse, user: User) -> None:
    response.set_cookie(
        settings.RESIDENT_COOKIE_NAME,
        resident_token(user),
        max_age=settings.RESIDENT_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _join_session(request: HttpRequest) -> Any:
    """The session this join is for (``?session=``), if the person may see it."""
    from deliberation.agendas.models import Session
    from deliberation.agendas.permissions import can_view_session

    raw = request.POST.get("session") or request.GET.get("session") or ""
    if not raw.isdigit():
        return None
    session = Session.objects.select_related("agenda").filter(pk=int(raw)).first()
    if session is None or not can_view_session(request.user, session):
        return None
    return session


def _too_many(wait: float) -> str:
    minutes = max(1, round(wait / 60))
    return _(
        "이 네트워크나 기기에서 새로 참여한 사람이 너무 많습니다. "
        "회의장 화면의 회의장 코드를 입력하거나 %(n)d분 뒤에 다시 시도해 주세요."
    ) % {"n": minutes}


def _session_join_check(session: Any, nickname: str, device_id: str) -> None:
    """Refuse a join into this session: a banned browser, or a nickname already taken there."""
    from deliberation.live import participation

    if session is None:
        return
    if participation.device_banned(session, user=User(pk=0), device_id=device_id):
        raise ValidationError(
            _(
                "이 기기는 이 회의에서 차단되어 다시 참여할 수 없습니다. "
                "새 닉네임으로 참여해도 마찬가지입니다."
            ),
            code="banned",
        )
    if participation.nickname_taken(session, nickname):
        raise ValidationError(
            _("이 회의에 같은 닉네임을 쓰는 사람이 이미 있습니다. 다른 닉네임을 골라 주세요."),
            code="nickname_taken",
        )


@require_http_methods(["GET", "POST"])
def quick_join(request: HttpRequest) -> HttpResponse:
    """Nickname and region, and the resident is in: a signed cookie holds them.

    New identities are limited per client address and per browser (people.limits); a
    valid venue code raises the address limit, and is remembered for its session.
    """
    next_url = _safe_next(request)
    current = request.user if request.user.is_authenticated else None
    device_id = request_device(request)
    session = _join_session(request)
    from deliberation.live import participation

    venue = session is not None and participation.uses_venue_code(session)
    previous = None if current else services.device_resident(device_id)
    if request.method == "POST" and request.POST.get("resume") and previous is not None:
        response = HttpResponseRedirect(next_url)
        _set_resident_cookie(response, previous)
        messages.success(
            request, _("%(name)s 님, 다시 오셨네요.") % {"name": previous.display_name}
        )
        return response
    form = QuickJoinForm(request.POST or None, venue=venue)
    notice = privacy_selectors.notice_current()
    consent = ConsentForm(
        request.POST or None, notice=notice, age_band=request.POST.get("age_band")
    )
    status = 200
    if request.method == "POST" and form.is_valid() and consent.is_valid():
        code = form.cleaned_data.get("venue_code") or ""
        code_ok = False
        if venue and code:
            tries = limits.Limit("venue-try", *settings.MADANG_VENUE_CODE_TRIES)
            if limits.hit(tries, device_id) is not None:
                form.add_error("venue_code", _too_many(settings.MADANG_VENUE_CODE_TRIES[1]))
            elif not participation.venue_code_valid(session, code):
                form.add_error(
                    "venue_code", _("회의장 코드가 맞지 않습니다. 화면의 숫자를 확인해 주세요.")
                )
            else:
                code_ok = True
        if form.is_valid():
            try:
                nickname = services.clean_nickname(form.cleaned_data["nickname"])
                _session_join_check(session, nickname, device_id)
            except ValidationError as exc:
                form.add_error("nickname", exc)
        if form.is_valid():
            per_address, per_device = limits.join_limits(venue_code=code_ok)
            wait = limits.hit(per_device, device_id) or limits.hit(
                per_address, limits.client_address(request)
            )
            if wait is not None:
                form.add_error(None, _too_many(wait))
                status = 429
        if form.is_valid():
            try:
                with transaction.atomic():
                    user = services.resident_join(
                        nickname=form.cleaned_data["nickname"],
                        region=form.cleaned_data["region"],
                        age_band=form.cleaned_data["age_band"],
                        device_id=device_id,
                    )
                    privacy_services.consent_record(
                        user=user,
                        notice=notice,
                        optional=consent.cleaned_data["optional"],
                        channel=ConsentRecord.Channel.JOIN,
                    )
                    if session is not None and code_ok:
                        participation.venue_code_enter(
                            user=user, session=session, code=code, device_id=device_id
                        )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                response = HttpResponseRedirect(next_url)
                _set_resident_cookie(response, user)
                messages.success(
                    request, _("%(name)s 님, 환영합니다.") % {"name": user.display_name}
                )
                return response
    return render(
        request,
        "people/quick_join.html",
        {
            "form": form,
            "next": next_url,
            "current": current,
            "consent_form": consent,
            "previous": previous,
            "join_session": session,
            "region_strings": {
                "label": _("시·군·구 검색"),
                "placeholder": _("예: 중구, 고성, 전주"),
                "none": _("찾는 지역이 없습니다."),
            },
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def attach_account(request: HttpRequest) -> HttpResponse:
    """A quick-join resident keeps their nickname and gains a username and password."""
    user = request.user
    if not (isinstance(user, User) and user.is_authenticated and user.is_resident):
        raise Http404
    if user.has_usable_password():
        messages.info(request, _("이미 계정이 연결되어 있습니다."))
        return HttpResponseRedirect("/")
    form = AttachAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.resident_attach_account(
                user=user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("username" if exc.code == "taken" else None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("계정을 연결했습니다. 이제 아이디와 비밀번호로 로그인할 수 있습니다.")
            )
            return HttpResponseRedirect(_safe_next(request))
    return render(request, "people/attach_account.html", {"form": form})
