"""Writes on digests, answers and notifications. Every service checks its actor itself.

A digest moves draft -> approved -> published, never skipping a step; an approved
digest may go back to draft for more editing, a published one never changes again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Agenda, Disclosure, Session
from deliberation.common.privacy import mask_personal_data
from deliberation.common.text import clean_text
from deliberation.live.broadcast import publish, staff_notify
from deliberation.live.events import encode
from deliberation.opinions.digest import (
    cited_statement_ids,
    digest_session_ids,
    opinion_groups_content,
)
from deliberation.people.models import User

from . import jobs, permissions, selectors, tasks, webhooks
from .document import content_keywords, content_search_text, content_summary, scrub_content
from .events import DigestProgress
from .models import (
    AnswerStatus,
    Digest,
    DigestRead,
    DigestRevision,
    MinistryResponse,
    Notification,
)

log = logging.getLogger(__name__)

SUMMARY_MAX = 20_000
NOTE_MAX = 4_000
ANSWER_MAX = 10_000


def digest_group(digest_id: int) -> str:
    """Group of the pages following one digest's build (the progress stream)."""
    return f"digest.{int(digest_id)}"


def _participation_modes(digest: Digest) -> dict[str, int]:
    """Residents of the digest's session(s) by how they took part (account, code, open)."""
    from deliberation.live.participation import participation_modes

    if digest.session_id is not None:
        ids = [digest.session_id]
    else:
        ids = list(digest.agenda.sessions.values_list("pk", flat=True))
    return participation_modes(ids)


def _clean_long_text(value: str, *, limit: int, field: str) -> str:
    text = mask_personal_data(clean_text(value or ""))
    if len(text) > limit:
        raise ValidationError({field: _("%(n)d자 이내로 입력해 주세요.") % {"n": limit}})
    return text


def _record(digest: Digest, kind: str, actor: User | None) -> DigestRevision:
    Digest.objects.filter(pk=digest.pk).update(revision=F("revision") + 1)
    digest.refresh_from_db(fields=["revision"])
    return DigestRevision.objects.create(
        digest=digest,
        number=digest.revision,
        kind=kind,
        actor=actor,
        summary_text=digest.summary_text,
        section_notes=digest.section_notes,
    )


def _locked(digest: Digest) -> Digest:
    return (
        Digest.objects.select_for_update(of=("self",))
        .select_related("agenda", "session")
        .get(pk=digest.pk)
    )


@transaction.atomic
def digest_generate(
    *, actor: User, session: Session | None = None, agenda: Agenda | None = None
) -> Digest:
    """Start building the draft digest of a session (or an agenda) off the request thread."""
    if (session is None) == (agenda is None):
        raise ValueError("give exactly one of session or agenda")
    target_agenda = session.agenda if session is not None else agenda
    assert target_agenda is not None
    if not permissions.can_manage_digest(actor, target_agenda):
        raise PermissionDenied(_("이 회의의 요약 보고를 만들 권한이 없습니다."))
    if session is not None:
        digest = Digest.objects.select_for_update().filter(scope="session", session=session).first()
    else:
        digest = Digest.objects.select_for_update().filter(scope="agenda", agenda=agenda).first()
    if digest is not None and digest.status != Digest.Status.DRAFT:
        raise ValidationError(_("승인되었거나 전달된 요약 보고는 다시 만들 수 없습니다."))
    if digest is not None and digest.generation == Digest.Generation.RUNNING:
        return digest
    if digest is None:
        digest = Digest(
            scope=Digest.Scope.SESSION if session is not None else Digest.Scope.AGENDA,
            agenda=target_agenda,
            session=session,
            title=(
                f"{target_agenda.title} · {session.title}"
                if session is not None
                else target_agenda.title
            )[:250],
            held_at=session.starts_at if session is not None else target_agenda.created_at,
        )
    digest.organisation_id = target_agenda.organisation_id
    digest.topic = target_agenda.topic
    digest.disclosure = target_agenda.disclosure
    digest.generation = Digest.Generation.RUNNING
    digest.generation_percent = 0
    digest.generation_error = ""
    digest.generation_heartbeat_at = timezone.now()
    digest.generation_attempts = 0
    digest.generated_by = actor
    digest.save()
    digest_id = digest.pk
    _progress_notify(digest, state="running", percent=0, stage=_("시작"))
    transaction.on_commit(lambda: jobs.enqueue(tasks.build_digest, digest_id=digest_id))
    return digest


