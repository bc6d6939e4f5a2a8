"""Sign-in, sign-out, the resident's quick-join and attaching an account."""

from __future__ import annotations

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

from . import services
from .forms import AttachAccountForm, QuickJoinForm, SignInForm
from .identity import resident_token
from .models import User


class SignInView(LoginView):
    template_name = "people/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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


@require_http_methods(["GET", "POST"])
def quick_join(request: HttpRequest) -> HttpResponse:
    """Nickname and region, and the resident is in: a signed cookie holds them."""
    next_url = _safe_next(request)
    current = request.user if request.user.is_authenticated else None
    form = QuickJoinForm(request.POST or None)
    notice = privacy_selectors.notice_current()
    consent = ConsentForm(
        request.POST or None, notice=notice, age_band=request.POST.get("age_band")
    )
    if request.method == "POST" and form.is_valid() and consent.is_valid():
        try:
            with transaction.atomic():
                user = services.resident_join(
                    nickname=form.cleaned_data["nickname"],
                    region=form.cleaned_data["region"],
                    age_band=form.cleaned_data["age_band"],
                )
                privacy_services.consent_record(
                    user=user,
                    notice=notice,
                    optional=consent.cleaned_data["optional"],
                    channel=ConsentRecord.Channel.JOIN,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            response = HttpResponseRedirect(next_url)
            _set_resident_cookie(response, user)
            messages.success(request, _("%(name)s 님, 환영합니다.") % {"name": user.display_name})
            return response
    return render(
        request,
        "people/quick_join.html",
        {
            "form": form,
            "next": next_url,
            "current": current,
            "consent_form": consent,
            "region_strings": {
                "label": _("시·군·구 검색"),
                "placeholder": _("예: 중구, 고성, 전주"),
                "none": _("찾는 지역이 없습니다."),
            },
        },
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
