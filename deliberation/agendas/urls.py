from __future__ import annotations

from django.urls import include, path

from . import views

# The home page keeps its plain name ("home"); everything else is "agendas:...".
agenda_patterns = [
    path("agendas/new/", views.agenda_create, name="agenda_create"),
    path("agendas/<int:agenda_id>/", views.agenda_detail, name="agenda_detail"),
    path("agendas/<int:agenda_id>/edit/", views.agenda_edit, name="agenda_edit"),
    path("agendas/<int:agenda_id>/sessions/new/", views.session_create, name="session_create"),
    path("agendas/<int:agenda_id>/invitees/", views.agenda_invitees, name="agenda_invitees"),
    path("sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path(
        "sessions/<int:session_id>/transition/",
        views.session_transition,
        name="session_transition",
    ),
    path("sessions/<int:session_id>/briefing/", views.briefing_add, name="briefing_add"),
    path(
        "sessions/<int:session_id>/briefing/<int:material_id>/remove/",
        views.briefing_remove,
        name="briefing_remove",
    ),
    path(
        "sessions/<int:session_id>/briefing/<int:material_id>/file/",
        views.briefing_file,
        name="briefing_file",
    ),
    path("my/organisation/", views.dashboard, name="dashboard"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((agenda_patterns, "agendas"))),
]
