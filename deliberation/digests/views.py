"""Pages of the digest workflow: facilitators, ministry staff, residents' notifications."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from deliberation.agendas.models import Agenda, Disclosure, Topic
from deliberation.agendas.selectors import agenda_get_visible, session_get_visible

from . import exports, permissions, selectors, services
from .document import digest_document
from .models import AnswerStatus, Digest, DigestRead, MinistryResponse

EXPORT_LINKS = [
    ("xlsx", "Excel (XLSX)"),
    ("csv", "CSV"),
    ("json", "JSON"),
    ("md", "Markdown"),
    ("hwpx", "HWPX"),
]


def _errors(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("요청을 처리할 수 없습니다."))


def _require_manager(request: HttpRequest, agenda: Agenda) -> None:
    if not permissions.can_manage_digest(request.user, agenda):
        raise Http404


# ---------------------------------------------------------------- facilitators


@require_GET
def session_digest(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session's digest, or the button that starts one."""
    session = session_get_visible(request.user, session_id)
    _require_manager(request, session.agenda)
    digest = selectors.digest_for_session(session)
    if digest is not None:
        return redirect("digests:digest_detail", digest.pk)
    return render(request, "digests/session_digest.html", {"session": session})


@require_POST
def session_digest_generate(request: HttpRequest, session_id: int) -> HttpResponse:
    session = session_get_visible(request.user, session_id)
    _require_manager(request, session.agenda)
    try:
        digest = services.digest_generate(actor=request.user, session=session)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
        existing = selectors.digest_for_session(session)
        if existing is not None:
            return redirect("digests:digest_detail", existing.pk)
        return redirect("digests:session_digest", session.pk)
    return redirect("digests:digest_detail", digest.pk)


@require_POST
def agenda_digest_generate(request: HttpRequest, agenda_id: int) -> HttpResponse:
    agenda = agenda_get_visible(request.user, agenda_id)
    _require_manager(request, agenda)
    try:
        digest = services.digest_generate(actor=request.user, agenda=agenda)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
        existing = Digest.objects.filter(scope=Digest.Scope.AGENDA, agenda=agenda).first()
        if existing is None:
            raise Http404 from exc
        return redirect("digests:digest_detail", existing.pk)
    return redirect("digests:digest_detail", digest.pk)


@require_GET
def digest_detail(request: HttpRequest, digest_id: int) -> HttpResponse:
    """Managers: build progress, editor, workflow buttons. Ministry: reading and answering."""
    digest = selectors.digest_get_visible(request.user, digest_id)
    services.digest_read_record(reader=request.user, digest=digest, channel=DigestRead.Channel.PAGE)
    manager = permissions.can_manage_digest(request.user, digest.agenda)
    doc = digest_document(digest)
    can_work = permissions.can_work_on(request.user, digest)
    context: dict[str, Any] = {
        "digest": digest,
        "doc": doc,
        "manager": manager,
        "can_respond": permissions.can_respond(request.user, digest),
        "threads": selectors.answer_threads(digest),
        "proposals": selectors.digest_proposals(digest),
        "response_statuses": MinistryResponse.Status.choices,
        "revisions": list(digest.revisions.select_related("actor").order_by("-number")[:30])
        if manager
        else [],
        "section_keys": [(s.key, s.title, s.note) for s in doc.sections],
        "export_formats": EXPORT_LINKS,
        "can_work": can_work,
        "officers": selectors.assignable_officers(digest) if can_work else [],
        "answer_statuses": AnswerStatus.choices,
        "overdue": bool(
            digest.due_date
            and digest.due_date < selectors.today()
            and digest.answer_status != AnswerStatus.ANSWERED
        ),
        "read_log": selectors.read_log(digest)
        if permissions.can_view_read_log(request.user) and digest.disclosure == "restricted"
        else None,
    }
    return render(request, "digests/digest_detail.html", context)


