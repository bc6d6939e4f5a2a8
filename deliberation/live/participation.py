"""Who a person is in one session: join modes, the venue code, nicknames, device bans.

The venue code is a six-digit number derived from the session's secret and the current
period (``venue_code_minutes``); it is shown on the projector and the console and the
code of the period before stays valid too, so a code read just before it changes works.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import JoinMode, Session
from deliberation.people.models import User
from deliberation.people.names import nickname_key

from . import permissions
from .errors import ActionError
from .models import DeviceBan, Participant

VENUE_CODE_DIGITS = 6
SUFFIX_TRIES = 50


def _period(session: Session) -> int:
    return max(1, int(session.venue_code_minutes or 10)) * 60


def venue_code(session: Session, *, at: float | None = None) -> str:
    """The venue code of the period that contains ``at`` (now by default)."""
    now = time.time() if at is None else at
    window = int(now // _period(session))
    mac = hmac.new(session.venue_secret.encode(), f"{session.pk}:{window}".encode(), hashlib.sha256)
    return str(int(mac.hexdigest(), 16) % 10**VENUE_CODE_DIGITS).zfill(VENUE_CODE_DIGITS)


def venue_code_expires(session: Session, *, at: float | None = None) -> float:
    now = time.time() if at is None else at
    period = _period(session)
    return (int(now // period) + 1) * period


def venue_code_valid(session: Session, code: str) -> bool:
    """The current code or the one just before it (digits only, spaces ignored)."""
    typed = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(typed) != VENUE_CODE_DIGITS:
        return False
    now = time.time()
    return any(
        hmac.compare_digest(typed, venue_code(session, at=now - back * _period(session)))
        for back in (0, 1)
    )


def uses_venue_code(session: Session) -> bool:
    return JoinMode.VENUE_CODE in (session.join_mode, session.vote_mode)


# --- bans that hold -------------------------------------------------------------------------


def device_banned(session: Session, *, user: Any, device_id: str) -> bool:
    """Is this person or this browser banned from the session (or its organisation)?"""
    where = Q(session_id=session.pk) | Q(organisation_id=session.agenda.organisation_id)
    who = Q(person_id=user.pk)
    if device_id:
        who |= Q(device_id=device_id)
    return DeviceBan.objects.filter(where).filter(who).exists()


def ban_devices(
    *, session: Session, person: User, participant: Participant, actor: User, organisation: bool
) -> list[int]:
    """Ban the person's browser too; returns the other people of this room on that browser."""
    device = participant.device_id or person.device_id
    scope: dict[str, Any] = (
        {"organisation_id": session.agenda.organisation_id}
        if organisation
        else {"session": session}
    )
    DeviceBan.objects.create(device_id=device, person=person, created_by=actor, **scope)
    if not device:
        return []
    others = list(
        Participant.objects.filter(session=session, banned=False, person__role=User.Role.RESIDENT)
        .filter(Q(device_id=device) | Q(person__device_id=device))
        .exclude(person_id=person.pk)
        .values_list("person_id", flat=True)
    )
    Participant.objects.filter(session=session, person_id__in=others).update(banned=True)
    return others


def unban_devices(*, session: Session, person: User) -> None:
    DeviceBan.objects.filter(
        Q(session=session) | Q(organisation_id=session.agenda.organisation_id), person=person
    ).delete()


def shared_device_warnings(session_id: int) -> list[dict[str, Any]]:
    """People in the room who share a browser with someone banned or muted here."""
    flagged = {
        device: ("banned" if banned else "muted", person_id, nickname)
        for device, banned, person_id, nickname in Participant.objects.filter(session_id=session_id)
        .filter(Q(banned=True) | Q(muted=True))
        .exclude(device_id="")
        .values_list("device_id", "banned", "person_id", "person__nickname")
    }
    if not flagged:
        return []
    rows = (
        Participant.objects.filter(session_id=session_id, device_id__in=list(flagged))
        .exclude(banned=True)
        .exclude(muted=True)
        .values_list("person_id", "person__nickname", "device_id")
    )
    return [
        {
            "user_id": pid,
            "nickname": nick,
            "shares_with": {
                "user_id": flagged[device][1],
                "nickname": flagged[device][2],
                "state": flagged[device][0],
            },
        }
        for pid, nick, device in rows
    ]


