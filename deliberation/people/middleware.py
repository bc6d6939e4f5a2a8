"""Attach a resident held by the signed cookie to HTTP requests and WebSocket scopes."""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .identity import resident_from_token


class ResidentCookieMiddleware:
    """A request with no signed-in account but a valid resident cookie acts as that resident."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        token = request.COOKIES.get(settings.RESIDENT_COOKIE_NAME)
        if token and not user.is_authenticated:
            resident = SimpleLazyObject(lambda: resident_from_token(token) or user)
            request.user = resident  # type: ignore[assignment]
        return self.get_response(request)


def _cookie_from_scope(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no identity
                return None
            morsel = jar.get(settings.RESIDENT_COOKIE_NAME)
            return morsel.value if morsel else None
    return None


class ResidentScopeMiddleware:
    """ASGI middleware: after AuthMiddleware, fall back to the resident cookie."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            token = _cookie_from_scope(scope)
            if token:
                # On the thread pool, not the process's one database thread: a join storm's
                # cookie lookups must not queue behind each other and the room's own work.
                resident = await database_sync_to_async(
                    resident_from_token, thread_sensitive=False
                )(token)
                if resident is not None:
                    scope = dict(scope, user=resident, resident_token=token)
        return await self.inner(scope, receive, send)