@require_POST
def digest_edit(request: HttpRequest, digest_id: int) -> HttpResponse:
    digest = selectors.digest_get_visible(request.user, digest_id)
    _require_manager(request, digest.agenda)
    notes: dict[str, str] = {
        key[len("note_") :]: str(value)
        for key, value in request.POST.items()
        if key.startswith("note_")
    }
    try:
        services.digest_edit(
            actor=request.user,  # type: ignore[arg-type]
            digest=digest,
            summary_text=request.POST.get("summary_text", ""),
            section_notes=notes,
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("요약 보고를 저장했습니다."))
    return redirect("digests:digest_detail", digest.pk)


_TRANSITIONS = {
    "approve": (services.digest_approve, gettext_lazy("요약 보고를 승인했습니다.")),
    "reopen": (services.digest_reopen, gettext_lazy("다시 편집할 수 있습니다.")),
    "publish": (services.digest_publish, gettext_lazy("외교부에 전달했습니다.")),
}


@require_POST
def digest_transition(request: HttpRequest, digest_id: int, action: str) -> HttpResponse:
    digest = selectors.digest_get_visible(request.user, digest_id)
    _require_manager(request, digest.agenda)
    if action not in _TRANSITIONS:
        raise Http404
    service, done = _TRANSITIONS[action]
    try:
        service(actor=request.user, digest=digest)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, str(done))
    return redirect("digests:digest_detail", digest.pk)


