"""Writes of structured deliberation. Every service locks the session row first, checks
its actor against the permission matrix, validates everything before it writes, and
announces what changed through the room's numbered events after commit.

Refusals raise ``PermissionDenied`` or ``ValidationError`` (with a ``code``) carrying a
Korean message; nothing stored changes on a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import Session
from deliberation.common.privacy import mask_personal_data
from deliberation.common.sanitize import sanitize_rich_text
from deliberation.common.text import clean_text
from deliberation.live import participation
from deliberation.live import permissions as live_permissions
from deliberation.live.broadcast import room_append, staff_notify
from deliberation.live.errors import ActionError
from deliberation.live.services import notify_person
from deliberation.people.devices import voter_key
from deliberation.people.models import User

from . import events, permissions, selectors
from .models import (
    DEFAULT_PHASES,
    Ballot,
    BallotChoice,
    FrozenResults,
    Phase,
    PhaseKind,
    Poll,
    PollOption,
    PollVote,
    Proposal,
    ProposalRevision,
    Support,
    VoteConfig,
    WrapUp,
)

MAX_PHASES = 12
MAX_PHASE_MINUTES = 240
MAX_EXTEND_SECONDS = 3600
MAX_TITLE = 120
MAX_BODY = 4000
MAX_CONCLUSION = 10000
MAX_TOP_K = 10
MAX_POLL_OPTIONS = 10
_ROOM_OPEN = (Session.State.LIVE, Session.State.PAUSED)


# --- shared checks -------------------------------------------------------------------


def _lock_session(session: Session | int) -> Session:
    """Lock the session row: every structured write in one room runs one at a time."""
    pk = session if isinstance(session, int) else session.pk
    return Session.objects.select_for_update().select_related("agenda__organisation").get(pk=pk)


# Actions that count people (votes, poll answers, support): the session's vote mode.
_COUNTED = (permissions.BALLOT_SUBMIT, permissions.POLL_VOTE, permissions.PROPOSAL_SUPPORT)


def _require_mode(actor: Any, session: Session, action: str) -> None:
    """The session's join mode for taking part, and its vote mode for what is counted."""
    mode = session.join_mode
    if action in _COUNTED:
        mode = live_permissions.strictest(session.join_mode, session.vote_mode)
    try:
        participation.require_mode(actor, session, mode)
    except ActionError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def _once_per_person(existing_other: bool) -> None:
    if existing_other:
        raise ValidationError(
            _(
                "이 기기에서 이미 다른 이름으로 참여했습니다. "
                "투표·지지·여론조사 응답은 한 사람(한 기기)에 한 번만 셉니다."
            ),
            code="already_counted",
        )


def require_action(actor: Any, session: Session, action: str) -> str:
    """Check the matrix for the running phase, then the session's join or vote mode;
    return the running phase's kind."""
    phase = selectors.current_phase_kind(session.pk)
    if permissions.can_act(actor, session, phase, action):
        _require_mode(actor, session, action)
        return phase
    role = permissions.role_in(actor, session)
    phases = permissions.MATRIX.get(role or "", {}).get(action, frozenset())
    if role is None or not phases:
        raise PermissionDenied(_("이 회의에서 할 수 없는 일입니다."))
    labels = [str(PhaseKind(k).label) for k in PhaseKind.values if k in phases]
    raise PermissionDenied(
        _("지금 단계에서는 할 수 없습니다. '%(phases)s' 단계에서 할 수 있습니다.")
        % {"phases": "', '".join(labels)}
    )


def _require_room_open(session: Session) -> None:
    if session.state not in _ROOM_OPEN:
        raise ValidationError(_("진행 중인 회의가 아닙니다."), code="session_not_live")


def _require_posting(session: Session) -> None:
    """Participants write only while the room is live and not locked read-only."""
    if session.state != Session.State.LIVE:
        raise ValidationError(
            _("회의가 진행 중일 때만 참여할 수 있습니다."), code="session_not_live"
        )
    if session.locked:
        raise ValidationError(_("회의실이 읽기 전용입니다."), code="room_locked")


