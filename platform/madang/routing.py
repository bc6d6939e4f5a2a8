"""WebSocket routing: Origin check, then session and resident identity, then the rooms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.conf import settings
from django.urls import re_path

from deliberation.live.routing import websocket_urlpatterns
from deliberation.people.middleware import ResidentScopeMiddleware


class SameOriginValidator:
    """Refuse a handshake whose Origin is not the page's own: same scheme, host AND port
    as the socket (or a CSRF-trusted origin).

    AllowedHostsOriginValidator ignores ports and schemes, so a page served on another
    port of an allowed host, or over plain HTTP beside an HTTPS site, could open a socket
    with the visitor's cookies. ``ws`` pairs with ``http`` and ``wss`` with ``https``;
    behind the HTTPS proxy (MADANG_HTTPS) its X-Forwarded-Proto says which the socket is.
    Browsers always send Host; without one only the allowed-hosts check applies.
    """

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
        if host and origin and not self._same(origin, host, self._page_scheme(scope, headers)):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

    @staticmethod
    def _page_scheme(scope: dict[str, Any], headers: dict[bytes, bytes]) -> str:
        """The scheme of a page on the socket's own origin: http for ws, https for wss."""
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
            if proto:
                return "https" if proto in ("https", "wss") else "http"
        return "https" if scope.get("scheme") in ("wss", "https") else "http"

    @staticmethod
    def _same(origin: str, host: str, scheme: str) -> bool:
        trusted = {o.lower().rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS}
        if origin.rstrip("/") in trusted:
            return True
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return parts.scheme == scheme and parts.netloc == host


# A path no route matches gets a refused handshake (403), not an exception in the log.
refuse = WebsocketDenier.as_asgi()

websocket_application = AllowedHostsOriginValidator(
    SameOriginValidator(
        AuthMiddlewareStack(
            ResidentScopeMiddleware(URLRouter([*websocket_urlpatterns, re_path(r"", refuse)]))
        )
    )
)
