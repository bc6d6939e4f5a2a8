"""HTTP pages of the live room (the WebSocket routes are in routing.py)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("sessions/<int:session_id>/room/", views.room, name="room"),
    path("sessions/<int:session_id>/console/", views.console, name="console"),
    path("sessions/<int:session_id>/console/open/", views.console_open, name="console_open"),
    path("sessions/<int:session_id>/projector/", views.projector, name="projector"),
    path("sessions/<int:session_id>/venue/", views.venue_code_enter, name="venue_code_enter"),
    path(
        "sessions/<int:session_id>/venue/current/",
        views.venue_code_current,
        name="venue_code_current",
    ),
    path("j/<str:code>/", views.join_code, name="join_code"),
]