def _progress_notify(digest: Digest, *, state: str, percent: int, stage: str) -> None:
    event = DigestProgress(
        digest_id=digest.pk,
        state=state,
        percent=max(0, min(100, int(percent))),
        stage=str(stage)[:80],
        url=reverse("digests:digest_detail", args=[digest.pk]),
    )
    text = encode(event.to_dict())
    transaction.on_commit(lambda: publish(digest_group(digest.pk), text))
    if digest.session_id is not None:
        staff_notify(session_id=digest.session_id, event=event)


def _progress_reader(digest: Digest) -> Callable[..., None]:
    """A progress callback for the builder, whatever spelling of (stage, fraction) it uses."""
    last = {"percent": -1}

    def report(*args: Any, **kwargs: Any) -> None:
        values = list(args) + list(kwargs.values())
        stage = next((v for v in values if isinstance(v, str)), "")
        number = next(
            (v for v in values if isinstance(v, int | float) and not isinstance(v, bool)), None
        )
        if number is None:
            return
        percent = int(number * 100) if number <= 1 else int(number)
        percent = max(0, min(99, percent))
        if percent <= last["percent"]:
            return
        last["percent"] = percent
        Digest.objects.filter(pk=digest.pk).update(
            generation_percent=percent, generation_heartbeat_at=timezone.now()
        )
        _progress_notify(digest, state="running", percent=percent, stage=stage)

    return report


def _build_content(digest: Digest, progress: Callable[..., None]) -> dict[str, Any]:
    from deliberation.analysis import digest as builder

    if digest.scope == Digest.Scope.SESSION:
        assert digest.session_id is not None
        built = builder.build_session_digest(digest.session_id, progress=progress)
    else:
        built = builder.build_agenda_digest(digest.agenda_id, progress=progress)
    data: dict[str, Any] = built.to_dict()
    data.update(opinion_groups_content(digest_session_ids(digest, data)))
    return scrub_content(data)  # type: ignore[no-any-return]