def _require_not_closed(session: Session) -> None:
    if session.state in (Session.State.CLOSED, Session.State.ARCHIVED):
        raise ValidationError(_("이미 끝난 회의입니다."), code="session_closed")


def as_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("%(f)s 값이 올바르지 않습니다.") % {"f": field}, code="invalid")
    return value


def _ids(values: Any, field: str) -> list[int]:
    if not isinstance(values, list | tuple):
        raise ValidationError(_("%(f)s 값이 올바르지 않습니다.") % {"f": field}, code="invalid")
    return [as_int(v, field) for v in values]


def _single_line(value: Any, *, limit: int, empty: str, too_long: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(empty, code="empty")
    text = mask_personal_data(clean_text(value, multiline=False))
    if not text:
        raise ValidationError(empty, code="empty")
    if len(text) > limit:
        raise ValidationError(too_long, code="too_long")
    return text


def _rich(value: Any, *, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_("내용이 올바르지 않습니다."), code="invalid")
    text = clean_text(value)
    if len(text) > limit:
        raise ValidationError(_("내용은 %(n)d자 이내로 써 주세요.") % {"n": limit}, code="too_long")
    return sanitize_rich_text(mask_personal_data(text))


def _announce_phases(session_id: int, reason: str) -> None:
    current = selectors.current_phase(session_id)
    room_append(
        session_id=session_id,
        event=events.PhasesChanged(
            reason=reason,
            phases=selectors.phases_list(session_id),
            current_id=current.pk if current else None,
        ),
    )


# --- phases --------------------------------------------------------------------------


def phases_apply_default(*, session: Session) -> bool:
    """Give a deliberation session the default phases if it has none (no actor: a hook)."""
    if session.kind != Session.Kind.DELIBERATION or Phase.objects.filter(session=session).exists():
        return False
    Phase.objects.bulk_create(
        Phase(session=session, kind=kind, order=i, planned_seconds=minutes * 60)
        for i, (kind, minutes) in enumerate(DEFAULT_PHASES, start=1)
    )
    return True


def _close_vote(session: Session, now: dt.datetime) -> None:
    config = VoteConfig.objects.select_for_update().filter(session=session).first()
    if config is None or config.is_closed:
        return
    config.closed_at = now
    config.save(update_fields=["closed_at"])
    room_append(
        session_id=session.pk,
        event=events.VoteClosed(
            ballots=selectors.ballot_count(session.pk),
            results=selectors.vote_results(session.pk),
        ),
    )


def _finish_running(session: Session, now: dt.datetime) -> Phase | None:
    running = Phase.objects.filter(session=session, status=Phase.Status.RUNNING).first()
    if running is None:
        return None
    running.status = Phase.Status.DONE
    running.finished_at = now
    running.save(update_fields=["status", "finished_at"])
    if running.kind == PhaseKind.VOTE:
        _close_vote(session, now)
    return running


def _start(session: Session, phase: Phase, now: dt.datetime) -> None:
    Phase.objects.filter(
        session=session, status=Phase.Status.PENDING, order__lt=phase.order
    ).update(status=Phase.Status.SKIPPED)
    phase.status = Phase.Status.RUNNING
    phase.started_at = now
    phase.ends_at = now + dt.timedelta(seconds=phase.planned_seconds)
    phase.save(update_fields=["status", "started_at", "ends_at"])
    if phase.kind == PhaseKind.VOTE:
        config, _created = VoteConfig.objects.get_or_create(session=session)
        if config.is_closed and not Ballot.objects.filter(session=session).exists():
            config.closed_at = None
            config.save(update_fields=["closed_at"])


@transaction.atomic
def phase_start(*, actor: User, session: Session, phase_id: int | None = None) -> Phase:
    """Start a phase (the next one when none is named), finishing the running one."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PHASE_CONTROL)
    _require_room_open(session)
    phases = Phase.objects.filter(session=session)
    if phase_id is None:
        target = phases.filter(status=Phase.Status.PENDING).order_by("order", "pk").first()
        if target is None:
            raise ValidationError(_("더 진행할 단계가 없습니다."), code="no_next_phase")
    else:
        target = phases.filter(pk=as_int(phase_id, "phase_id")).first()
        if target is None:
            raise ValidationError(_("이 회의의 단계가 아닙니다."), code="not_found")
        if target.status != Phase.Status.PENDING:
            raise ValidationError(_("이미 시작했거나 끝난 단계입니다."), code="phase_not_pending")
    now = timezone.now()
    _finish_running(session, now)
    _start(session, target, now)
    _announce_phases(session.pk, "start")
    return target


@transaction.atomic
def phase_advance(*, actor: User, session: Session) -> Phase | None:
    """Finish the running phase and start the next; after the last, no phase runs."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PHASE_CONTROL)
    _require_room_open(session)
    now = timezone.now()
    finished = _finish_running(session, now)
    target = (
        Phase.objects.filter(session=session, status=Phase.Status.PENDING)
        .order_by("order", "pk")
        .first()
    )
    if finished is None and target is None:
        raise ValidationError(_("더 진행할 단계가 없습니다."), code="no_next_phase")
    if target is not None:
        _start(session, target, now)
    _announce_phases(session.pk, "advance" if target else "finish")
    return target


@transaction.atomic
def phase_extend(*, actor: User, session: Session, seconds: int) -> Phase:
    """Give the running phase more time."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PHASE_CONTROL)
    _require_room_open(session)
    seconds = as_int(seconds, "seconds")
    if not 1 <= seconds <= MAX_EXTEND_SECONDS:
        raise ValidationError(
            _("연장 시간은 1초에서 %(n)d초 사이여야 합니다.") % {"n": MAX_EXTEND_SECONDS},
            code="out_of_range",
        )
    running = Phase.objects.filter(session=session, status=Phase.Status.RUNNING).first()
    if running is None or running.ends_at is None:
        raise ValidationError(_("진행 중인 단계가 없습니다."), code="no_running_phase")
    running.ends_at += dt.timedelta(seconds=seconds)
    running.planned_seconds += seconds
    running.save(update_fields=["ends_at", "planned_seconds"])
    _announce_phases(session.pk, "extend")
    return running


_STATUS_RANK: dict[str, int] = {
    Phase.Status.DONE: 0,
    Phase.Status.SKIPPED: 0,
    Phase.Status.RUNNING: 1,
    Phase.Status.PENDING: 2,
}


@transaction.atomic
def phases_update(
    *, actor: User, session: Session, phases: Sequence[dict[str, Any]]
) -> list[Phase]:
    """Replace the list of phases: add, remove, reorder, change planned minutes.

    Each item is ``{"id": <existing id or null>, "kind": ..., "minutes": ...}``. Phases
    that ran or run cannot be removed or moved after one that has not run yet.
    """
    session = _lock_session(session)
    require_action(actor, session, permissions.PHASE_CONTROL)
    _require_not_closed(session)
    if not isinstance(phases, list | tuple) or not phases:
        raise ValidationError(_("단계를 하나 이상 두어야 합니다."), code="empty")
    if len(phases) > MAX_PHASES:
        raise ValidationError(
            _("단계는 %(n)d개까지 둘 수 있습니다.") % {"n": MAX_PHASES}, code="too_many"
        )
    existing = {p.pk: p for p in Phase.objects.filter(session=session)}
    seen: set[int] = set()
    plan: list[tuple[Phase | None, str, int]] = []
    for item in phases:
        if not isinstance(item, dict):
            raise ValidationError(_("단계 값이 올바르지 않습니다."), code="invalid")
        kind = item.get("kind")
        if kind not in PhaseKind.values:
            raise ValidationError(_("알 수 없는 단계입니다."), code="invalid")
        minutes = as_int(item.get("minutes"), "minutes")
        if not 1 <= minutes <= MAX_PHASE_MINUTES:
            raise ValidationError(
                _("단계 시간은 1분에서 %(n)d분 사이여야 합니다.") % {"n": MAX_PHASE_MINUTES},
                code="out_of_range",
            )
        phase = None
        if item.get("id") is not None:
            pid = as_int(item["id"], "id")
            if pid not in existing:
                raise ValidationError(_("이 회의의 단계가 아닙니다."), code="not_found")
            if pid in seen:
                raise ValidationError(_("같은 단계가 두 번 있습니다."), code="duplicate")
            seen.add(pid)
            phase = existing[pid]
            if phase.status != Phase.Status.PENDING and phase.kind != kind:
                raise ValidationError(
                    _("진행했거나 진행 중인 단계의 종류는 바꿀 수 없습니다."), code="phase_started"
                )
        plan.append((phase, kind, minutes))
    for pid, phase in existing.items():
        if pid not in seen and phase.status != Phase.Status.PENDING:
            raise ValidationError(
                _("진행했거나 진행 중인 단계는 지울 수 없습니다."), code="phase_started"
            )
    ranks = [_STATUS_RANK[p.status] if p else 2 for p, _k, _m in plan]
    if ranks != sorted(ranks):
        raise ValidationError(
            _("진행했거나 진행 중인 단계 앞에 아직 하지 않은 단계를 둘 수 없습니다."),
            code="bad_order",
        )
    Phase.objects.filter(session=session).exclude(pk__in=seen).delete()
    result = []
    for order, (phase, kind, minutes) in enumerate(plan, start=1):
        if phase is None:
            phase = Phase(session=session, status=Phase.Status.PENDING)
        phase.kind = kind
        phase.order = order
        phase.planned_seconds = minutes * 60
        if phase.status == Phase.Status.RUNNING and phase.started_at is not None:
            phase.ends_at = phase.started_at + dt.timedelta(seconds=phase.planned_seconds)
        phase.save()
        result.append(phase)
    _announce_phases(session.pk, "update")
    return result


# --- proposals -----------------------------------------------------------------------


def _proposal_in(session: Session, proposal_id: Any, *, lock: bool = False) -> Proposal:
    qs = Proposal.objects.select_related("author")
    if lock:
        qs = qs.select_for_update(of=("self",))
    proposal = qs.filter(pk=as_int(proposal_id, "proposal_id"), session=session).first()
    if proposal is None:
        raise ValidationError(_("이 회의의 제안이 아닙니다."), code="not_found")
    return proposal


def _title(value: Any) -> str:
    return _single_line(
        value,
        limit=MAX_TITLE,
        empty=_("제안 제목을 입력해 주세요."),
        too_long=_("제안 제목은 %(n)d자 이내로 써 주세요.") % {"n": MAX_TITLE},
    )


@transaction.atomic
def proposal_create(*, actor: User, session: Session, title: str, body: str = "") -> Proposal:
    """A participant's proposal; its author supports it from the start."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PROPOSAL_CREATE)
    _require_posting(session)
    clean_title = mask_personal_data(_title(title))
    body_html = _rich(body, limit=MAX_BODY)
    if Proposal.objects.filter(
        session=session, author=actor, title=clean_title, status=Proposal.Status.OPEN
    ).exists():
        raise ValidationError(_("같은 제목의 제안을 이미 냈습니다."), code="duplicate")
    proposal = Proposal.objects.create(
        session=session, author=actor, title=clean_title, body_html=body_html
    )
    key = voter_key(actor)
    if permissions.role_in(actor, session) == permissions.PARTICIPANT and not (
        Support.objects.filter(proposal=proposal, voter_key=key).exists()
    ):
        Support.objects.create(proposal=proposal, person=actor, voter_key=key)
    room_append(
        session_id=session.pk,
        event=events.ProposalCreated(proposal=selectors.proposal_dict(proposal)),
    )
    _enqueue_analysis("proposal", proposal.pk)
    return proposal


def _enqueue_analysis(kind: str, object_id: int) -> None:
    """Queue a proposal for the analyser in the transaction that writes it."""
    try:
        from deliberation.analysis.api import enqueue_analysis_in_transaction
    except ImportError:  # the analysis sub-app is optional for deliberation
        return
    enqueue_analysis_in_transaction(kind, object_id)


@transaction.atomic
def proposal_support(
    *, actor: User, session: Session, proposal_id: int, supported: bool = True
) -> Proposal:
    """Support a proposal, or withdraw one's support."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PROPOSAL_SUPPORT)
    _require_posting(session)
    proposal = _proposal_in(session, proposal_id)
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(_("다른 제안에 합쳐진 제안입니다."), code="merged")
    existing = Support.objects.filter(proposal=proposal, person=actor)
    if supported:
        if existing.exists():
            raise ValidationError(_("이미 지지한 제안입니다."), code="duplicate")
        key = voter_key(actor)
        _once_per_person(Support.objects.filter(proposal=proposal, voter_key=key).exists())
        try:
            with transaction.atomic():
                Support.objects.create(proposal=proposal, person=actor, voter_key=key)
        except IntegrityError:
            _once_per_person(True)
    else:
        if not existing.exists():
            raise ValidationError(_("지지하지 않은 제안입니다."), code="not_supported")
        existing.delete()
    room_append(
        session_id=session.pk,
        event=events.ProposalUpdated(proposal=selectors.proposal_dict(proposal)),
    )
    return proposal


@transaction.atomic
def proposal_edit(
    *, actor: User, session: Session, proposal_id: int, title: str, body: str, note: str = ""
) -> Proposal:
    """A facilitator clarifies a proposal; the earlier text is kept as a revision."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PROPOSAL_EDIT)
    _require_not_closed(session)
    proposal = _proposal_in(session, proposal_id, lock=True)
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(_("다른 제안에 합쳐진 제안입니다."), code="merged")
    new_title = mask_personal_data(_title(title))
    new_body = _rich(body, limit=MAX_BODY)
    if new_title == proposal.title and new_body == proposal.body_html:
        raise ValidationError(_("바뀐 내용이 없습니다."), code="unchanged")
    reason = mask_personal_data(clean_text(note if isinstance(note, str) else "", multiline=False))[
        :200
    ]
    ProposalRevision.objects.create(
        proposal=proposal,
        title=proposal.title,
        body_html=proposal.body_html,
        editor=actor,
        note=reason,
    )
    proposal.title = new_title
    proposal.body_html = new_body
    proposal.save(update_fields=["title", "body_html", "updated_at"])
    room_append(
        session_id=session.pk,
        event=events.ProposalUpdated(proposal=selectors.proposal_dict(proposal)),
    )
    return proposal


@transaction.atomic
def proposal_merge(
    *, actor: User, session: Session, target_id: int, source_ids: Sequence[int]
) -> Proposal:
    """Merge duplicates into one proposal; their supporters carry over, each counted once."""
    session = _lock_session(session)
    require_action(actor, session, permissions.PROPOSAL_MERGE)
    _require_not_closed(session)
    target = _proposal_in(session, target_id, lock=True)
    sources_ids = _ids(source_ids, "source_ids")
    if not sources_ids:
        raise ValidationError(_("합칠 제안을 고르세요."), code="empty")
    if len(set(sources_ids)) != len(sources_ids):
        raise ValidationError(_("같은 제안을 두 번 골랐습니다."), code="duplicate")
    if target.pk in sources_ids:
        raise ValidationError(_("제안을 자기 자신에 합칠 수 없습니다."), code="invalid")
    if target.status != Proposal.Status.OPEN:
        raise ValidationError(_("다른 제안에 합쳐진 제안입니다."), code="merged")
    sources = list(
        Proposal.objects.select_for_update()
        .filter(session=session, pk__in=sources_ids)
        .order_by("pk")
    )
    if len(sources) != len(sources_ids):
        raise ValidationError(_("이 회의의 제안이 아닙니다."), code="not_found")
    if any(s.status != Proposal.Status.OPEN for s in sources):
        raise ValidationError(_("이미 합쳐진 제안이 있습니다."), code="merged")
    if Ballot.objects.filter(session=session).exists():
        raise ValidationError(
            _("투표가 시작된 뒤에는 제안을 합칠 수 없습니다."), code="vote_started"
        )
    # Supporters carry over once per person (per voter key: an account or a device).
    held = list(Support.objects.filter(proposal=target).values_list("person_id", "voter_key"))
    people = {pid for pid, _key in held}
    keys = {key for _pid, key in held if key}
    carried: list[Support] = []
    for pid, key in (
        Support.objects.filter(proposal__in=sources)
        .order_by("at", "pk")
        .values_list("person_id", "voter_key")
    ):
        if pid in people or (key and key in keys):
            continue
        people.add(pid)
        if key:
            keys.add(key)
        carried.append(Support(proposal=target, person_id=pid, voter_key=key))
    Support.objects.bulk_create(carried)
    Support.objects.filter(proposal__in=sources).delete()
    Proposal.objects.filter(pk__in=[s.pk for s in sources]).update(
        status=Proposal.Status.MERGED, merged_into=target, updated_at=timezone.now()
    )
    room_append(
        session_id=session.pk,
        event=events.ProposalsMerged(
            target=selectors.proposal_dict(target), merged_ids=[s.pk for s in sources]
        ),
    )
    # Each author hears where their proposal went (its text stays under the target).
    for source in sources:
        if source.author_id is not None and source.author_id != actor.pk:
            notify_person(
                session.pk,
                source.author_id,
                notice=_("내 제안 '%(mine)s'이(가) '%(target)s' 제안에 합쳐졌습니다.")
                % {"mine": source.title, "target": target.title},
            )
    return target


# --- votes ---------------------------------------------------------------------------


@transaction.atomic
def vote_configure(
    *, actor: User, session: Session, method: str, top_k: int = 3, hide_results: bool = False
) -> VoteConfig:
    """Choose approval or ranking (top k), and whether results wait for the close."""
    session = _lock_session(session)
    require_action(actor, session, permissions.VOTE_CONFIG)
    _require_not_closed(session)
    if method not in VoteConfig.Method.values:
        raise ValidationError(_("알 수 없는 투표 방식입니다."), code="invalid")
    top_k = as_int(top_k, "top_k")
    if not 1 <= top_k <= MAX_TOP_K:
        raise ValidationError(
            _("순위 수는 1에서 %(n)d 사이여야 합니다.") % {"n": MAX_TOP_K}, code="out_of_range"
        )
    if not isinstance(hide_results, bool):
        raise ValidationError(_("결과 숨김 값이 올바르지 않습니다."), code="invalid")
    if Ballot.objects.filter(session=session).exists():
        raise ValidationError(
            _("투표가 시작된 뒤에는 방식을 바꿀 수 없습니다."), code="vote_started"
        )
    config, _created = VoteConfig.objects.select_for_update().get_or_create(session=session)
    config.method = method
    config.top_k = top_k
    config.hide_results = hide_results
    config.save()
    room_append(
        session_id=session.pk,
        event=events.VoteConfigured(config=selectors.vote_config_dict(config)),
    )
    return config


@transaction.atomic
def vote_close(*, actor: User, session: Session) -> VoteConfig:
    """Close the vote now; the results become visible to all."""
    session = _lock_session(session)
    require_action(actor, session, permissions.VOTE_CONFIG)
    config = VoteConfig.objects.filter(session=session).first()
    if config is None or config.is_closed:
        raise ValidationError(_("진행 중인 투표가 없습니다."), code="vote_closed")
    _close_vote(session, timezone.now())
    config.refresh_from_db()
    return config


@transaction.atomic
def ballot_submit(*, actor: User, session: Session, proposal_ids: Sequence[int]) -> Ballot:
    """Cast or replace one's ballot: proposal ids, in order of preference for a ranking vote."""
    session = _lock_session(session)
    require_action(actor, session, permissions.BALLOT_SUBMIT)
    _require_posting(session)
    config = VoteConfig.objects.select_for_update().filter(session=session).first()
    if config is None or config.is_closed:
        raise ValidationError(_("투표가 마감되었습니다."), code="vote_closed")
    chosen = _ids(proposal_ids, "proposal_ids")
    if not chosen:
        raise ValidationError(_("제안을 하나 이상 고르세요."), code="empty")
    if len(set(chosen)) != len(chosen):
        raise ValidationError(_("같은 제안을 두 번 고를 수 없습니다."), code="duplicate")
    ranking = config.method == VoteConfig.Method.RANKING
    if ranking and len(chosen) > config.top_k:
        raise ValidationError(
            _("순위는 %(k)d위까지만 정할 수 있습니다.") % {"k": config.top_k},
            code="out_of_range",
        )
    open_ids = set(
        Proposal.objects.filter(
            session=session, status=Proposal.Status.OPEN, pk__in=chosen
        ).values_list("pk", flat=True)
    )
    if open_ids != set(chosen):
        raise ValidationError(_("이 투표의 제안이 아닌 것을 골랐습니다."), code="foreign_option")
    # The session row lock serialises one room's ballots; the unique constraints (one per
    # person, one per voter key: an account or a quick-join device) are the last word.
    ballot = Ballot.objects.filter(session=session, voter=actor).first()
    if ballot is None:
        key = voter_key(actor)
        _once_per_person(Ballot.objects.filter(session=session, voter_key=key).exists())
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(session=session, voter=actor, voter_key=key)
        except IntegrityError:
            ballot = Ballot.objects.filter(session=session, voter=actor).first()
            _once_per_person(ballot is None)
            assert ballot is not None
    BallotChoice.objects.filter(ballot=ballot).delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal_id=pid, rank=(i if ranking else None))
        for i, pid in enumerate(chosen, start=1)
    )
    ballot.save(update_fields=["cast_at"])
    ballots = selectors.ballot_count(session.pk)
    results = selectors.vote_results(session.pk)
    room_append(
        session_id=session.pk,
        event=events.VoteTally(ballots=ballots, results=None if config.hide_results else results),
    )
    if config.hide_results:
        staff_notify(
            session_id=session.pk, event=events.StaffVoteTally(ballots=ballots, results=results)
        )
    return ballot


