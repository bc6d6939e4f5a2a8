"""The live room's ``proposal.duplicates`` action: the overlap engine for facilitators.

Staff only, read only: it returns pairs of open proposals that likely say the same
thing, with the terms that explain each, so the facilitator can merge them with the
existing ``proposal.merge``. Nothing is broadcast and nothing changes.
"""

from __future__ import annotations

from typing import Any

from deliberation.live.actions import ActionContext, register_action

from . import selectors


def _proposal_duplicates(ctx: ActionContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Suggest likely duplicate proposals to merge."""
    del payload
    return {"pairs": selectors.proposal_duplicates(ctx.session_id)}


def register() -> None:
    register_action("proposal.duplicates", _proposal_duplicates, staff_only=True)