# --- nicknames, one per session --------------------------------------------------------------


def nickname_taken(session: Session, nickname: str, *, exclude_person: int | None = None) -> bool:
    key = nickname_key(nickname)
    qs = Participant.objects.filter(session=session, nickname_key=key)
    if exclude_person is not None:
        qs = qs.exclude(person_id=exclude_person)
    return bool(key) and qs.exists()


def participant_create(
    *, session: Session, user: User, device_id: str, now: Any
) -> tuple[Participant, bool]:
    """The person's first entry: one nickname per session, a visible suffix if it is taken.

    The unique (session, nickname key) index decides races: the loser takes the next
    suffix (``전주토박이 2``) and the nickname is saved on the person, so everyone sees it.
    """
    base = user.display_name
    staff = permissions.is_room_staff(user, session)
    for attempt in range(1, SUFFIX_TRIES + 1):
        name = base if attempt == 1 else f"{base[:17]} {attempt}"
        try:
            with transaction.atomic():
                participant, created = Participant.objects.get_or_create(
                    session=session,
                    person=user,
                    defaults={
                        "last_seen": now,
                        "device_id": device_id or user.device_id,
                        "nickname_key": nickname_key(name) or None,
                    },
                )
                if created and attempt > 1 and user.is_resident:
                    User.objects.filter(pk=user.pk).update(nickname=name)
                    user.nickname = name
                return participant, created
        except IntegrityError:
            if staff or not user.is_resident:
                # Staff keep their name (their badge tells them apart); no key is held.
                return Participant.objects.get_or_create(
                    session=session,
                    person=user,
                    defaults={"last_seen": now, "device_id": device_id or user.device_id},
                )
            continue
    raise ActionError("nickname_taken", _("이 회의에서 쓸 수 있는 닉네임을 찾지 못했습니다."))


def venue_verified(session_id: int, user_id: int) -> bool:
    return Participant.objects.filter(
        session_id=session_id, person_id=user_id, venue_verified_at__isnull=False
    ).exists()


def require_mode(actor: User, session: Session, mode: str) -> None:
    """Refuse a resident who has not met the session's join mode for this action."""
    if mode == JoinMode.OPEN or permissions.is_room_staff(actor, session):
        return
    verified = mode == JoinMode.VENUE_CODE and venue_verified(session.pk, actor.pk)
    if permissions.meets_mode(actor, mode, venue_verified=verified):
        return
    if mode == JoinMode.ACCOUNTS:
        raise ActionError(
            "account_required",
            _("이 회의는 계정으로 로그인한 사람만 참여할 수 있습니다. 로그인해 주세요."),
        )
    raise ActionError(
        "venue_code_required",
        _("회의장 화면에 보이는 회의장 코드를 먼저 입력해 주세요."),
    )


def venue_code_enter(*, user: User, session: Session, code: str, device_id: str) -> bool:
    """Record that the person typed the venue code; False for a wrong code."""
    if not venue_code_valid(session, code):
        return False
    now = timezone.now()
    updated = Participant.objects.filter(session=session, person=user).update(venue_verified_at=now)
    if not updated:
        participant, _created = participant_create(
            session=session, user=user, device_id=device_id, now=now
        )
        Participant.objects.filter(pk=participant.pk).update(venue_verified_at=now)
    return True


def participation_modes(session_ids: list[int]) -> dict[str, int]:
    """How the residents of these sessions took part: accounts, venue code, open quick-join."""
    counts = {permissions.ACCOUNT: 0, permissions.VENUE_CODE: 0, permissions.OPEN: 0}
    seen: set[int] = set()
    rows = (
        Participant.objects.filter(session_id__in=session_ids, person__role=User.Role.RESIDENT)
        .select_related("person")
        .order_by(F("venue_verified_at").desc(nulls_last=True))
    )
    for row in rows:
        if row.person_id in seen:
            continue
        seen.add(row.person_id)
        via = permissions.admitted_via(row.person, venue_verified=row.venue_verified_at is not None)
        counts[via] += 1
    return counts