# --- live polls ----------------------------------------------------------------------


def _poll_in(session: Session, poll_id: Any) -> Poll:
    poll = (
        Poll.objects.select_for_update()
        .filter(pk=as_int(poll_id, "poll_id"), session=session)
        .first()
    )
    if poll is None:
        raise ValidationError(_("이 회의의 여론조사가 아닙니다."), code="not_found")
    return poll


@transaction.atomic
def poll_create(
    *, actor: User, session: Session, question: str, options: Sequence[str], kind: str = "single"
) -> Poll:
    """Launch a live poll with two to ten options."""
    session = _lock_session(session)
    require_action(actor, session, permissions.POLL_MANAGE)
    _require_room_open(session)
    text = _single_line(
        question,
        limit=200,
        empty=_("질문을 입력해 주세요."),
        too_long=_("질문은 200자 이내로 써 주세요."),
    )
    if kind not in Poll.Kind.values:
        raise ValidationError(_("알 수 없는 방식입니다."), code="invalid")
    if not isinstance(options, list | tuple):
        raise ValidationError(_("선택지가 올바르지 않습니다."), code="invalid")
    labels = [
        _single_line(
            o,
            limit=100,
            empty=_("빈 선택지가 있습니다."),
            too_long=_("선택지는 100자 이내로 써 주세요."),
        )
        for o in options
    ]
    if not 2 <= len(labels) <= MAX_POLL_OPTIONS:
        raise ValidationError(
            _("선택지는 2개에서 %(n)d개까지 둘 수 있습니다.") % {"n": MAX_POLL_OPTIONS},
            code="out_of_range",
        )
    if len(set(labels)) != len(labels):
        raise ValidationError(_("같은 선택지가 두 번 있습니다."), code="duplicate")
    poll = Poll.objects.create(session=session, question=text, kind=kind, created_by=actor)
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, order=i) for i, label in enumerate(labels, start=1)
    )
    room_append(session_id=session.pk, event=events.PollOpened(poll=selectors.poll_dict(poll)))
    return poll


