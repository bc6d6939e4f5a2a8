"""Pages of the live room: the resident's room, the facilitator's console, the projector.

The pages are shells; the room itself arrives over the WebSocket (docs/protocol.md).
Views only decide who may open which page and hand the page what its scripts need.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from deliberation.agendas.briefing import MAX_BYTES as BRIEFING_MAX_BYTES
from deliberation.agendas.briefing import SAFE_TYPES as BRIEFING_TYPES
from deliberation.agendas.briefing import briefing_list
from deliberation.agendas.models import JoinMode, Session
from deliberation.agendas.permissions import (
    JOINABLE_STATES,
    can_moderate,
    can_reopen_session,
    can_view_session,
    reopen_deadline,
)
from deliberation.agendas.selectors import session_get_visible
from deliberation.agendas.services import session_transition
from deliberation.live.models import ModerationAction, Stance
from deliberation.people import limits
from deliberation.people.devices import request_device
from deliberation.people.models import User
from deliberation.personal_data.views import consent_redirect

from . import participation, permissions, services

# Panels other sub-apps add to each page, in page order. Every name must exist: a
# missing template is an error (TemplateDoesNotExist), never a panel silently left out.
PANEL_TEMPLATES: dict[str, list[str]] = {
    "room": ["structured/room_panel.html", "opinions/room_panel.html"],
    "console": [
        "structured/console_panel.html",
        "digests/console_panel.html",
        "opinions/console_panel.html",
    ],
    "projector": ["structured/projector_panel.html", "opinions/projector_panel.html"],
}


# Every string the room's scripts show, translated here so the scripts stay language-free.
# A count's string is {"one", "other"}: the page picks the form (room-dom.js plural()).
UI_STRINGS: dict[str, Any] = {
    "state_connecting": _("연결 중…"),
    "state_open": _("연결됨"),
    "state_reconnecting": _("다시 연결 중…"),
    "state_closed": _("연결 끊김"),
    "state_idle": _("진행 중 아님"),
    "kicked": _("이 회의에서 나가게 되었습니다."),
    "nobody_speaking": _("지금 발언 중인 사람이 없습니다."),
    "speaking_now": _("발언 중"),
    "seconds_left": _("남은 시간"),
    "queue_empty": _("대기 중인 사람이 없습니다."),
    "raise_hand": _("발언 신청"),
    "lower_hand": _("발언 신청 취소"),
    "you_are_queued": _("발언 대기 {n}번째입니다."),
    "you_have_floor": _("지금 발언하실 차례입니다."),
    "floor_ended": _("발언 시간이 끝났습니다."),
    "new_statement": _("새 발언, {author}: {text}"),
    "new_stage_statement": _("발언대, {author}: {text}"),
    "new_statements_many": {
        "one": ngettext_lazy("새 발언 {n}개", "새 발언 {n}개", 1),
        "other": ngettext_lazy("새 발언 {n}개", "새 발언 {n}개", 2),
    },
    "statement_hidden": _("가려진 발언입니다."),
    "hidden_by_moderator": _("진행자가 가린 발언"),
    "pinned": _("고정된 발언"),
    "send": _("보내기"),
    "sending": _("보내는 중…"),
    "sent": _("보냈습니다."),
    "sent_for_review": _("진행자 승인 후 공개됩니다."),
    "queued_offline": _("연결되면 보냅니다."),
    "too_long": _("1,000자까지 쓸 수 있습니다."),
    "empty": _("내용을 입력해 주세요."),
    "chars": _("{n} / 1,000자"),
    "react_agree": _("공감"),
    "react_curious": _("궁금해요"),
    "react_regret": _("아쉬워요"),
    "report": _("신고"),
    "report_sent": _("신고가 접수되었습니다."),
    "room_live": _("진행 중"),
    "room_paused": _("일시 정지"),
    "room_closed": _("종료"),
    "room_scheduled": _("예정"),
    "room_locked": _("읽기 전용: 지금은 발언을 쓸 수 없습니다."),
    "slow_mode": _("슬로 모드: {n}초에 한 번 쓸 수 있습니다."),
    "premoderation": _("사전 승인: 진행자가 승인한 발언만 공개됩니다."),
    "error": _("처리하지 못했습니다."),
    "grant": _("발언권 주기"),
    "approve": _("승인"),
    "reject": _("거절"),
    "dismiss": _("기각"),
    "default_reason": _("운영 원칙 위반"),
    "hide": _("가리기"),
    "restore": _("되돌리기"),
    "pin": _("고정"),
    "unpin": _("고정 해제"),
    "mute": _("발언 제한"),
    "remove": _("회의에서 퇴장시키기"),
    "ban": _("차단"),
    "reason_prompt": _("사유"),
    "confirm_ban": _("{name} 님을 이 회의에서 차단할까요?"),
    "confirm_remove": _("{name} 님을 이 회의에서 퇴장시킬까요? 다시 들어올 수는 있습니다."),
    "no_pending": _("승인 대기 중인 발언이 없습니다."),
    "no_reports": _("접수된 신고가 없습니다."),
    "no_audit": _("기록된 조치가 없습니다."),
    "report_reason": _("신고 사유: {reason}"),
    "present": {
        "one": ngettext_lazy("{n}명 참여 중", "{n}명 참여 중", 1),
        "other": ngettext_lazy("{n}명 참여 중", "{n}명 참여 중", 2),
    },
    "shared_device_banned": _("{name} 님은 차단된 {other} 님과 같은 기기로 들어왔습니다."),
    "shared_device_muted": _("{name} 님은 발언 제한된 {other} 님과 같은 기기로 들어왔습니다."),
    "done": _("처리했습니다."),
    "you": _("나"),
    # Labels of the moderation log come from the model's choices: one list of actions
    # ("remove" reads as a removal from the meeting, never as an export).
    "actions": {**dict(ModerationAction.Kind.choices), "remove": _("회의에서 퇴장")},
    "stances": dict(Stance.choices),
    "roles": dict(User.Role.choices),
    "stance_none": _("의견만"),
    "on_stage": _("발언대"),
    "floor_howto": _("현장에 계시면 마이크로 말씀하시고, 온라인이면 의견 쓰기 칸에 써 주세요."),
    "floor_done": _("발언 마치기"),
    "floor_write": _("의견 쓰기"),
    "floor_ending_soon": _("발언 시간이 15초 남았습니다."),
    "alert_show": _("보기"),
    "reason_is": _("사유: {reason}"),
    "your_statement_hidden": _("진행자가 내 발언을 가렸습니다."),
    "your_statement_rejected": _("내 발언이 승인되지 않았습니다."),
    "your_statement_approved": _("내 발언이 승인되어 공개되었습니다."),
    "reply_to_you": _("{author} 님이 내 발언에 답했습니다."),
    "confirm_close": _(
        "회의를 종료할까요? 참여자는 더 발언할 수 없고, 종료 후 30분 안에만 다시 열 수 있습니다."
    ),
    "confirm_bulk_hide": {
        "one": ngettext_lazy("고른 발언 {n}개를 가릴까요?", "고른 발언 {n}개를 가릴까요?", 1),
        "other": ngettext_lazy("고른 발언 {n}개를 가릴까요?", "고른 발언 {n}개를 가릴까요?", 2),
    },
    "picked_count": {
        "one": ngettext_lazy("{n}개 고름", "{n}개 고름", 1),
        "other": ngettext_lazy("{n}개 고름", "{n}개 고름", 2),
    },
    "bulk_hide": _("고른 발언 가리기"),
    "select_statement": _("고르기"),
    "bulk_done": {
        "one": ngettext_lazy("발언 {n}개를 가렸습니다.", "발언 {n}개를 가렸습니다.", 1),
        "other": ngettext_lazy("발언 {n}개를 가렸습니다.", "발언 {n}개를 가렸습니다.", 2),
    },
    "rate_spike": _("발언이 1분에 {n}개 들어오고 있습니다. 슬로 모드를 켜 볼까요?"),
    "slow_suggest": _("슬로 모드 30초 켜기"),
    "room_buttons": {"open": _("회의 시작"), "resume": _("다시 시작")},
    "report_reasons": {
        "abuse": _("욕설·비하"),
        "spam": _("도배·광고"),
        "privacy": _("개인정보 노출"),
        "off_topic": _("주제와 무관"),
        "other": _("기타"),
    },
}


def _panels(page: str) -> list[str]:
    names = PANEL_TEMPLATES[page]
    for name in names:
        get_template(name)  # raises TemplateDoesNotExist for a name that is not there
    return names


def _has_identity(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _join_redirect(request: HttpRequest, next_url: str, session: Session) -> HttpResponse:
    query = urlencode({"next": next_url, "session": session.pk})
    return HttpResponseRedirect(f"{reverse('people:quick_join')}?{query}")


def _page_config(request: HttpRequest, session: Session, page: str) -> dict[str, Any]:
    user = request.user
    return {
        "page": page,
        "session_id": session.pk,
        "ws_path": f"/ws/sessions/{session.pk}/",
        "state": session.state,
        "turn_seconds": session.turn_seconds,
        "me": {
            "id": user.pk,
            "nickname": getattr(user, "nickname", "") or user.get_username(),
            "moderator": can_moderate(user, session),
        },
    }


def _render_page(request: HttpRequest, session: Session, page: str, **extra: Any) -> HttpResponse:
    context = {
        "session": session,
        "agenda": session.agenda,
        "joinable": session.state in JOINABLE_STATES,
        "panels": _panels(page),
        "room_config": _page_config(request, session, page),
        "room_strings": UI_STRINGS,
        "join_url": request.build_absolute_uri(reverse("live:join_code", args=[session.join_code])),
        "briefing": briefing_list(session),
        **extra,
    }
    return render(request, f"live/{page}.html", context)


@require_GET
def room(request: HttpRequest, session_id: int) -> HttpResponse:
    """The resident's room: stage, queue, side discussion, composer."""
    session = session_get_visible(request.user, session_id)
    if not _has_identity(request.user):
        return _join_redirect(request, request.get_full_path(), session)
    user = request.user
    assert isinstance(user, User)
    refusal = services.entry_refusal(user=user, session=session, device_id=request_device(request))
    if refusal:  # before asking for consent: a banned browser gets nothing more
        return render(
            request, "live/refused.html", {"session": session, "message": refusal}, status=403
        )
    if (ask := consent_redirect(request)) is not None:
        return ask
    return _render_page(request, session, "room", **_venue_context(user, session))


