"""The device cookie: a long-lived, signed, HttpOnly id of one browser.

It is not an account and holds no personal data: it lets a person keep their quick-join
identity on that browser across visits, lets votes of quick-join residents count once
per device, and lets a ban hold when someone joins again under a new nickname.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from .models import User

_SALT = "madang.device"


def new_device_token() -> tuple[str, str]:
    """A fresh device id and its signed cookie value."""
    device_id = secrets.token_hex(16)
    return device_id, signing.dumps(device_id, salt=_SALT)


def device_from_token(token: str | None) -> str:
    """The device id a cookie names, or "" for a missing or forged one."""
    if not token:
        return ""
    try:
        value: Any = signing.loads(token, salt=_SALT, max_age=settings.DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return ""
    return value if isinstance(value, str) and 16 <= len(value) <= 64 else ""


def request_device(request: HttpRequest) -> str:
    """The browser's device id (DeviceCookieMiddleware sets it on every request)."""
    return str(getattr(request, "device_id", "") or "")


def scope_device(scope: dict[str, Any]) -> str:
    """The device id of a WebSocket's browser, from its cookie header."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no device
                return ""
            morsel = jar.get(settings.DEVICE_COOKIE_NAME)
            return device_from_token(morsel.value) if morsel else ""
    return ""


def voter_key(user: User) -> str:
    """Who counts once in votes, ballots, poll answers and proposal support.

    An account counts as itself; a quick-join resident counts as the device they joined
    on, so a second nickname on the same browser is the same voter.
    """
    if user.device_id and not user.has_account:
        return f"d:{user.device_id}"
    return f"u:{user.pk}"


def set_device_cookie(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        token,
        max_age=settings.DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class DeviceCookieMiddleware:
    """Give every browser a signed device id the first time it asks for a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        device_id = device_from_token(request.COOKIES.get(settings.DEVICE_COOKIE_NAME))
        fresh = ""
        if not device_id:
            device_id, fresh = new_device_token()
        request.device_id = device_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        if fresh and not getattr(response, "streaming", False):
            set_device_cookie(response, fresh)
        return response
