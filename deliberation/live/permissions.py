"""Who may do what in a live room: one predicate per action, checked on every action.

The role x action table is in docs/permissions.md ("Live room") and every cell is tested.
"""

from __future__ import annotations

from typing import Any

from deliberation.agendas import permissions as agenda_permissions
from deliberation.agendas.models import Session

from .models import Participant


def is_room_staff(user: Any, session: Session) -> bool:
    """Facilitators of the organising body (and above) and admins run the room."""
    return agenda_permissions.can_moderate(user, session)


def is_banned(user: Any, session: Session) -> bool:
    return Participant.objects.filter(session=session, person_id=user.pk, banned=True).exists()


def room_access(user: Any, session: Session, *, banned: bool | None = None) -> tuple[bool, bool]:
    """(may be in the room, runs the room), evaluated once for both.

    ``banned``: the person's ban, when the caller has just read their participant row.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False, False
    if is_room_staff(user, session):
        return True, True
    if not agenda_permissions.can_join_room(user, session):
        return False, False
    return not (is_banned(user, session) if banned is None else banned), False


def can_enter_room(user: Any, session: Session) -> bool:
    """Open the room's socket: staff always (to open it), others while it is live or paused."""
    return room_access(user, session)[0]


def can_take_part(user: Any, session: Session) -> bool:
    """Post, react, raise a hand, report: someone admitted to the room."""
    return can_enter_room(user, session)


def can_still_read(user: Any, session: Session) -> bool:
    """A session that stopped being live stays readable to those who could see it."""
    return (
        session.state not in agenda_permissions.JOINABLE_STATES
        and agenda_permissions.can_view_session(user, session)
        and not is_banned(user, session)
    )


can_moderate_room = is_room_staff


# --- how people take part (join modes) ----------------------------------------------------

ACCOUNT = "account"
VENUE_CODE = "venue_code"
OPEN = "open"


def admitted_via(user: Any, *, venue_verified: bool) -> str:
    """How this person takes part: with an account, with the venue code, or openly."""
    if getattr(user, "has_account", False):
        return ACCOUNT
    return VENUE_CODE if venue_verified else OPEN


def meets_mode(user: Any, mode: str, *, venue_verified: bool) -> bool:
    """Does the person satisfy a session's join mode (open, venue_code, accounts)?"""
    from deliberation.agendas.models import JoinMode

    via = admitted_via(user, venue_verified=venue_verified)
    if mode == JoinMode.ACCOUNTS:
        return via == ACCOUNT
    if mode == JoinMode.VENUE_CODE:
        return via in (ACCOUNT, VENUE_CODE)
    return True


def strictest(*modes: str) -> str:
    from deliberation.agendas.models import JOIN_MODE_RANK, JoinMode

    return max(modes, key=lambda m: JOIN_MODE_RANK.get(JoinMode(m), 0))
