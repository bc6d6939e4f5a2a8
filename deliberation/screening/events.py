"""Events of the offensive-language assistant, sent to a room's facilitators only.

Registered in the live room's one table of events (docs/protocol.md, "Screening").
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from deliberation.live.events import Event, register_event


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ScreeningFlag(Event):
    """A text was flagged: its class, confidence and triggers (facilitators only)."""

    type: ClassVar[str] = "screening.flag"
    flag: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ScreeningFlagDone(Event):
    """A facilitator hid or dismissed a flagged text; other consoles drop it."""

    type: ClassVar[str] = "screening.flag_done"
    flag_id: int
    status: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ScreeningHold(Event):
    """The session's "hold flagged statements for approval" setting changed."""

    type: ClassVar[str] = "screening.hold"
    hold_flagged: bool
