"""Statements in a deliberation: stances by phase, one-level replies, answered questions.

The live room stores statements (``deliberation.live.services.statement_post``, which
already attaches a reply to a reply to its thread's root). This module adds what the
deliberation needs around it: the phase matrix for questions, stances and replies, the
live count of stances, and the facilitator's "answered" mark with a link to the answer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.agendas.models import Session
from deliberation.live import moderation
from deliberation.live import services as live_services
from deliberation.live.broadcast import room_notify
from deliberation.live.models import Stance, Statement
from deliberation.people.models import User

from . import events, permissions
from .services import as_int, require_action

STANCES = tuple(Stance.values)


def count_stances(session_id: int) -> dict[str, int]:
    """Visible statements per stance in one session (replies included)."""
    counts = dict.fromkeys(STANCES, 0)
    for stance in Statement.objects.filter(
        session_id=session_id, stance__in=STANCES, status=Statement.Status.VISIBLE
    ).values_list("stance", flat=True):
        if stance is not None:
            counts[stance] += 1
    return counts


def statement_action(stance: str | None, parent_id: int | None) -> str | None:
    """The matrix action a statement needs: reply, question, stance, or none (plain)."""
    if parent_id is not None:
        return permissions.REPLY
    if stance == Stance.QUESTION:
        return permissions.QUESTION
    if stance in STANCES:
        return permissions.STANCE
    return None


def statement_allowed(
    actor: User, session: Session, stance: str | None, parent_id: int | None
) -> None:
    """Raise ``PermissionDenied`` if the running phase does not allow this stance or reply.

    The one check ``deliberation.post`` makes; a plain ``statement.post`` carrying a
    stance can call it too so that both doors keep the same matrix.
    """
    action = statement_action(stance, parent_id)
    if action is not None:
        require_action(actor, session, action)


def _lock(session: Session | int) -> Session:
    pk = session if isinstance(session, int) else session.pk
    return Session.objects.select_for_update().select_related("agenda__organisation").get(pk=pk)


@transaction.atomic
def statement_post_in_phase(
    *,
    actor: User,
    session: Session,
    client_msg_id: str,
    text: str,
    stance: str | None = None,
    parent_id: int | None = None,
) -> live_services.PostResult:
    """Post through the live room after checking the phase matrix for stances and replies."""
    session = _lock(session)
    if stance is not None and stance not in STANCES:
        raise ValidationError(_("입장 값이 올바르지 않습니다."), code="invalid")
    statement_allowed(actor, session, stance, parent_id)
    if parent_id is not None:
        parent = Statement.objects.filter(pk=parent_id, session=session).first()
        if parent is None:
            raise ValidationError(_("답글을 달 발언을 찾을 수 없습니다."), code="not_found")
        if parent.parent_id is not None:
            # Replies are one level deep: a reply to a reply is refused here rather than
            # silently re-attached, so the resident sees where their answer goes.
            raise ValidationError(
                _("답글에는 다시 답글을 달 수 없습니다. 원래 발언에 답글을 달아 주세요."),
                code="reply_depth",
            )
    result = live_services.statement_post(
        actor=actor,
        session_id=session.pk,
        client_msg_id=client_msg_id,
        text=text,
        stance=stance,
        parent_id=parent_id,
    )
    if stance is not None and not result.duplicate:
        announce_stances(session.pk)
    return result


def announce_stances(session_id: int) -> None:
    """Send the room the fresh stance counts after commit (unnumbered)."""
    room_notify(session_id=session_id, event=events.StanceCounts(counts=count_stances(session_id)))


@transaction.atomic
def question_answer(
    *, actor: User, session: Session, statement_id: int, answer_id: int | None = None
) -> Statement:
    """Mark a question answered, optionally linking the statement that answers it."""
    session = _lock(session)
    require_action(actor, session, permissions.QUESTION_ANSWER)
    question = Statement.objects.filter(
        pk=as_int(statement_id, "statement_id"), session=session
    ).first()
    if question is None or question.status != Statement.Status.VISIBLE:
        raise ValidationError(_("이 회의의 발언이 아닙니다."), code="not_found")
    if question.stance != Stance.QUESTION:
        raise ValidationError(_("질문으로 올라온 발언이 아닙니다."), code="not_question")
    if question.answered:
        raise ValidationError(_("이미 답변한 질문입니다."), code="already_answered")
    if answer_id is not None:
        answer = Statement.objects.filter(
            pk=as_int(answer_id, "answer_id"), session=session, status=Statement.Status.VISIBLE
        ).first()
        if answer is None:
            raise ValidationError(_("답변으로 연결할 발언을 찾을 수 없습니다."), code="not_found")
        if answer.pk == question.pk:
            raise ValidationError(
                _("질문을 자기 자신의 답변으로 연결할 수 없습니다."), code="invalid"
            )
    moderation.statement_mark_answered(
        actor=actor, session_id=session.pk, statement_id=question.pk, answer_id=answer_id
    )
    question.refresh_from_db()
    return question
