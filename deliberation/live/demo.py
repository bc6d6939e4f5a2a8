"""Demo data of join modes: one live deliberation votes with the venue code."""

from __future__ import annotations

from deliberation.agendas.models import JoinMode, Session


def seed_join_modes() -> Session | None:
    """The first live deliberation: anyone may speak, only the hall (venue code) may vote."""
    session = (
        Session.objects.filter(kind=Session.Kind.DELIBERATION, state=Session.State.LIVE)
        .order_by("pk")
        .first()
    )
    if session is not None and session.vote_mode != JoinMode.VENUE_CODE:
        session.vote_mode = JoinMode.VENUE_CODE
        session.save(update_fields=["vote_mode"])
    return session
