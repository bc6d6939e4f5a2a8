"""WebSocket routing: Origin check, then session and resident identity, then the rooms."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from deliberation.live.routing import websocket_urlpatterns
from deliberation.people.middleware import ResidentScopeMiddleware

websocket_application = AllowedHostsOriginValidator(
    AuthMiddlewareStack(ResidentScopeMiddleware(URLRouter(websocket_urlpatterns)))
)