def _venue_context(user: User, session: Session) -> dict[str, Any]:
    """What the room page says about the session's join and vote modes for this person."""
    staff = can_moderate(user, session)
    verified = participation.venue_verified(session.pk, user.pk)
    needs_code = (
        not staff
        and participation.uses_venue_code(session)
        and not permissions.meets_mode(user, JoinMode.VENUE_CODE, venue_verified=verified)
    )
    needs_account = (
        not staff
        and JoinMode.ACCOUNTS in (session.join_mode, session.vote_mode)
        and not user.has_account
    )
    return {"needs_venue_code": needs_code, "needs_account": needs_account}


@require_POST
def venue_code_enter(request: HttpRequest, session_id: int) -> HttpResponse:
    """A resident types the venue code shown on the projector; wrong tries are limited."""
    session = session_get_visible(request.user, session_id)
    room_url = reverse("live:room", args=[session.pk])
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return _join_redirect(request, room_url, session)
    device_id = request_device(request)
    tries = limits.Limit("venue-try", *settings.MADANG_VENUE_CODE_TRIES)
    if limits.hit(tries, device_id or f"u{user.pk}") is not None:
        messages.error(
            request, _("회의장 코드를 너무 여러 번 틀렸습니다. 잠시 뒤 다시 시도해 주세요.")
        )
    elif participation.venue_code_enter(
        user=user, session=session, code=request.POST.get("code", ""), device_id=device_id
    ):
        messages.success(request, _("회의장 코드를 확인했습니다. 이제 참여할 수 있습니다."))
    else:
        messages.error(request, _("회의장 코드가 맞지 않습니다. 화면의 숫자를 확인해 주세요."))
    return HttpResponseRedirect(room_url)


