from __future__ import annotations

from django.urls import path

from . import views

app_name = "digests"

urlpatterns = [
    # Facilitators
    path("sessions/<int:session_id>/digest/", views.session_digest, name="session_digest"),
    path(
        "sessions/<int:session_id>/digest/generate/",
        views.session_digest_generate,
        name="session_digest_generate",
    ),
    path(
        "sessions/<int:session_id>/digest/live/",
        views.session_live_digest,
        name="session_live_digest",
    ),
    path(
        "agendas/<int:agenda_id>/digest/generate/",
        views.agenda_digest_generate,
        name="agenda_digest_generate",
    ),
    path("digests/<int:digest_id>/", views.digest_detail, name="digest_detail"),
    path("digests/<int:digest_id>/edit/", views.digest_edit, name="digest_edit"),
    path("digests/<int:digest_id>/progress/stream/", views.digest_progress, name="digest_progress"),
    path("digests/<int:digest_id>/print/", views.digest_print, name="digest_print"),
    path("digests/<int:digest_id>/export.<str:fmt>", views.digest_export, name="digest_export"),
    path("digests/<int:digest_id>/responses/", views.response_create, name="response_create"),
    path("digests/<int:digest_id>/assign/", views.digest_assign, name="digest_assign"),
    path("digests/<int:digest_id>/statements/", views.digest_statements, name="digest_statements"),
    path("sessions/<int:session_id>/record/", views.session_record, name="session_record"),
    # Ministry
    path("ministry/digests/", views.inbox, name="inbox"),
    path("ministry/trends/", views.trends, name="trends"),
    path("ministry/municipalities/", views.municipalities, name="municipalities"),
    # Everyone signed in
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        views.notification_open,
        name="notification_open",
    ),
    # Last: the workflow actions share one pattern (approve, reopen, publish).
    path(
        "digests/<int:digest_id>/<str:action>/",
        views.digest_transition,
        name="digest_transition",
    ),
]
