"""Who may do what in each phase of a deliberation: one matrix, role x phase x action.

The same table is in docs/permissions.md ("Deliberation") and every cell is tested in
tests/structured/test_permissions.py. Services ask ``can_act`` on every write; the
session's state (live, closed) and the object's own state (a closed poll, a closed
vote) are checked by the services on top of this table.
"""

from __future__ import annotations

from typing import Any

from deliberation.agendas.models import Session
from deliberation.agendas.permissions import can_join_room, can_manage_session, can_view_session
from deliberation.live.permissions import is_banned

from .models import PhaseKind

# Roles in a session's room.
FACILITATOR = "facilitator"  # manages the session (its organisation's facilitators, admins)
PARTICIPANT = "participant"  # a resident who can join the room
OBSERVER = "observer"  # may see the room but takes no part (ministry staff, other facilitators)
ROLES = (FACILITATOR, PARTICIPANT, OBSERVER)

# Phases: the running phase's kind, or NONE when no phase runs (an open-mic session,
# a deliberation before its first phase or after its last).
NONE = "none"
PHASES = (*PhaseKind.values, NONE)

# Actions a participant takes.
QUESTION = "question"  # a statement with the stance 질문
STANCE = "stance"  # a statement with the stance 찬성 / 반대 / 중립
REPLY = "reply"  # a reply to a statement (one level deep)
PROPOSAL_CREATE = "proposal_create"
PROPOSAL_SUPPORT = "proposal_support"
BALLOT_SUBMIT = "ballot_submit"
POLL_VOTE = "poll_vote"
# Actions that run the deliberation.
PHASE_CONTROL = "phase_control"  # start, extend, advance, edit the list of phases
PROPOSAL_EDIT = "proposal_edit"
PROPOSAL_MERGE = "proposal_merge"
VOTE_CONFIG = "vote_config"  # choose the method, open and close the vote
POLL_MANAGE = "poll_manage"  # launch and close live polls
QUESTION_ANSWER = "question_answer"
WRAPUP_SET = "wrapup_set"

PARTICIPANT_ACTIONS = (
    QUESTION,
    STANCE,
    REPLY,
    PROPOSAL_CREATE,
    PROPOSAL_SUPPORT,
    BALLOT_SUBMIT,
    POLL_VOTE,
)
FACILITATOR_ACTIONS = (
    PHASE_CONTROL,
    PROPOSAL_EDIT,
    PROPOSAL_MERGE,
    VOTE_CONFIG,
    POLL_MANAGE,
    QUESTION_ANSWER,
    WRAPUP_SET,
)
ACTIONS = PARTICIPANT_ACTIONS + FACILITATOR_ACTIONS

_B, _D, _P, _V, _W = (
    PhaseKind.BRIEFING,
    PhaseKind.DISCUSSION,
    PhaseKind.PROPOSALS,
    PhaseKind.VOTE,
    PhaseKind.WRAP_UP,
)
_ALL = frozenset(PHASES)

# The phases in which each role may take each action; a missing entry is "never".
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    PARTICIPANT: {
        QUESTION: frozenset({_B, _D, NONE}),
        STANCE: frozenset({_D, NONE}),
        REPLY: frozenset({_B, _D, _P, NONE}),
        PROPOSAL_CREATE: frozenset({_P}),
        PROPOSAL_SUPPORT: frozenset({_P}),
        BALLOT_SUBMIT: frozenset({_V}),
        POLL_VOTE: _ALL,
    },
    FACILITATOR: {
        # Facilitators stay neutral: no stance, no support, no ballot, no poll answer.
        # They answer questions by replying, and type in proposals handed in on paper.
        REPLY: _ALL,
        PROPOSAL_CREATE: frozenset({_P}),
        **{action: _ALL for action in FACILITATOR_ACTIONS},
    },
    OBSERVER: {},
}


def allowed(role: str, phase: str, action: str) -> bool:
    """The matrix cell: may ``role`` take ``action`` while ``phase`` runs."""
    return phase in MATRIX.get(role, {}).get(action, frozenset())


def role_in(user: Any, session: Session) -> str | None:
    """The person's role in the session's room, or None for someone with no place in it."""
    if can_manage_session(user, session):
        return FACILITATOR
    if getattr(user, "is_resident", False) and can_join_room(user, session):
        return None if is_banned(user, session) else PARTICIPANT
    if getattr(user, "is_authenticated", False) and can_view_session(user, session):
        return OBSERVER
    return None


def can_act(user: Any, session: Session, phase: str, action: str) -> bool:
    """The one predicate every structured write checks."""
    role = role_in(user, session)
    return role is not None and allowed(role, phase, action)
