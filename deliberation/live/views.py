"""Pages of the live room: the resident's room, the facilitator's console, the projector.

The pages are shells; the room itself arrives over the WebSocket (docs/protocol.md).
Views only decide who may open which page and hand the page what its scripts need.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from deliberation.agendas.models import JoinMode, Session
from deliberation.agendas.permissions import JOINABLE_STATES, can_moderate, can_view_session
from deliberation.agendas.selectors import session_get_visible
from deliberation.agendas.services import session_transition
from deliberation.live.models import ModerationAction
from deliberation.people import limits
from deliberation.people.devices import request_device
from deliberation.people.models import User
from deliberation.personal_data.views import consent_redirect

from . import participation, permissions, services

# Panels other sub-apps may add to each page; included only when the template exists.
PANEL_TEMPLATES: dict[str, dict[str, str]] = {
    "room": {
        "structured": "structured/room_panel.html",
        "digests": "digests/room_panel.html",
        "opinions": "opinions/room_panel.html",
    },
    "console": {
        "structured": "structured/console_panel.html",
        "digests": "digests/console_panel.html",
        "opinions": "opinions/console_panel.html",
        "screening": "screening/console_panel.html",
    },
    "projector": {
        "structured": "structured/projector_panel.html",
        "digests": "digests/projector_panel.html",
        "opinions": "opinions/projector_panel.html",
    },
}

# Every string the room's scripts show, translated here so the scripts stay language-free.
UI_STRINGS: dict[str, Any] = {
    "state_connecting": _("연결 중…"),
    "state_open": _("연결됨"),
    "state_reconnecting": _("다시 연결 중…"),
    "state_closed": _("연결 끊김"),
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
    "new_statements_many": _("새 발언 {n}개"),
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
    "remove": _("내보내기"),
    "ban": _("차단"),
    "reason_prompt": _("사유"),
    "confirm_ban": _("{name} 님을 이 회의에서 차단할까요?"),
    "confirm_remove": _("{name} 님을 내보낼까요?"),
    "no_pending": _("승인 대기 중인 발언이 없습니다."),
    "no_reports": _("접수된 신고가 없습니다."),
    "no_audit": _("기록된 조치가 없습니다."),
    "report_reason": _("신고 사유: {reason}"),
    "shared_device_banned": _("{name} 님은 차단된 {other} 님과 같은 기기로 들어왔습니다."),
    "shared_device_muted": _("{name} 님은 발언 제한된 {other} 님과 같은 기기로 들어왔습니다."),
    "present": _("{n}명 참여 중"),
    "done": _("처리했습니다."),
    "you": _("나"),
    # Labels of the moderation log come from the model's choices: one list of actions.
    "actions": dict(ModerationAction.Kind.choices),
    "room_buttons": {"open": _("회의 시작"), "resume": _("다시 시작")},
    "report_reasons": {
        "abuse": _("욕설·비하"),
        "spam": _("도배·광고"),
        "privacy": _("개인정보 노출"),
        "off_topic": _("주제와 무관"),
        "other": _("기타"),
    },
}


@cache
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _panels(page: str) -> dict[str, bool]:
    if settings.DEBUG:
        _template_exists.cache_clear()
    return {key: _template_exists(name) for key, name in PANEL_TEMPLATES[page].items()}


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
    return _render_page(request, session, "console", **_staff_venue_context(session))


def _staff_venue_context(session: Session) -> dict[str, Any]:
    if not participation.uses_venue_code(session):
        return {"venue_code": None}
    return {
        "venue_code": participation.venue_code(session),
        "venue_code_url": reverse("live:venue_code_current", args=[session.pk]),
    }


@require_POST
def console_open(request: HttpRequest, session_id: int) -> HttpResponse:
    """Start a scheduled session from the console (the room itself opens only when live)."""
    session = _moderator_session(request, session_id)
    if isinstance(session, HttpResponse):
        return session
    try:
        actor = request.user if isinstance(request.user, User) else None
        if actor is None:
            raise PermissionDenied
        session_transition(actor=actor, session=session, to_state=Session.State.LIVE)
    except ValidationError as exc:
        return _render_page(request, session, "console", open_error=" ".join(exc.messages))
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
