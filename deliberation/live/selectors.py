"""Reads of the live room, as plain data ready to encode (never lazy querysets)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db.models import Count, Exists
from django.utils import timezone

from deliberation.agendas.models import Session
from deliberation.common.sanitize import linkify_plain_text
from deliberation.people.names import person_label

from .events import Snapshot
from .models import (
    FloorTurn,
    HandRaise,
    ModerationAction,
    Participant,
    Reaction,
    ReactionKind,
    Report,
    RoomEvent,
    Statement,
)

RECENT_STATEMENTS = 100
RESUME_WINDOW = 500
PUBLIC_LOG = 50
SHARED_READ_SECONDS = 1.0  # how long people joining a room at one seq share its read

T = TypeVar("T")


class SharedReads(Generic[T]):
    """Reads of a room shared by everyone joining it at one seq, for at most ``seconds``.

    In a join storm a thousand snapshots of one room are asked for at once: one thread
    reads the room while the others joining it wait for that read instead of repeating it.
    Only what every person sees alike may be shared, and only what changes with the seq:
    unnumbered counts are at most ``seconds`` old.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[int, tuple[int, float, T]] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, room_id: int, seq: int, read: Callable[[], tuple[int, T]]) -> T:
        """The value for ``room_id`` at ``seq``; ``read()`` returns (seq read at, value)."""
        found = self._fresh(room_id, seq)
        if found is not None:
            return found[0]
        with self._guard:
            lock = self._locks.setdefault(room_id, threading.Lock())
        with lock:
            found = self._fresh(room_id, seq)
            if found is not None:
                return found[0]
            read_seq, value = read()
            now = time.monotonic()
            with self._guard:
                for key in [k for k, v in self._entries.items() if now - v[1] > self.seconds]:
                    self._entries.pop(key, None)
                    if key != room_id:
                        self._locks.pop(key, None)
                self._entries[room_id] = (read_seq, now, value)
            return value

    def _fresh(self, room_id: int, seq: int) -> tuple[T] | None:
        entry = self._entries.get(room_id)
        if entry is None or entry[0] != seq or time.monotonic() - entry[1] >= self.seconds:
            return None
        return (entry[2],)

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def statement_dict(statement: Statement, *, redact: bool = False) -> dict[str, Any]:
    """A statement as the protocol sends it; ``redact`` blanks hidden text for residents."""
    hidden = statement.status in (Statement.Status.HIDDEN, Statement.Status.REJECTED)
    text = "" if (redact and hidden) else statement.text
    author = statement.author
    return {
        "id": statement.pk,
        "author": {"id": author.pk, **person_label(author)},
        "text": text,
        "html": linkify_plain_text(text) if text else "",
        "stance": statement.stance,
        "parent_id": statement.parent_id,
        "on_stage": statement.on_stage,
        "status": statement.status,
        "pinned": statement.pinned,
        "answered": statement.answered,
        "answer_id": statement.answer_id,
        "created_at": _iso(statement.created_at),
        "seq": statement.seq,
    }


def queue_list(session_id: int) -> list[dict[str, Any]]:
    """The raised hands in order."""
    hands = (
        HandRaise.objects.filter(session_id=session_id, lowered_at__isnull=True)
        .select_related("person")
        .order_by("raised_at", "pk")
    )
    return [
        {"user_id": h.person_id, **person_label(h.person), "raised_at": _iso(h.raised_at)}
        for h in hands
    ]


def open_turn(session_id: int) -> FloorTurn | None:
    return (
        FloorTurn.objects.filter(session_id=session_id, ended_at__isnull=True)
        .select_related("person")
        .first()
    )


def floor_dict(turn: FloorTurn | None) -> dict[str, Any] | None:
    if turn is None:
        return None
    return {
        "turn_id": turn.pk,
        "user_id": turn.person_id,
        **person_label(turn.person),
        "started_at": _iso(turn.started_at),
        "ends_at": _iso(turn.ends_at),
        "now": _iso(timezone.now()),
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "statement_id": report.statement_id,
        "statement_text": report.statement.text,
        "reporter": {"id": report.reporter_id, **person_label(report.reporter)},
        "reason": report.reason,
        "status": report.status,
        "created_at": _iso(report.created_at),
    }


