"""Writes about personal data: the notice, consents, withdrawal, and the audit log.

A resident's own request (on the data page) and an administrator's answer to a request
made by phone or letter go through the same services; only ``channel`` differs, and
every such action is written to ``PersonalDataAction``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from deliberation.common.sanitize import sanitize_rich_text
from deliberation.digests.models import Notification
from deliberation.live.models import HandRaise, Participant, RoomEvent, Statement
from deliberation.people.models import User
from deliberation.people.services import device_unlink
from deliberation.structured.models import Proposal

from .models import ConsentRecord, PersonalDataAction, PrivacyNotice, Withdrawal

# What a withdrawn or expired identity is called wherever the public record keeps its words.
WITHDRAWN_NICKNAME = "탈퇴한 참여자"

Channel = PersonalDataAction.Channel


def action_log(
    *,
    actor: User | None,
    subject: User | None,
    kind: str,
    channel: str,
    reference: str = "",
    detail: dict[str, Any] | None = None,
) -> PersonalDataAction:
    """Write one entry of the personal-data audit log."""
    return PersonalDataAction.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        subject=subject,
        kind=kind,
        channel=channel,
        reference=(reference or "").strip()[:300],
        detail=detail or {},
    )


def _require_reference(channel: str, reference: str) -> None:
    if channel == Channel.ADMIN and not (reference or "").strip():
        raise ValidationError(
            _("요청을 어떻게 받았는지(전화, 서면, 날짜, 접수 번호) 적어 주세요."), code="reference"
        )


@transaction.atomic
def notice_create(
    *,
    actor: User | None,
    effective_date: dt.date,
    body_ko: str,
    body_en: str,
    asks_consent_again: bool = True,
    change_note: str = "",
) -> PrivacyNotice:
    """Add the next version of the privacy notice; earlier versions stay as they were."""
    if not (body_ko or "").strip() or not (body_en or "").strip():
        raise ValidationError(_("한국어와 영어 본문을 모두 적어 주세요."), code="body")
    # The highest version is read under a lock so two editors never number alike.
    last = PrivacyNotice.objects.select_for_update().order_by("-version").values("version").first()
    notice = PrivacyNotice.objects.create(
        version=(last["version"] if last else 0) + 1,
        effective_date=effective_date,
        body_ko=sanitize_rich_text(body_ko),
        body_en=sanitize_rich_text(body_en),
        asks_consent_again=asks_consent_again,
        change_note=change_note.strip()[:300],
        created_by=actor,
    )
    action_log(
        actor=actor,
        subject=None,
        kind=PersonalDataAction.Kind.NOTICE,
        channel=Channel.ADMIN,
        detail={"version": notice.version, "effective_date": effective_date.isoformat()},
    )
    return notice


@transaction.atomic
def consent_record(
    *, user: User, notice: PrivacyNotice, optional: bool, channel: str
) -> list[ConsentRecord]:
    """Record the answers to the required and the optional items of one notice version.

    Declining the optional items clears the age band: it is kept only with consent.
    """
    records = [
        ConsentRecord.objects.create(
            user=user,
            notice=notice,
            scope=ConsentRecord.Scope.REQUIRED,
            granted=True,
            channel=channel,
        ),
        ConsentRecord.objects.create(
            user=user,
            notice=notice,
            scope=ConsentRecord.Scope.OPTIONAL,
            granted=optional,
            channel=channel,
        ),
    ]
    if not optional and user.age_band:
        user.age_band = ""
        user.save(update_fields=["age_band"])
    return records


@transaction.atomic
def consent_withdraw_optional(
    *, user: User, notice: PrivacyNotice, actor: User | None, channel: str, reference: str = ""
) -> None:
    """Withdraw consent to the optional items: the age band is erased at once."""
    _require_reference(channel, reference)
    ConsentRecord.objects.create(
        user=user,
        notice=notice,
        scope=ConsentRecord.Scope.OPTIONAL,
        granted=False,
        channel=ConsentRecord.Channel.DATA_PAGE,
    )
    had_age_band = bool(user.age_band)
    if had_age_band:
        user.age_band = ""
        user.save(update_fields=["age_band"])
    action_log(
        actor=actor,
        subject=user,
        kind=PersonalDataAction.Kind.OPTIONAL_WITHDRAWN,
        channel=channel,
        reference=reference,
        detail={"age_band_erased": had_age_band},
    )


def export_logged(
    *, user: User, actor: User | None, channel: str, fmt: str, reference: str = ""
) -> None:
    """Log that a person's data was downloaded (by them, or for them by an administrator)."""
    _require_reference(channel, reference)
    action_log(
        actor=actor,
        subject=user,
        kind=PersonalDataAction.Kind.EXPORT,
        channel=channel,
        reference=reference,
        detail={"format": fmt},
    )


def view_logged(*, user: User, actor: User, reference: str = "") -> None:
    """Log that an administrator opened a resident's data."""
    action_log(
        actor=actor,
        subject=user,
        kind=PersonalDataAction.Kind.VIEW,
        channel=Channel.ADMIN,
        reference=reference,
    )


