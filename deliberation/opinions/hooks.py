"""The opinion map follows the life of a session: computed once more when it closes."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from deliberation.agendas.models import Session
from deliberation.agendas.services import on_session_transition

log = logging.getLogger(__name__)


@on_session_transition
def _final_map_on_close(*, session: Session, from_state: str, to_state: str, actor: Any) -> None:
    """The close freezes the map: the digest and the closed room show this one."""
    if to_state != Session.State.CLOSED:
        return
    from .models import StatementVote
    from .services import opinion_map_refresh

    if not StatementVote.objects.filter(session_id=session.pk).exists():
        return
    session_id = session.pk

    def final() -> None:
        try:
            opinion_map_refresh(session_id=session_id, final=True)
        except Exception:  # the digest computes it from the stored votes anyway
            log.exception("final opinion map of session %s not computed", session_id)

    transaction.on_commit(final)
