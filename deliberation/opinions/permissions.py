"""Who may vote on statements and who runs voting (docs/permissions.md, "Opinion map")."""

from __future__ import annotations

from typing import Any

from deliberation.agendas.models import Session
from deliberation.live.permissions import can_take_part, is_room_staff

# Anyone admitted to the room (whether voting is on is the service's business). The same
# predicate as the room's own, so the action runner reuses the access it just computed.
can_vote_statements = can_take_part


def can_run_voting(user: Any, session: Session) -> bool:
    """Turn voting on or off, put a statement up for a vote: the room's staff."""
    return is_room_staff(user, session)


def can_see_map(user: Any, session: Session) -> bool:
    """The map's dots (anonymous) on the console and projector: the room's staff."""
    return is_room_staff(user, session)
