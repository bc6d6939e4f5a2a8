"""Typed events of the live room. Every event the server sends is one of these.

Documented in docs/protocol.md; tests round-trip each through JSON. Sub-apps
(deliberation phases, polls, digests) define their events with the same base and
register them here through ``register_event``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import orjson

EVENT_TYPES: dict[str, type[Event]] = {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every server event; ``type`` is a class-level literal."""

    type: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["type"] = self.type
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        kind = EVENT_TYPES[data["type"]]
        names = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: v for k, v in data.items() if k in names})


def register_event(cls: type[Event]) -> type[Event]:
    """Class decorator: list an event type in the one table of events."""
    if not cls.type or cls.type in EVENT_TYPES:
        raise ValueError(f"event type missing or registered twice: {cls.type!r}")
    EVENT_TYPES[cls.type] = cls
    return cls


def encode(data: dict[str, Any]) -> str:
    """Encode once per room, as UTF-8 JSON (Korean is not ASCII-escaped)."""
    return orjson.dumps(data).decode("utf-8")


# --- Numbered room events (stored in RoomEvent, carry ``seq``) -------------------------


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementNew(Event):
    """A statement became visible to the room."""

    type: ClassVar[str] = "statement.new"
    statement: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementHidden(Event):
    """A facilitator hid a statement: clients remove it (the record keeps it)."""

    type: ClassVar[str] = "statement.hidden"
    statement_id: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementRestored(Event):
    """A hidden statement is shown again."""

    type: ClassVar[str] = "statement.restored"
    statement: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementPinned(Event):
    type: ClassVar[str] = "statement.pinned"
    statement_id: int
    pinned: bool


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementAnswered(Event):
    type: ClassVar[str] = "statement.answered"
    statement_id: int
    answer_id: int | None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class QueueChanged(Event):
    """The open-mic queue, whole, in order."""

    type: ClassVar[str] = "queue.changed"
    queue: list[dict[str, Any]]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class FloorChanged(Event):
    """Someone got, kept longer or lost the floor."""

    type: ClassVar[str] = "floor.changed"
    floor: dict[str, Any] | None
    previous: dict[str, Any] | None = None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class RoomState(Event):
    type: ClassVar[str] = "room.state"
    state: str
    locked: bool
    slow_mode_seconds: int
    premoderation: bool


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ModerationLogged(Event):
    """A public moderation-log entry (never hidden text)."""

    type: ClassVar[str] = "moderation.logged"
    entry: dict[str, Any]


# --- Unnumbered messages ---------------------------------------------------------------


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class Reactions(Event):
    """Coalesced reaction counts of the statements that changed."""

    type: ClassVar[str] = "reactions"
    counts: dict[str, dict[str, int]]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class Presence(Event):
    type: ClassVar[str] = "presence"
    count: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class You(Event):
    """One person's own state changed (all their tabs)."""

    type: ClassVar[str] = "you"
    muted: bool
    hand_raised: bool
    notice: str = ""


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class Kicked(Event):
    type: ClassVar[str] = "kicked"
    reason: str
    message: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class Resync(Event):
    type: ClassVar[str] = "resync"
    seq: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffPending(Event):
    type: ClassVar[str] = "staff.pending"
    statement: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffPendingDone(Event):
    type: ClassVar[str] = "staff.pending_done"
    statement_id: int
    status: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffReport(Event):
    type: ClassVar[str] = "staff.report"
    report: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffSharedDevice(Event):
    """A newcomer's browser is that of someone banned or muted in this room."""

    type: ClassVar[str] = "staff.shared_device"
    warning: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffReportResolved(Event):
    type: ClassVar[str] = "staff.report_resolved"
    report_id: int
    status: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffPresence(Event):
    """Who is present (people, not sockets), for the facilitators' list."""

    type: ClassVar[str] = "staff.presence"
    people: list[dict[str, Any]]
    complete: bool = True


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class Snapshot(Event):
    """The room's state at ``seq``: the first message after accept, and after a resync.

    Unnumbered (its ``seq`` says which numbered events it already contains). ``staff`` is
    present only for facilitators; ``parts`` holds what sub-apps register.
    """

    type: ClassVar[str] = "snapshot"
    protocol: int
    seq: int
    now: str
    session: dict[str, Any]
    me: dict[str, Any]
    statements: list[dict[str, Any]]
    pinned: list[dict[str, Any]]
    queue: list[dict[str, Any]]
    floor: dict[str, Any] | None
    presence: int
    reactions: dict[str, dict[str, int]]
    my_reactions: list[list[Any]]
    moderation_log: list[dict[str, Any]]
    parts: dict[str, Any]
    staff: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        # Shallow: the nested parts are plain data already, and joins are frequent.
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if data["staff"] is None:
            del data["staff"]
        data["type"] = self.type
        return data
