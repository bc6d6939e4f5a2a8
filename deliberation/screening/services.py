"""Writes of the offensive-language assistant: flags from the worker, decisions, settings.

Texts are scored by the analysis worker (``screen_analysed_texts`` is one of its text
hooks), never on the post's own path, except in a session that holds flagged statements
for approval: there ``hold_if_flagged`` scores the statement before it is shown (well
under a millisecond) so only flagged statements wait. Facilitators' decisions go
through the live room's moderation services, so the room, the audit log and the
pre-moderation queue see them as any other hide, approval or rejection.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Session
from deliberation.live import broadcast, moderation
from deliberation.live.errors import ActionError
from deliberation.live.models import Report, Statement
from deliberation.live.permissions import is_room_staff
from deliberation.people.models import User

from .events import ScreeningFlag, ScreeningFlagDone, ScreeningHold
from .model import get_screener
from .models import Flag, SessionScreening
from .selectors import flag_dict, hold_flagged

if TYPE_CHECKING:
    from deliberation.analysis.api import AnalysedText

log = logging.getLogger(__name__)


def screen_analysed_texts(texts: Sequence[AnalysedText]) -> list[Flag]:
    """Score texts the analysis worker claimed; store and announce the flagged ones."""
    items = [t for t in texts if t.kind in Flag.Kind.values and t.session_id and t.text.strip()]
    if not items:
        return []
    scores = get_screener().score([t.text for t in items])
    flagged = [(t, s) for t, s in zip(items, scores, strict=True) if s.flagged]
    if not flagged:
        return []
    version = get_screener().version
    with transaction.atomic():
        statement_ids = [t.object_id for t, _s in flagged if t.kind == Flag.Kind.STATEMENT]
        pending = set(
            Statement.objects.filter(
                pk__in=statement_ids, status=Statement.Status.PENDING
            ).values_list("pk", flat=True)
        )
        created = []
        for text, score in flagged:
            assert text.session_id is not None  # texts without a session were left out
            flag, new = Flag.objects.get_or_create(
                kind=text.kind,
                object_id=text.object_id,
                defaults={
                    "session_id": text.session_id,
                    "text": text.text,
                    "label": score.label,
                    "confidence": score.confidence,
                    "triggers": score.triggers,
                    "model_version": version,
                    "held": text.kind == Flag.Kind.STATEMENT and text.object_id in pending,
                },
            )
            if new:
                created.append(flag)
                broadcast.staff_notify(
                    session_id=flag.session_id, event=ScreeningFlag(flag=flag_dict(flag))
                )
    return created


def hold_if_flagged(actor: User, session: Session, text: str) -> bool:
    """A statement rule of the live room: in a holding session, flagged ones wait."""
    if not hold_flagged(session.pk):
        return False
    return get_screener().score([text])[0].flagged


def _require_staff(actor: User, session_id: int) -> Session:
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        raise ActionError("not_found", _("회의를 찾을 수 없습니다."))
    if not is_room_staff(actor, session):
        raise ActionError("forbidden", _("진행자만 할 수 있습니다."))
    return session


def _open_flag(session_id: int, flag_id: int) -> Flag:
    flag = Flag.objects.select_for_update().filter(pk=flag_id, session_id=session_id).first()
    if flag is None:
        raise ActionError("not_found", _("감지된 표현을 찾을 수 없습니다."))
    if flag.status != Flag.Status.OPEN:
        raise ActionError("conflict", _("이미 처리한 표현입니다."))
    return flag


def _decide(flag: Flag, actor: User, status: str) -> None:
    flag.status = status
    flag.decided_by = actor
    flag.decided_at = timezone.now()
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    broadcast.staff_notify(
        session_id=flag.session_id, event=ScreeningFlagDone(flag_id=flag.pk, status=status)
    )


@transaction.atomic
def flag_hide(*, actor: User, session_id: int, flag_id: int) -> Flag:
    """Hide a flagged text (a held statement is rejected); recorded as a confirmed flag."""
    _require_staff(actor, session_id)
    flag = _open_flag(session_id, flag_id)
    reason = _("혐오·모욕 표현 감지")
    if flag.kind == Flag.Kind.STATEMENT:
        status = (
            Statement.objects.filter(pk=flag.object_id).values_list("status", flat=True).first()
        )
        if status == Statement.Status.PENDING:
            moderation.statement_reject(
                actor=actor, session_id=session_id, statement_id=flag.object_id, reason=reason
            )
        elif status == Statement.Status.VISIBLE:
            moderation.statement_hide(
                actor=actor, session_id=session_id, statement_id=flag.object_id, reason=reason
            )
    elif flag.kind == Flag.Kind.REPORT:
        if Report.objects.filter(pk=flag.object_id, status=Report.Status.OPEN).exists():
            moderation.report_resolve(
                actor=actor,
                session_id=session_id,
                report_id=flag.object_id,
                status=Report.Status.DISMISSED,
            )
    _decide(flag, actor, Flag.Status.HIDDEN)
    return flag


@transaction.atomic
def flag_dismiss(*, actor: User, session_id: int, flag_id: int) -> Flag:
    """The flag was wrong: keep the text (a held statement is shown to the room now)."""
    _require_staff(actor, session_id)
    flag = _open_flag(session_id, flag_id)
    if (
        flag.kind == Flag.Kind.STATEMENT
        and Statement.objects.filter(pk=flag.object_id, status=Statement.Status.PENDING).exists()
    ):
        moderation.statement_approve(
            actor=actor, session_id=session_id, statement_id=flag.object_id
        )
    _decide(flag, actor, Flag.Status.DISMISSED)
    return flag


@transaction.atomic
def hold_set(*, actor: User, session_id: int, enabled: bool) -> bool:
    """Turn "hold flagged statements for approval" on or off for one session."""
    _require_staff(actor, session_id)
    if enabled:
        # Loading the model takes seconds once per process: the facilitator's click pays
        # it here, not the next resident's post.
        get_screener()
    SessionScreening.objects.update_or_create(
        session_id=session_id, defaults={"hold_flagged": enabled}
    )
    broadcast.staff_notify(session_id=session_id, event=ScreeningHold(hold_flagged=enabled))
    return enabled