def _cited_sources(digest: Digest, content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every statement a summary line cites: its text (cleaned as the builder cleans),
    the author's nickname, when and with what stance, and its session (for the link)."""
    from deliberation.analysis import records

    cited = {
        citation.get("statement_id")
        for group in content.get("key_statements") or []
        for line in group.get("lines") or []
        for citation in [{"statement_id": line.get("statement_id")}, *(line.get("citations") or [])]
    }
    cited |= cited_statement_ids(content)
    session_ids = content.get("session_ids") or ([digest.session_id] if digest.session_id else [])
    found = [s for s in records.load_statements(session_ids) if s.id in cited]
    return {
        str(s.id): {
            "seq": s.seq,
            "text": s.text[:600],
            "nickname": s.nickname,
            "at": s.at.isoformat() if s.at else None,
            "stance": s.stance,
            "session_id": s.session_id,
        }
        for s in selectors.record_statements(found)
    }


def _beat(digest_id: int) -> Callable[[], None]:
    def beat() -> None:
        Digest.objects.filter(pk=digest_id, generation=Digest.Generation.RUNNING).update(
            generation_heartbeat_at=timezone.now()
        )

    return beat


def digest_build(*, digest_id: int) -> Digest | None:
    """The build task: run the content builder, store its result, report progress.

    Safe to run again after a crash: it starts over from the session's record, and a
    second run that finds the build already done (or failed) leaves it as it is.
    """
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(of=("self",))
            .select_related("agenda", "session")
            .filter(pk=digest_id)
            .first()
        )
        if digest is None or digest.generation != Digest.Generation.RUNNING:
            return digest
        digest.generation_attempts += 1
        digest.generation_heartbeat_at = timezone.now()
        digest.save(update_fields=["generation_attempts", "generation_heartbeat_at"])
    every = max(0.5, jobs.stale_after().total_seconds() / 4)
    try:
        with jobs.heartbeat(_beat(digest_id), every=every):
            content = _build_content(digest, _progress_reader(digest))
    except Exception as exc:
        log.exception("digest %s build failed", digest_id)
        with transaction.atomic():
            Digest.objects.filter(pk=digest_id).update(
                generation=Digest.Generation.FAILED, generation_error=str(exc)[:300]
            )
            _progress_notify(digest, state="failed", percent=0, stage=_("실패"))
        return None
    with transaction.atomic():
        digest = _locked(digest)
        if digest.status != Digest.Status.DRAFT or digest.generation != Digest.Generation.RUNNING:
            return digest
        digest.content = content
        if content.get("period_start"):
            # When the session actually ran, not when it was scheduled.
            digest.held_at = dt.datetime.fromisoformat(content["period_start"])
        digest.keywords = content_keywords(content)
        digest.sources = _cited_sources(digest, content)
        digest.search_text = content_search_text(digest, content)
        figures = selectors.content_figures(content)
        digest.participant_count = figures["participants"]
        digest.participation_modes = _participation_modes(digest)
        digest.statement_count = figures["statements"]
        digest.proposal_count = figures["proposals"]
        if not digest.summary_text:
            digest.summary_text = content_summary(content)
        digest.generation = Digest.Generation.DONE
        digest.generation_percent = 100
        digest.generated_at = timezone.now()
        digest.save()
        _record(digest, DigestRevision.Kind.GENERATE, digest.generated_by)
        _progress_notify(digest, state="done", percent=100, stage=_("완료"))
    return digest


@dataclass(frozen=True)
class StaleBuilds:
    restarted: list[int]
    failed: list[int]


def digests_recover_stale(*, now: datetime, stale: timedelta) -> StaleBuilds:
    """Builds whose heartbeat stopped (their worker died): enqueue again, or fail visibly."""
    restarted: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        overdue = Digest.objects.select_for_update(of=("self",)).filter(
            Q(generation_heartbeat_at__lt=now - stale) | Q(generation_heartbeat_at__isnull=True),
            generation=Digest.Generation.RUNNING,
        )
        for digest in overdue:
            if digest.generation_attempts >= jobs.MAX_BUILD_ATTEMPTS:
                digest.generation = Digest.Generation.FAILED
                digest.generation_error = _(
                    "작성이 제한 시간 안에 끝나지 않아 멈췄습니다. 다시 만들어 주세요."
                )
                digest.generation_heartbeat_at = None
                digest.save(
                    update_fields=["generation", "generation_error", "generation_heartbeat_at"]
                )
                _progress_notify(digest, state="failed", percent=0, stage=_("실패"))
                failed.append(digest.pk)
                continue
            digest.generation_heartbeat_at = now
            digest.save(update_fields=["generation_heartbeat_at"])
            digest_id = digest.pk
            transaction.on_commit(
                lambda digest_id=digest_id: jobs.enqueue(  # type: ignore[misc]
                    tasks.build_digest, digest_id=digest_id
                )
            )
            restarted.append(digest_id)
    return StaleBuilds(restarted, failed)


