"""Sign-in, sign-out and the resident's quick-join."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .identity import resident_token
from .models import Organisation, User


class SignInView(LoginView):
    template_name = "people/signin.html"
    redirect_authenticated_user = True


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out of the account and forget the resident cookie; its sockets lose access."""
    user = request.user
    if user.is_authenticated and isinstance(user, User) and user.is_resident:
        services.user_revoke_tokens(user=user)
    logout(request)
    response = HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL and "/")
    response.delete_cookie(settings.RESIDENT_COOKIE_NAME)
    return response


class QuickJoinForm(forms.Form):
    nickname = forms.CharField(label=_("닉네임"), max_length=60)
    region = forms.ModelChoiceField(
        label=_("지역"),
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.METROPOLITAN, Organisation.Kind.LOCAL]
        ),
        empty_label=_("지역을 골라 주세요"),
    )
    age_band = forms.ChoiceField(
        label=_("연령대(선택, 통계용)"),
        choices=[("", _("응답하지 않음"))] + list(User.AgeBand.choices),
        required=False,
    )


@require_http_methods(["GET", "POST"])
def quick_join(request: HttpRequest) -> HttpResponse:
    """Nickname and region, and the resident is in: a signed cookie holds them."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    form = QuickJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.resident_join(
                nickname=form.cleaned_data["nickname"],
                region=form.cleaned_data["region"],
                age_band=form.cleaned_data["age_band"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            response = HttpResponseRedirect(next_url)
            response.set_cookie(
                settings.RESIDENT_COOKIE_NAME,
                resident_token(user),
                max_age=settings.RESIDENT_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    return render(request, "people/quick_join.html", {"form": form, "next": next_url})
