"""Client actions of the opinion map, registered in the live room's action table."""

from __future__ import annotations

from typing import Any

from deliberation.live.actions import (
    ActionContext,
    field_bool,
    field_int,
    register_action,
    register_snapshot_part,
)

from . import batch, selectors, services
from .permissions import can_run_voting, can_vote_statements


def _vote(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Vote agree / disagree / pass on a statement (again to change it)."""
    statement_id = field_int(p, "statement_id")
    assert statement_id is not None
    value = services.opinion_vote_cast(
        actor=ctx.user, session=ctx.session, statement_id=statement_id, value=batch.value_of(p)
    )
    return {"statement_id": statement_id, "value": selectors.VALUE_NAMES[value]}


def _voting(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Turn voting on statements on or off."""
    room = services.opinion_voting_set(
        actor=ctx.user, session_id=ctx.session_id, enabled=field_bool(p, "enabled")
    )
    return {"voting": room.voting}


def _feature(ctx: ActionContext, p: dict[str, Any]) -> dict[str, Any]:
    """Put a statement up for a vote (``statement_id`` null takes it down)."""
    statement_id = field_int(p, "statement_id", required=False)
    room = services.opinion_feature(
        actor=ctx.user, session_id=ctx.session_id, statement_id=statement_id
    )
    return {"featured": room.featured_id, "voting": room.voting}


def register() -> None:
    # Votes come often and lock nothing of the room: a socket's vote waits in its room's
    # buffer and is stored with the others in one transaction (``batch``), never queueing
    # behind the room's posts; ``_vote`` is the same vote stored alone.
    register_action(
        "opinion.vote", _vote, permission=can_vote_statements, pooled=True, batched=batch.vote
    )
    register_action("opinion.voting", _voting, permission=can_run_voting)
    register_action("opinion.feature", _feature, permission=can_run_voting)
    register_snapshot_part("opinions", selectors.snapshot_part)