def moderation_entry(action: ModerationAction) -> dict[str, Any]:
    """The public form of an audit-log entry: kind, target, reason; never hidden text."""
    return {
        "id": action.pk,
        "action": action.kind,
        "target_kind": action.target_kind,
        "target_id": action.target_id if action.target_kind == "statement" else None,
        "reason": action.reason,
        "at": _iso(action.at),
    }


def public_moderation_log(session_id: int, *, limit: int = PUBLIC_LOG) -> list[dict[str, Any]]:
    """The session's public moderation log, newest last."""
    rows = list(
        ModerationAction.objects.filter(session_id=session_id).order_by("-at", "-pk")[:limit]
    )
    return [moderation_entry(a) for a in reversed(rows)]


def audit_log(session_id: int) -> list[dict[str, Any]]:
    """The full audit log for facilitators: who did what, when and why."""
    return [
        {
            **moderation_entry(a),
            "target_id": a.target_id,
            "actor": {"id": a.actor_id, "nickname": a.actor.display_name if a.actor else ""},
            "detail": a.detail,
        }
        for a in ModerationAction.objects.filter(session_id=session_id).select_related("actor")
    ]


def reaction_counts(statement_ids: Iterable[int]) -> dict[str, dict[str, int]]:
    ids = list(statement_ids)
    counts: dict[str, dict[str, int]] = {str(i): {k: 0 for k in ReactionKind.values} for i in ids}
    rows = (
        Reaction.objects.filter(statement_id__in=ids)
        .values("statement_id", "kind")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[str(row["statement_id"])][row["kind"]] = row["n"]
    return counts


def session_settings(session: Session) -> dict[str, Any]:
    return {
        "state": session.state,
        "locked": session.locked,
        "slow_mode_seconds": session.slow_mode_seconds,
        "premoderation": session.premoderation,
    }


def participant_state(session_id: int, user_id: int) -> dict[str, bool]:
    raised = HandRaise.objects.filter(
        session_id=session_id, person_id=user_id, lowered_at__isnull=True
    )
    row = (
        Participant.objects.filter(session_id=session_id, person_id=user_id)
        .annotate(raised=Exists(raised))
        .values_list("muted", "raised")
        .first()
    )
    if row is None:  # never joined: not muted; a hand is still looked up
        return {"muted": False, "hand_raised": raised.exists()}
    return {"muted": bool(row[0]), "hand_raised": bool(row[1])}


def room_state(*, session: Session, staff: bool) -> dict[str, Any]:
    """The shared part of a snapshot (same for every resident at one seq).

    Read twice if an event committed while it was being read, so that ``seq`` and the
    rest agree; callers may reuse it for other residents while the seq is unchanged.
    """
    for _attempt in range(3):
        session.refresh_from_db()
        state = _room_state(session=session, staff=staff)
        if Session.objects.values_list("last_seq", flat=True).get(pk=session.pk) == state["seq"]:
            break
    return state


def _room_state(*, session: Session, staff: bool) -> dict[str, Any]:
    statuses = [Statement.Status.VISIBLE]
    if staff:
        statuses.append(Statement.Status.HIDDEN)
    recent = list(
        Statement.objects.filter(session=session, status__in=statuses)
        .select_related("author")
        .order_by("-pk")[:RECENT_STATEMENTS]
    )
    recent.reverse()
    pinned = list(
        Statement.objects.filter(session=session, pinned=True, status=Statement.Status.VISIBLE)
        .select_related("author")
        .order_by("pk")
    )
    ids = sorted({s.pk for s in recent} | {s.pk for s in pinned})
    return {
        "seq": session.last_seq,
        "session": {
            "id": session.pk,
            "title": session.title,
            "kind": session.kind,
            "turn_seconds": session.turn_seconds,
            **session_settings(session),
        },
        "statements": [statement_dict(s, redact=not staff) for s in recent],
        "pinned": [statement_dict(s) for s in pinned],
        "statement_ids": ids,
        "queue": queue_list(session.pk),
        "floor": floor_dict(open_turn(session.pk)),
        "reactions": reaction_counts(ids),
        "moderation_log": public_moderation_log(session.pk),
    }


def room_snapshot(
    *,
    session: Session,
    user: Any,
    staff: bool,
    presence: int = 0,
    state: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a client needs to draw the room, with the seq it is consistent with.

    ``state`` is a shared part already read at the room's current seq (see room_state).
    """
    from .actions import snapshot_parts

    if state is None:
        state = room_state(session=session, staff=staff)
    now = timezone.now()
    floor = state["floor"]
    mine = [
        [r["statement_id"], r["kind"]]
        for r in Reaction.objects.filter(
            statement_id__in=state["statement_ids"], person_id=user.pk
        ).values("statement_id", "kind")
    ]
    staff_part = None
    if staff:
        from . import participation

        pending = Statement.objects.filter(
            session=session, status=Statement.Status.PENDING
        ).select_related("author")
        reports = Report.objects.filter(
            statement__session=session, status=Report.Status.OPEN
        ).select_related("statement", "reporter")
        staff_part = {
            "pending": [statement_dict(s) for s in pending],
            "reports": [report_dict(r) for r in reports],
            "audit_log": audit_log(session.pk)[-100:],
            "shared_devices": participation.shared_device_warnings(session.pk),
        }
    return Snapshot(
        protocol=1,
        seq=state["seq"],
        now=now.isoformat(),
        session=state["session"],
        me={
            "id": user.pk,
            **person_label(user),
            "role": user.role,
            "staff": staff,
            **participant_state(session.pk, user.pk),
        },
        statements=state["statements"],
        pinned=state["pinned"],
        queue=state["queue"],
        floor=dict(floor, now=now.isoformat()) if floor else None,
        presence=presence,
        reactions=state["reactions"],
        my_reactions=mine,
        moderation_log=state["moderation_log"],
        parts={name: fn(session, user) for name, fn in snapshot_parts().items()},
        staff=staff_part,
    ).to_dict()


def _redact_event(payload: dict[str, Any], hidden_ids: set[int]) -> dict[str, Any]:
    for key in ("statement",):
        st = payload.get(key)
        if isinstance(st, dict) and st.get("id") in hidden_ids:
            payload = dict(payload, **{key: dict(st, text="", html="", status="hidden")})
    return payload


def events_after(
    *, session_id: int, after: int, staff: bool, limit: int = RESUME_WINDOW
) -> list[dict[str, Any]] | None:
    """The numbered events in (after, current] for a resume, or None when too far behind.

    Statements hidden since they were broadcast are redacted for non-staff readers.
    """
    last = Session.objects.values_list("last_seq", flat=True).get(pk=session_id)
    if after < 0 or after > last or last - after > limit:
        return None
    rows = list(
        RoomEvent.objects.filter(session_id=session_id, seq__gt=after, seq__lte=last)
        .order_by("seq")
        .values_list("seq", "payload")
    )
    hidden: set[int] = set()
    if not staff:
        hidden = set(
            Statement.objects.filter(
                session_id=session_id,
                status__in=(Statement.Status.HIDDEN, Statement.Status.REJECTED),
            ).values_list("pk", flat=True)
        )
    out = []
    for seq, payload in rows:
        data = _redact_event(dict(payload), hidden) if hidden else dict(payload)
        data["seq"] = seq
        out.append(data)
    return out


def _region_names(region: Any) -> tuple[str, str]:
    """(Korean, English) name of a region, a district with its province."""
    if region is None:
        return "", ""
    parent = region.parent if region.kind == "local" else None
    ko = f"{parent.name} {region.name}" if parent else region.name
    en_parts = [parent.name_en or parent.name] if parent else []
    en = " ".join([*en_parts, region.name_en or region.name])
    return ko, en


def present_people(session_id: int, user_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The people present, for the facilitators: name, role, region; staff first."""
    from deliberation.agendas.permissions import can_moderate
    from deliberation.people.models import User

    session = Session.objects.select_related("agenda__organisation").get(pk=session_id)
    people = User.objects.filter(pk__in=list(user_ids)).select_related("region__parent")
    rows = []
    for person in people:
        region_ko, region_en = _region_names(person.region)
        rows.append(
            {
                "user_id": person.pk,
                "nickname": person.display_name,
                "role": person.role,
                "staff": person.role != User.Role.RESIDENT and can_moderate(person, session),
                "region": region_ko,
                "region_en": region_en,
            }
        )
    rows.sort(key=lambda r: (not r["staff"], r["nickname"]))
    return rows
