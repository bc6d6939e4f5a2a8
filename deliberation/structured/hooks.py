"""Reactions of structured deliberation to the life of a session."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from deliberation.agendas.models import Session
from deliberation.agendas.services import on_session_transition
from deliberation.live.services import register_statement_check
from deliberation.people.models import User

from . import services, stances


@receiver(post_save, sender=Session, dispatch_uid="structured.default_phases")
def _default_phases_on_create(sender: Any, instance: Session, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        services.phases_apply_default(session=instance)


@on_session_transition
def _on_transition(*, session: Session, from_state: str, to_state: str, actor: Any) -> None:
    """Opening gives a deliberation its default phases; closing freezes the results,
    reopening a closed session thaws them (they are frozen again at the next close)."""
    if to_state == Session.State.LIVE:
        if from_state == Session.State.CLOSED:
            services.results_unfreeze(session=session)
        services.phases_apply_default(session=session)
    elif to_state == Session.State.CLOSED:
        services.results_freeze(session=session)


@register_statement_check
def _phase_rules_for_statements(
    actor: User, session: Session, stance: str | None, parent_id: int | None
) -> None:
    """In a deliberation, stances, questions and replies follow the phase matrix,
    whether they come through ``deliberation.post`` or the room's plain ``statement.post``."""
    if session.kind == Session.Kind.DELIBERATION:
        stances.statement_allowed(actor, session, stance, parent_id)