@require_GET
def venue_code_current(request: HttpRequest, session_id: int) -> HttpResponse:
    """The current venue code for the console and the projector (staff only)."""
    session = _moderator_session(request, session_id)
    if isinstance(session, HttpResponse):
        return session
    return JsonResponse(
        {
            "code": participation.venue_code(session),
            "expires_at": participation.venue_code_expires(session),
        }
    )


def _moderator_session(request: HttpRequest, session_id: int) -> Session | HttpResponse:
    session = session_get_visible(request.user, session_id)
    if not _has_identity(request.user):
        return HttpResponseRedirect(
            f"{reverse('people:login')}?{urlencode({'next': request.get_full_path()})}"
        )
    if not can_moderate(request.user, session):
        raise PermissionDenied
    return session


@require_GET
def console(request: HttpRequest, session_id: int) -> HttpResponse:
    """The facilitator's console: floor, room settings, moderation, reports, audit log."""
    session = _moderator_session(request, session_id)
    if isinstance(session, HttpResponse):
        return session
    return _render_page(
        request,
        session,
        "console",
        reopen_until=_reopen_until(request, session),
        briefing_accept=",".join(f".{ext}" for ext in BRIEFING_TYPES),
        briefing_types=", ".join(sorted({ext.upper() for ext in BRIEFING_TYPES})),
        briefing_max_mb=BRIEFING_MAX_BYTES // 2**20,
        **_staff_venue_context(session),
    )