@transaction.atomic
def digest_edit(
    *, actor: User, digest: Digest, summary_text: str, section_notes: dict[str, str]
) -> Digest:
    """Replace the facilitator's summary text and per-section notes of a draft."""
    digest = _locked(digest)
    if not permissions.can_manage_digest(actor, digest.agenda):
        raise PermissionDenied(_("이 요약 보고를 고칠 권한이 없습니다."))
    if digest.status != Digest.Status.DRAFT:
        raise ValidationError(_("초안 상태에서만 고칠 수 있습니다."))
    if not isinstance(section_notes, dict):
        raise ValidationError({"section_notes": _("메모 형식이 올바르지 않습니다.")})
    notes: dict[str, str] = {}
    for key, value in section_notes.items():
        key = clean_text(str(key), multiline=False)[:60]
        text = _clean_long_text(str(value or ""), limit=NOTE_MAX, field="section_notes")
        if key and text:
            notes[key] = text
    digest.summary_text = _clean_long_text(summary_text, limit=SUMMARY_MAX, field="summary_text")
    digest.section_notes = notes
    digest.search_text = content_search_text(digest, digest.content)
    digest.save()
    _record(digest, DigestRevision.Kind.EDIT, actor)
    return digest


@transaction.atomic
def digest_approve(*, actor: User, digest: Digest) -> Digest:
    """Draft -> approved; the digest must have been built."""
    digest = _locked(digest)
    if not permissions.can_manage_digest(actor, digest.agenda):
        raise PermissionDenied(_("이 요약 보고를 승인할 권한이 없습니다."))
    if digest.status != Digest.Status.DRAFT:
        raise ValidationError(_("초안만 승인할 수 있습니다."))
    if digest.generation != Digest.Generation.DONE:
        raise ValidationError(_("자동 요약이 끝난 뒤에 승인할 수 있습니다."))
    digest.status = Digest.Status.APPROVED
    digest.approved_at = timezone.now()
    digest.approved_by = actor
    digest.save()
    _record(digest, DigestRevision.Kind.APPROVE, actor)
    return digest


@transaction.atomic
def digest_reopen(*, actor: User, digest: Digest) -> Digest:
    """Approved -> draft, to edit again before publishing."""
    digest = _locked(digest)
    if not permissions.can_manage_digest(actor, digest.agenda):
        raise PermissionDenied(_("이 요약 보고를 고칠 권한이 없습니다."))
    if digest.status != Digest.Status.APPROVED:
        raise ValidationError(_("승인된 요약 보고만 다시 편집할 수 있습니다."))
    digest.status = Digest.Status.DRAFT
    digest.approved_at = None
    digest.approved_by = None
    digest.save()
    _record(digest, DigestRevision.Kind.REOPEN, actor)
    return digest


@transaction.atomic
def digest_publish(*, actor: User, digest: Digest) -> Digest:
    """Approved -> published: it reaches the ministry inbox and the configured webhooks."""
    digest = _locked(digest)
    if not permissions.can_manage_digest(actor, digest.agenda):
        raise PermissionDenied(_("이 요약 보고를 전달할 권한이 없습니다."))
    if digest.status != Digest.Status.APPROVED:
        raise ValidationError(_("승인된 요약 보고만 외교부에 전달할 수 있습니다."))
    # The disclosure is taken again at publication: an agenda narrowed since stays narrow.
    digest.disclosure = digest.agenda.disclosure
    digest.status = Digest.Status.PUBLISHED
    digest.published_at = timezone.now()
    digest.published_by = actor
    digest.save()
    _record(digest, DigestRevision.Kind.PUBLISH, actor)
    webhooks.deliveries_create(digest=digest, event="digest.published")
    return digest


