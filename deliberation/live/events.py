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