def may_withdraw(user: Any) -> bool:
    """Residents withdraw themselves; staff accounts are closed by their administrators."""
    return (
        isinstance(user, User)
        and user.is_authenticated
        and user.is_resident
        and user.is_active
        and not Withdrawal.objects.filter(user=user).exists()
    )


@transaction.atomic
def resident_withdraw(
    *, user: User, actor: User | None, channel: str, reference: str = ""
) -> dict[str, int]:
    """Withdraw a resident: their identity is anonymised, their cookie and sign-ins end.

    Statements, proposals, votes and reactions stay in the public record, attributed to
    "탈퇴한 참여자"; published digests are not touched.
    """
    _require_reference(channel, reference)
    if not may_withdraw(user):
        raise ValidationError(_("이미 탈퇴했거나 탈퇴할 수 없는 계정입니다."), code="withdrawn")
    cause = Withdrawal.Cause.ADMIN if channel == Channel.ADMIN else Withdrawal.Cause.SELF
    counts = anonymise(user=user, cause=cause)
    action_log(
        actor=actor,
        subject=user,
        kind=PersonalDataAction.Kind.WITHDRAW,
        channel=channel,
        reference=reference,
        detail=counts,
    )
    return counts


def _sessions_of(user_id: int) -> set[int]:
    ids: set[int] = set()
    ids.update(Participant.objects.filter(person_id=user_id).values_list("session_id", flat=True))
    ids.update(Statement.objects.filter(author_id=user_id).values_list("session_id", flat=True))
    ids.update(Proposal.objects.filter(author_id=user_id).values_list("session_id", flat=True))
    return ids


def _rename_in(value: Any, *, user_id: int, proposal_ids: set[int], old: str) -> bool:
    """Replace the person's name inside one stored event payload; True if anything changed."""
    changed = False
    if isinstance(value, dict):
        if "nickname" in value and user_id in (value.get("id"), value.get("user_id")):
            if value["nickname"] != WITHDRAWN_NICKNAME:
                value["nickname"] = WITHDRAWN_NICKNAME
                changed = True
        if (
            "title" in value
            and value.get("id") in proposal_ids
            and isinstance(value.get("author"), str)
            and value["author"] == old
        ):
            value["author"] = WITHDRAWN_NICKNAME
            changed = True
        for item in value.values():
            changed = (
                _rename_in(item, user_id=user_id, proposal_ids=proposal_ids, old=old) or changed
            )
    elif isinstance(value, list):
        for item in value:
            changed = (
                _rename_in(item, user_id=user_id, proposal_ids=proposal_ids, old=old) or changed
            )
    return changed


def _rename_in_room_events(user: User, old_name: str) -> int:
    """The rooms' stored events (replayed on reconnect) stop naming the person."""
    if not old_name:
        return 0
    proposal_ids = set(Proposal.objects.filter(author=user).values_list("pk", flat=True))
    changed: list[RoomEvent] = []
    events = RoomEvent.objects.filter(session_id__in=_sessions_of(user.pk)).only("pk", "payload")
    for event in events.iterator(chunk_size=500):
        if _rename_in(event.payload, user_id=user.pk, proposal_ids=proposal_ids, old=old_name):
            changed.append(event)
    RoomEvent.objects.bulk_update(changed, ["payload"], batch_size=500)
    return len(changed)


def anonymise(*, user: User, cause: str) -> dict[str, int]:
    """Turn a person into "탈퇴한 참여자": no name, region, age band or way back in.

    Their words, votes and reactions stay (counted, unattributed); notifications addressed
    to them and agenda invitations go; every cookie and sign-in they hold dies, and the
    browser they used no longer names them (a ban on that browser still holds).
    """
    from deliberation.live import services as live_services

    with transaction.atomic():
        old_name = user.nickname
        for session_id in HandRaise.objects.filter(
            person=user, lowered_at__isnull=True
        ).values_list("session_id", flat=True):
            live_services.hand_lower(actor=user, session_id=session_id)
        notifications, _detail = Notification.objects.filter(user=user).delete()
        user.invited_agendas.clear()
        user.username = f"withdrawn-{secrets.token_hex(8)}"
        user.nickname = WITHDRAWN_NICKNAME
        user.first_name = user.last_name = user.email = ""
        user.region = None
        user.age_band = ""
        user.is_active = False
        user.set_unusable_password()
        # A moved token version kills every resident cookie; the save tells open rooms.
        user.token_version = F("token_version") + 1  # type: ignore[assignment]
        user.save()
        user.refresh_from_db(fields=["token_version"])
        Withdrawal.objects.create(user=user, cause=cause)
        events = _rename_in_room_events(user, old_name)
        devices = device_unlink(user=user)
    return {
        "device_links_removed": devices,
        "statements_kept": Statement.objects.filter(author=user).count(),
        "notifications_deleted": notifications,
        "room_events_renamed": events,
    }
