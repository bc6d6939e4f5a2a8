"""Room events of structured deliberation (documented in docs/protocol.md, "Deliberation").

All are numbered room events stored through ``room_append`` except three unnumbered
ones: ``poll.results`` and ``stance.counts`` (updates of counts; every snapshot, and
``poll.closed`` for a poll, carry the stored truth) and the staff-only
``staff.vote_tally``. A question marked answered is the live room's own
``statement.answered``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from deliberation.live.events import Event, register_event


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PhasesChanged(Event):
    """The list of phases or the running phase changed (start, extend, advance, edit)."""

    type = "phase.changed"
    reason: str  # start | advance | extend | update | finish
    phases: list[dict[str, Any]]
    current_id: int | None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ProposalCreated(Event):
    type = "proposal.created"
    proposal: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ProposalUpdated(Event):
    """A proposal's text (a facilitator's edit) or its number of supporters changed."""

    type = "proposal.updated"
    proposal: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ProposalsMerged(Event):
    type = "proposal.merged"
    target: dict[str, Any]
    merged_ids: list[int]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class VoteConfigured(Event):
    type = "vote.config"
    config: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class VoteTally(Event):
    """A ballot was cast or changed: how many ballots, and the results unless hidden."""

    type = "vote.tally"
    ballots: int
    results: list[dict[str, Any]] | None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StaffVoteTally(Event):
    """The results the room does not see yet (hidden until the close), for facilitators."""

    type = "staff.vote_tally"
    ballots: int
    results: list[dict[str, Any]]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class VoteClosed(Event):
    type = "vote.closed"
    ballots: int
    results: list[dict[str, Any]]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PollOpened(Event):
    type = "poll.opened"
    poll: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PollResults(Event):
    """Live counts of an open poll (unnumbered, coalesced)."""

    type = "poll.results"
    poll_id: int
    voters: int
    counts: dict[str, int]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PollClosed(Event):
    type = "poll.closed"
    poll: dict[str, Any]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class StanceCounts(Event):
    """Live count of the stances of visible statements."""

    type = "stance.counts"
    counts: dict[str, int]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class WrapUpUpdated(Event):
    type = "wrapup.updated"
    conclusion_html: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ResultsFrozen(Event):
    """The session closed; these are its final results."""

    type = "results.frozen"
    results: dict[str, Any]
