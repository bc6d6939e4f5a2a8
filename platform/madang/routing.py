"""WebSocket routing: Origin check, then session and resident identity, then the rooms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.conf import settings

from deliberation.live.routing import websocket_urlpatterns
from deliberation.people.middleware import ResidentScopeMiddleware


class SameOriginValidator:
    """Refuse a handshake whose Origin is not the page's own: same host AND port as the
    Host the socket was opened on (or a CSRF-trusted origin).

    AllowedHostsOriginValidator ignores ports, so a page served on another port of an
    allowed host could open a socket with the visitor's cookies. Browsers always send
    Host; without one only the allowed-hosts check applies.
    """

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
        if host and origin and not self._same(origin, host):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

    @staticmethod
    def _same(origin: str, host: str) -> bool:
        trusted = {o.lower().rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS}
        if origin.rstrip("/") in trusted:
            return True
        try:
            netloc = urlsplit(origin).netloc
        except ValueError:
            return False
        return netloc == host


websocket_application = AllowedHostsOriginValidator(
    SameOriginValidator(
        AuthMiddlewareStack(ResidentScopeMiddleware(URLRouter(websocket_urlpatterns)))
    )
)
