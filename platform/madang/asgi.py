"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from deliberation.live.looplag import LoopLagMiddleware  # noqa: E402
from madang.routing import websocket_application  # noqa: E402

# Every server process samples its event loop's lag from its first connection on.
application = LoopLagMiddleware(
    ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
)
