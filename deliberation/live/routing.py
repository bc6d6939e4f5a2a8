"""WebSocket URL patterns of the live room."""

from __future__ import annotations

from typing import Any

from django.urls import path

from .consumers import room_socket

websocket_urlpatterns: list[Any] = [
    path("ws/sessions/<int:session_id>/", room_socket, name="room_socket"),
]