def _reopen_until(request: HttpRequest, session: Session) -> Any:
    if not can_reopen_session(request.user, session):
        return None
    return reopen_deadline(session)


def _staff_venue_context(session: Session) -> dict[str, Any]:
    if not participation.uses_venue_code(session):
        return {"venue_code": None}
    return {
        "venue_code": participation.venue_code(session),
        "venue_code_url": reverse("live:venue_code_current", args=[session.pk]),
    }


@require_POST
def console_open(request: HttpRequest, session_id: int) -> HttpResponse:
    """Start a scheduled session, or reopen one closed by mistake, from the console
    (the room itself opens only when live)."""
    session = _moderator_session(request, session_id)
    if isinstance(session, HttpResponse):
        return session
    try:
        actor = request.user if isinstance(request.user, User) else None
        if actor is None:
            raise PermissionDenied
        session_transition(actor=actor, session=session, to_state=Session.State.LIVE)
    except ValidationError as exc:
        return _render_page(
            request,
            session,
            "console",
            open_error=" ".join(exc.messages),
            reopen_until=_reopen_until(request, session),
        )
    return HttpResponseRedirect(reverse("live:console", args=[session.pk]))


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=8, border=2, dark="#111", light="#fff", omitsize=True))


@require_GET
def projector(request: HttpRequest, session_id: int) -> HttpResponse:
    """Big-screen view for venues: the stage, the queue and a QR code to join."""
    session = _moderator_session(request, session_id)
    if isinstance(session, HttpResponse):
        return session
    join_url = request.build_absolute_uri(reverse("live:join_code", args=[session.join_code]))
    return _render_page(
        request, session, "projector", qr_svg=_qr_svg(join_url), **_staff_venue_context(session)
    )


@require_GET
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """Short link behind the QR code: quick-join first if needed, then the room."""
    session = Session.objects.filter(join_code=code).first()
    if session is None:
        raise Http404
    room_url = reverse("live:room", args=[session.pk])
    if not _has_identity(request.user):
        # Holding the code is the invitation: join first, the room checks access again.
        return _join_redirect(request, room_url, session)
    if not can_view_session(request.user, session):
        raise Http404
    return HttpResponseRedirect(room_url)