def _sse(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


def _progress_state(digest_id: int) -> dict[str, Any] | None:
    row = (
        Digest.objects.filter(pk=digest_id)
        .values("generation", "generation_percent", "generation_error")
        .first()
    )
    return dict(row) if row is not None else None


def _progress_frame(digest_id: int, state: dict[str, Any]) -> bytes:
    stage = state["generation_error"] if state["generation"] == Digest.Generation.FAILED else ""
    return _sse(
        "progress",
        orjson.dumps(
            {
                "type": "digest.progress",
                "digest_id": digest_id,
                "state": state["generation"],
                "percent": state["generation_percent"],
                "stage": stage,
            }
        ).decode(),
    )


# The build runs in the task worker, another process: with the in-memory channel layer
# its events never reach this one, so the stream also reads the stored state this often.
PROGRESS_POLL_SECONDS = 2.0


async def _progress_stream(digest_id: int) -> AsyncIterator[bytes]:
    layer = get_channel_layer()
    channel = await layer.new_channel() if layer is not None else None
    if layer is not None and channel is not None:
        await layer.group_add(services.digest_group(digest_id), channel)
    read_state = database_sync_to_async(_progress_state)
    try:
        # Subscribed first, read second: a build that ends in between is still seen.
        state = await read_state(digest_id)
        if state is None:
            return
        yield _progress_frame(digest_id, state)
        quiet = 0.0
        while state["generation"] == Digest.Generation.RUNNING:
            if layer is None or channel is None:
                await asyncio.sleep(PROGRESS_POLL_SECONDS)
                message = None
            else:
                try:
                    message = await asyncio.wait_for(
                        layer.receive(channel), timeout=PROGRESS_POLL_SECONDS
                    )
                except TimeoutError:
                    message = None
            if message is not None:
                quiet = 0.0
                text = message.get("text", "")
                yield _sse("progress", text)
                if orjson.loads(text).get("state") in ("done", "failed"):
                    return
                continue
            latest = await read_state(digest_id)
            if latest is None:
                return
            if latest != state:
                state = latest
                quiet = 0.0
                yield _progress_frame(digest_id, state)
                continue
            quiet += PROGRESS_POLL_SECONDS
            if quiet >= 15:
                quiet = 0.0
                yield b": keep-alive\n\n"
    finally:
        if layer is not None and channel is not None:
            await layer.group_discard(services.digest_group(digest_id), channel)


@require_GET
def digest_progress(request: HttpRequest, digest_id: int) -> HttpResponseBase:
    """Server-sent events of one digest's build (managers only); closes when it ends."""
    digest = selectors.digest_get_visible(request.user, digest_id)
    _require_manager(request, digest.agenda)
    response = StreamingHttpResponse(
        _progress_stream(digest.pk), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
def session_live_digest(request: HttpRequest, session_id: int) -> HttpResponse:
    """The console's live digest panel, as an HTML fragment (facilitators)."""
    session = session_get_visible(request.user, session_id)
    _require_manager(request, session.agenda)
    live = selectors.live_digest(session.pk)
    return render(
        request,
        "digests/live_panel_body.html",
        {"session": session, "live": live, "doc_sections": live["sections"] if live else []},
    )


# ---------------------------------------------------------------- exports


def _exportable(request: HttpRequest, digest_id: int) -> Digest:
    return selectors.digest_get_visible(request.user, digest_id)


@require_GET
def digest_export(request: HttpRequest, digest_id: int, fmt: str) -> HttpResponse:
    digest = _exportable(request, digest_id)
    if fmt not in exports.FORMATS:
        raise Http404
    content_type, extension, render_fn = exports.FORMATS[fmt]
    services.digest_read_record(
        reader=request.user, digest=digest, channel=DigestRead.Channel.EXPORT, detail=fmt
    )
    body = render_fn(digest, selectors.answer_threads(digest))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="madang-digest-{digest.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def digest_print(request: HttpRequest, digest_id: int) -> HttpResponse:
    """The A4 print view; the disclosure level is printed on every page."""
    digest = _exportable(request, digest_id)
    services.digest_read_record(
        reader=request.user, digest=digest, channel=DigestRead.Channel.PRINT
    )
    return render(
        request,
        "digests/digest_print.html",
        {
            "digest": digest,
            "doc": digest_document(digest),
            "threads": selectors.answer_threads(digest),
        },
    )


# ---------------------------------------------------------------- ministry


def _require_inbox(request: HttpRequest) -> None:
    if not permissions.can_use_inbox(request.user):
        raise Http404


def _filter_context(request: HttpRequest, f: selectors.InboxFilter) -> dict[str, Any]:
    levels = permissions.readable_levels(request.user)
    return {
        "filter": f,
        "municipalities": selectors.inbox_municipalities(),
        "topics": Topic.choices,
        "disclosures": [(v, label) for v, label in Disclosure.choices if v in levels],
        "query_string": request.GET.urlencode(),
    }


def _query(params: Any, **changes: str) -> str:
    """The query string with some parameters changed ("" removes one) and no page."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return str(query.urlencode())


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Published digests across municipalities: a work queue, filtered and searched."""
    _require_inbox(request)
    f = selectors.InboxFilter.from_params(request.GET)
    page = selectors.paginate(
        selectors.published_digests_qs(request.user, f), page=request.GET.get("page"), size=20
    )
    counts = selectors.inbox_counts(request.user, f)
    work = _query(request.GET, answer_status="", owner="", overdue="")
    queues = [("", _("전체"), counts.total, work, not (f.answer_status or f.owner or f.overdue))]
    queues += [
        (value, label, n, _query(request.GET, answer_status=value, owner="", overdue=""),
         f.answer_status == value and not f.owner and not f.overdue)
        for value, label, n in counts.by_status
    ]  # fmt: skip
    queues += [
        ("overdue", _("기한 지남"), counts.overdue,
         _query(request.GET, answer_status="", owner="", overdue="1"), f.overdue),
        ("me", _("내 담당"), counts.mine,
         _query(request.GET, answer_status="", owner="me", overdue=""), f.owner == "me"),
        ("none", _("담당자 없음"), counts.unassigned,
         _query(request.GET, answer_status="", owner="none", overdue=""), f.owner == "none"),
    ]  # fmt: skip
    context = _filter_context(request, f)
    context.update(
        {
            "page": page,
            "base_query": _query(request.GET),
            "queues": queues,
            "today": selectors.today(),
            "owners": selectors.inbox_owners(request.user),
            "answer_statuses": AnswerStatus.choices,
        }
    )
    return render(request, "digests/inbox.html", context)


@require_POST
def digest_assign(request: HttpRequest, digest_id: int) -> HttpResponse:
    """Ministry staff: the digest's officer, due date and answer status."""
    digest = selectors.digest_get_visible(request.user, digest_id)
    if not permissions.can_work_on(request.user, digest):
        raise Http404
    raw_assignee = request.POST.get("assignee", "")
    raw_due = request.POST.get("due_date", "")
    try:
        due = dt.date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        messages.error(request, _("답변 기한 날짜 형식이 올바르지 않습니다."))
        return redirect("digests:digest_detail", digest.pk)
    assignee = None
    if raw_assignee.isdigit():
        assignee = next(
            (u for u in selectors.assignable_officers(digest) if u.pk == int(raw_assignee)), None
        )
        if assignee is None:
            messages.error(request, _("이 요약 보고를 맡을 수 없는 사람입니다."))
            return redirect("digests:digest_detail", digest.pk)
    try:
        services.digest_assign(
            actor=request.user,  # type: ignore[arg-type]
            digest=digest,
            assignee=assignee,
            due_date=due,
            answer_status=request.POST.get("answer_status") or None,
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("담당과 답변 상태를 저장했습니다."))
    return redirect("digests:digest_detail", digest.pk)


@require_GET
def session_record(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session's statements as residents saw them; digest citations link here."""
    session = session_get_visible(request.user, session_id)
    return render(
        request,
        "digests/session_record.html",
        {"session": session, "statements": selectors.session_record(session)},
    )


@require_GET
def digest_statements(request: HttpRequest, digest_id: int) -> HttpResponse:
    """The statements behind one keyword of a digest."""
    digest = selectors.digest_get_visible(request.user, digest_id)
    word = str(request.GET.get("keyword", ""))[:50]
    services.digest_read_record(
        reader=request.user, digest=digest, channel=DigestRead.Channel.STATEMENTS, detail=word
    )
    return render(
        request,
        "digests/digest_statements.html",
        {
            "digest": digest,
            "keyword": word,
            "statements": selectors.digest_keyword_statements(digest, word),
        },
    )


@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    _require_inbox(request)
    f = selectors.InboxFilter.from_params(request.GET)
    data = selectors.keyword_trends(request.user, f)
    context = _filter_context(request, f)
    context.update(
        {
            "trends": data,
            "series": selectors.trends_svg_points(data),
            "axis": selectors.trends_axis(data),
            "table": [(w, data.rows[w], data.municipalities[w]) for w in data.keywords],
        }
    )
    return render(request, "digests/trends.html", context)


@require_GET
def municipalities(request: HttpRequest) -> HttpResponse:
    _require_inbox(request)
    return render(
        request,
        "digests/municipalities.html",
        {"rows": selectors.municipality_overview(request.user)},
    )


@require_POST
def response_create(request: HttpRequest, digest_id: int) -> HttpResponse:
    digest = selectors.digest_get_visible(request.user, digest_id)
    if not permissions.can_respond(request.user, digest):
        raise Http404
    raw_proposal = request.POST.get("proposal_id", "")
    try:
        services.response_post(
            actor=request.user,  # type: ignore[arg-type]
            digest=digest,
            status=request.POST.get("status", ""),
            text=request.POST.get("text", ""),
            proposal_id=int(raw_proposal) if raw_proposal.isdigit() else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("답변을 등록했습니다."))
    return redirect(reverse("digests:digest_detail", args=[digest.pk]) + "#answers")


# ---------------------------------------------------------------- notifications


def notifications(request: HttpRequest) -> HttpResponse:
    """This person's notifications; viewing them marks them read."""
    if not request.user.is_authenticated:
        raise Http404
    items = selectors.notifications_for(request.user)
    unread_ids = [n.pk for n in items if n.read_at is None]
    response = render(
        request, "digests/notifications.html", {"items": items, "unread_ids": set(unread_ids)}
    )
    if unread_ids:
        services.notifications_mark_read(actor=request.user, ids=unread_ids)  # type: ignore[arg-type]
    return response


@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    item = next(
        (n for n in selectors.notifications_for(request.user) if n.pk == notification_id), None
    )
    if item is None:
        raise Http404
    services.notifications_mark_read(actor=request.user, ids=[item.pk])  # type: ignore[arg-type]
    target = item.url if url_has_allowed_host_and_scheme(item.url, allowed_hosts=None) else "/"
    return redirect(target)
