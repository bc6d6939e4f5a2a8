"""Room events of the opinion map (documented in docs/protocol.md, "Opinion map").

``opinion.config`` is numbered (stored, replayed on resume). The others are unnumbered
updates that every snapshot carries afresh: ``opinion.counts`` (coalesced vote counts),
``opinion.groups`` (the groups and what they say, to everyone), ``opinion.map`` (the
anonymous dots, to staff) and ``opinion.mine`` (one person's group, to that person).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from deliberation.live.events import Event, register_event


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class OpinionConfig(Event):
    """Voting was turned on or off, or a statement was put up for a vote (or taken down)."""

    type: ClassVar[str] = "opinion.config"
    voting: bool
    featured: dict[str, Any] | None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class OpinionCounts(Event):
    """Vote counts of statements: ``{statement id: [agree, disagree, pass]}``."""

    type: ClassVar[str] = "opinion.counts"
    counts: dict[str, list[int]]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class OpinionGroups(Event):
    """The opinion groups, their representative statements, consensus and divisive ones."""

    type: ClassVar[str] = "opinion.groups"
    summary: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class OpinionMapDots(Event):
    """The map's dots ``[x, y, group]`` (anonymous, for the console and projector)."""

    type: ClassVar[str] = "opinion.map"
    dots: list[list[Any]]
    version: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class OpinionMine(Event):
    """The group this person is in (null: not grouped yet)."""

    type: ClassVar[str] = "opinion.mine"
    group: int | None