@transaction.atomic
def poll_vote(
    *, actor: User, session: Session, poll_id: int, option_ids: Sequence[int]
) -> PollVote:
    """Answer a live poll (or change one's answer while it is open)."""
    session = _lock_session(session)
    require_action(actor, session, permissions.POLL_VOTE)
    _require_posting(session)
    poll = _poll_in(session, poll_id)
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("마감된 여론조사입니다."), code="poll_closed")
    chosen = _ids(option_ids, "option_ids")
    if not chosen:
        raise ValidationError(_("선택지를 고르세요."), code="empty")
    if len(set(chosen)) != len(chosen):
        raise ValidationError(_("같은 선택지를 두 번 고를 수 없습니다."), code="duplicate")
    if poll.kind == Poll.Kind.SINGLE and len(chosen) != 1:
        raise ValidationError(_("하나만 고를 수 있습니다."), code="out_of_range")
    options = list(PollOption.objects.filter(poll=poll, pk__in=chosen))
    if len(options) != len(chosen):
        raise ValidationError(
            _("이 여론조사의 선택지가 아닌 것을 골랐습니다."), code="foreign_option"
        )
    vote = PollVote.objects.filter(poll=poll, person=actor).first()
    if vote is None:
        key = voter_key(actor)
        _once_per_person(PollVote.objects.filter(poll=poll, voter_key=key).exists())
        try:
            with transaction.atomic():
                vote = PollVote.objects.create(poll=poll, person=actor, voter_key=key)
        except IntegrityError:
            vote = PollVote.objects.filter(poll=poll, person=actor).first()
            _once_per_person(vote is None)
            assert vote is not None
    vote.options.set(options)
    vote.save(update_fields=["at"])
    from .coalesce import schedule_poll_results

    schedule_poll_results(session.pk, poll.pk)
    return vote


