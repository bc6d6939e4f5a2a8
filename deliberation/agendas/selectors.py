"""Reads for agenda and session pages; materialised, never lazy querysets for async code."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from .models import Agenda, Session
from .permissions import can_view_agenda, can_view_session, visible_agendas, visible_sessions


def agenda_get_visible(user: Any, agenda_id: int) -> Agenda:
    """The agenda, or 404 when it does not exist or this person may not know it exists."""
    agenda = Agenda.objects.select_related("organisation").filter(pk=agenda_id).first()
    if agenda is None or not can_view_agenda(user, agenda):
        raise Http404
    return agenda


def session_get_visible(user: Any, session_id: int) -> Session:
    session = (
        Session.objects.select_related("agenda", "agenda__organisation")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not can_view_session(user, session):
        raise Http404
    return session


def home_sessions(
    user: Any, *, organisation_id: int | None = None, topic: str | None = None
) -> dict[str, list[Session]]:
    """Live and upcoming sessions this person may see, filtered for the home page."""
    qs = visible_sessions(user).select_related("agenda", "agenda__organisation")
    if organisation_id:
        qs = qs.filter(agenda__organisation_id=organisation_id) | qs.filter(
            agenda__organisation__parent_id=organisation_id
        )
    if topic:
        qs = qs.filter(agenda__topic=topic)
    live = list(qs.filter(state__in=[Session.State.LIVE, Session.State.PAUSED]).order_by("starts_at"))
    upcoming = list(qs.filter(state=Session.State.SCHEDULED).order_by("starts_at")[:50])
    recent = list(qs.filter(state=Session.State.CLOSED).order_by("-starts_at")[:10])
    return {"live": live, "upcoming": upcoming, "recent": recent}


def agenda_sessions(agenda: Agenda) -> list[Session]:
    return list(agenda.sessions.order_by("starts_at"))


def agendas_visible(user: Any) -> list[Agenda]:
    return list(visible_agendas(user).select_related("organisation")[:200])