@transaction.atomic
def response_post(
    *,
    actor: User,
    digest: Digest,
    status: str,
    text: str,
    proposal_id: int | None = None,
) -> MinistryResponse:
    """Answer a published digest (or one proposal in it); participants are notified."""
    digest = Digest.objects.select_related("agenda", "session").get(pk=digest.pk)
    if not permissions.can_respond(actor, digest):
        raise PermissionDenied(_("이 요약 보고에 답변할 권한이 없습니다."))
    if status not in MinistryResponse.Status.values:
        raise ValidationError({"status": _("처리 상태를 골라 주세요.")})
    body = _clean_long_text(text, limit=ANSWER_MAX, field="text")
    if not body:
        raise ValidationError({"text": _("답변 내용을 입력해 주세요.")})
    proposal_title = ""
    if proposal_id is not None:
        proposals = {p["id"]: p for p in selectors.digest_proposals(digest)}
        if proposal_id not in proposals:
            raise ValidationError({"proposal_id": _("이 요약 보고에 없는 제안입니다.")})
        proposal_title = proposals[proposal_id]["title"][:300]
    response = MinistryResponse.objects.create(
        digest=digest,
        proposal_id=proposal_id,
        proposal_title=proposal_title,
        status=status,
        text=body,
        author=actor,
    )
    # A final answer to the whole digest answers it; any other answer means work is under
    # way (an answered digest stays answered until an officer says otherwise).
    final = status != MinistryResponse.Status.REVIEWING and proposal_id is None
    if final:
        Digest.objects.filter(pk=digest.pk).update(answer_status=AnswerStatus.ANSWERED)
    else:
        Digest.objects.filter(pk=digest.pk, answer_status=AnswerStatus.UNANSWERED).update(
            answer_status=AnswerStatus.IN_PROGRESS
        )
    _notify_participants(digest, response)
    webhooks.deliveries_create(digest=digest, event="response.posted", response=response)
    return response


@transaction.atomic
def digest_assign(
    *,
    actor: User,
    digest: Digest,
    assignee: User | None,
    due_date: dt.date | None,
    answer_status: str | None = None,
) -> Digest:
    """Give a published digest an officer, a due date and (optionally) an answer status."""
    digest = _locked(digest)
    if not permissions.can_work_on(actor, digest):
        raise PermissionDenied(_("이 요약 보고의 담당을 정할 권한이 없습니다."))
    if assignee is not None and not permissions.can_be_assigned(assignee, digest):
        raise ValidationError(
            {
                "assignee": _(
                    "이 요약 보고를 열람하고 답할 수 있는 외교부 담당자만 지정할 수 있습니다."
                )
            }
        )
    if answer_status is not None and answer_status not in AnswerStatus.values:
        raise ValidationError({"answer_status": _("답변 상태를 골라 주세요.")})
    digest.assignee = assignee
    digest.due_date = due_date
    if answer_status is not None:
        digest.answer_status = answer_status
    digest.save(update_fields=["assignee", "due_date", "answer_status", "updated_at"])
    return digest


def digest_read_record(*, reader: Any, digest: Digest, channel: str, detail: str = "") -> None:
    """Log that someone read a restricted digest (other levels are not logged)."""
    if digest.disclosure != Disclosure.RESTRICTED:
        return
    DigestRead.objects.create(
        digest=digest,
        reader=reader if getattr(reader, "is_authenticated", False) else None,
        channel=channel,
        detail=detail[:40],
    )


def _notify_participants(digest: Digest, response: MinistryResponse) -> None:
    sessions = (
        [digest.session] if digest.session is not None else list(digest.agenda.sessions.all())
    )
    user_ids: set[int] = set()
    for session in sessions:
        user_ids |= selectors.session_participant_ids(session.pk)
    if not user_ids:
        return
    target = sessions[0] if len(sessions) == 1 else None
    url = (
        reverse("agendas:session_detail", args=[target.pk])
        if target is not None and selectors.url_exists("agendas:session_detail")
        else reverse("digests:notifications")
    )
    about = response.proposal_title or digest.title
    title = _("외교부가 답변했습니다: %(about)s") % {"about": about}
    Notification.objects.bulk_create(
        Notification(
            user_id=uid,
            title=title[:250],
            body=f"{response.get_status_display()} · {response.text[:300]}",
            url=url,
            response=response,
        )
        for uid in sorted(user_ids)
    )


@transaction.atomic
def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark this person's notifications (all, or the given ones) as read."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("로그인이 필요합니다."))
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