@transaction.atomic
def poll_close(*, actor: User, session: Session, poll_id: int) -> Poll:
    """Close a live poll; its final counts go to everyone."""
    session = _lock_session(session)
    require_action(actor, session, permissions.POLL_MANAGE)
    poll = _poll_in(session, poll_id)
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("이미 마감된 여론조사입니다."), code="poll_closed")
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    room_append(session_id=session.pk, event=events.PollClosed(poll=selectors.poll_dict(poll)))
    return poll


# --- wrap-up and the close -------------------------------------------------------------


@transaction.atomic
def wrapup_set(*, actor: User, session: Session, conclusion: str) -> WrapUp:
    """Write or rewrite the session's conclusion."""
    session = _lock_session(session)
    require_action(actor, session, permissions.WRAPUP_SET)
    _require_not_closed(session)
    html = _rich(conclusion, limit=MAX_CONCLUSION)
    if not html.strip():
        raise ValidationError(_("결론을 입력해 주세요."), code="empty")
    wrap, _created = WrapUp.objects.update_or_create(
        session=session, defaults={"conclusion_html": html, "author": actor}
    )
    room_append(session_id=session.pk, event=events.WrapUpUpdated(conclusion_html=html))
    return wrap


def results_unfreeze(*, session: Session) -> None:
    """A reopened session's results are live again until it closes once more."""
    FrozenResults.objects.filter(session=session).delete()


def results_freeze(*, session: Session) -> FrozenResults | None:
    """Close what is still open and keep the results as they stand (a close hook)."""
    if FrozenResults.objects.filter(session=session).exists():
        return None
    now = timezone.now()
    if _finish_running(session, now) is not None:
        _announce_phases(session.pk, "finish")
    _close_vote(session, now)
    for poll in Poll.objects.filter(session=session, status=Poll.Status.OPEN):
        poll.status = Poll.Status.CLOSED
        poll.closed_at = now
        poll.save(update_fields=["status", "closed_at"])
    has_structure = (
        Phase.objects.filter(session=session).exists()
        or Poll.objects.filter(session=session).exists()
        or Proposal.objects.filter(session=session).exists()
    )
    config = VoteConfig.objects.filter(session=session).first()
    data = {
        "frozen_at": now.isoformat(),
        "vote": {
            **selectors.vote_config_dict(config),
            "ballots": selectors.ballot_count(session.pk),
            "results": selectors.vote_results(session.pk),
        },
        "proposals": selectors.proposals_list(session.pk, include_merged=True),
        "polls": selectors.polls_list(session.pk),
        "stances": selectors.stance_counts(session.pk),
        "conclusion_html": selectors.wrapup_html(session.pk),
        "structured": has_structure,
    }
    frozen = FrozenResults.objects.create(session=session, data=data)
    room_append(session_id=session.pk, event=events.ResultsFrozen(results=data))
    return frozen
