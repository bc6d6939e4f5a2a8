"""Reading what happened in a room from the live and structured apps, for digests.

The only place the analysis app reads those apps' models. Every reader tolerates an
app whose models are not there (yet): it then contributes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from .sources import optional_model, statement_text_field


@dataclass(frozen=True)
class StatementRecord:
    id: int
    session_id: int
    seq: int | None
    text: str
    stance: str
    author_id: int | None
    created_at: dt.datetime | None


def _fields(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _first(names: set[str], *candidates: str) -> str | None:
    return next((c for c in candidates if c in names), None)


def _visible(model: type[models.Model], qs: models.QuerySet) -> models.QuerySet:
    """Statements residents could see: not hidden, not waiting for approval."""
    names = _fields(model)
    if "hidden" in names:
        qs = qs.filter(hidden=False)
    if "hidden_at" in names:
        qs = qs.filter(hidden_at__isnull=True)
    if "status" in names:
        qs = qs.exclude(status__in=["hidden", "pending", "rejected", "removed"])
    if "is_visible" in names:
        qs = qs.filter(is_visible=True)
    return qs


def statement_model() -> type[models.Model] | None:
    return optional_model("live", "Statement")


def _statement_records(qs: models.QuerySet, model: type[models.Model]) -> list[StatementRecord]:
    names = _fields(model)
    text_field = statement_text_field(model)
    seq_field = _first(names, "seq", "room_seq")
    stance_field = _first(names, "stance")
    author_field = _first(names, "author", "user", "person")
    time_field = _first(names, "created_at", "posted_at", "at")
    columns = [
        "pk",
        "session_id",
        text_field,
        seq_field or "pk",
        stance_field or "pk",
        f"{author_field}_id" if author_field else "pk",
        time_field or "pk",
    ]
    return [
        StatementRecord(
            id=pk,
            session_id=session_id,
            seq=seq if seq_field else None,
            text=text or "",
            stance=(stance or "") if stance_field else "",
            author_id=author if author_field else None,
            created_at=at if time_field else None,
        )
        for pk, session_id, text, seq, stance, author, at in qs.values_list(*columns)
    ]


def load_statements(session_ids: Sequence[int]) -> list[StatementRecord]:
    """Visible statements of the sessions, in room order."""
    model = statement_model()
    if model is None:
        return []
    order = "seq" if "seq" in _fields(model) else "pk"
    qs = _visible(model, model._default_manager.filter(session_id__in=list(session_ids)))
    return _statement_records(qs.order_by("session_id", order, "pk"), model)


def load_statements_by_id(ids: Sequence[int]) -> list[StatementRecord]:
    """The given statements (whatever their visibility), for the live digest."""
    model = statement_model()
    if model is None or not ids:
        return []
    out: list[StatementRecord] = []
    ids = list(ids)
    for start in range(0, len(ids), 900):
        qs = model._default_manager.filter(pk__in=ids[start : start + 900])
        out.extend(_statement_records(qs, model))
    return out


def invisible_statement_ids(session_id: int) -> set[int]:
    """Statements of a session that residents cannot see now (hidden, pending ...)."""
    model = statement_model()
    if model is None:
        return set()
    every = model._default_manager.filter(session_id=session_id)
    visible = _visible(model, every)
    return set(every.exclude(pk__in=visible.values("pk")).values_list("pk", flat=True))


def reaction_times(session_ids: Sequence[int]) -> tuple[int, list[dt.datetime], set[int]]:
    """How many reactions the sessions' visible statements got, when, and by whom."""
    model = optional_model("live", "Reaction")
    statements = statement_model()
    if model is None or statements is None or not session_ids:
        return 0, [], set()
    names = _fields(model)
    person = _first(names, "user", "person", "participant", "author")
    time_field = _first(names, "created_at", "at", "reacted_at")
    visible = _visible(
        statements, statements._default_manager.filter(session_id__in=list(session_ids))
    )
    qs = model._default_manager.filter(statement_id__in=visible.values("pk"))
    cols = [f"{person}_id" if person else "pk", time_field or "pk"]
    total = 0
    times: list[dt.datetime] = []
    people: set[int] = set()
    for who, at in qs.values_list(*cols):
        total += 1
        if person:
            people.add(who)
        if time_field and at is not None:
            times.append(at)
    return total, times, people


def pending_statement_count(session_id: int) -> int:
    """Statements of a session still waiting for analysis (the queue knows no sessions)."""
    from .models import TextAnalysis, TextKind

    model = statement_model()
    if model is None:
        return 0
    return TextAnalysis.objects.filter(
        kind=TextKind.STATEMENT,
        state=TextAnalysis.State.PENDING,
        object_id__in=model._default_manager.filter(session_id=session_id).values("pk"),
    ).count()


def reaction_count(session_ids: Sequence[int]) -> int:
    """Reactions on the sessions' visible statements (one COUNT query)."""
    model = optional_model("live", "Reaction")
    statements = statement_model()
    if model is None or statements is None:
        return 0
    visible = _visible(
        statements, statements._default_manager.filter(session_id__in=list(session_ids))
    )
    return model._default_manager.filter(statement_id__in=visible.values("pk")).count()


def proposal_count(session_ids: Sequence[int]) -> int:
    model = optional_model("structured", "Proposal")
    if model is None:
        return 0
    return model._default_manager.filter(session_id__in=list(session_ids)).count()


def participant_ids(session_ids: Sequence[int]) -> set[int]:
    """Everyone recorded as having joined the sessions' rooms."""
    model = optional_model("live", "Participant")
    if model is None:
        return set()
    names = _fields(model)
    person = _first(names, "user", "person")
    if person is None:
        return set()
    return set(
        model._default_manager.filter(session_id__in=list(session_ids)).values_list(
            f"{person}_id", flat=True
        )
    )


@dataclass(frozen=True)
class FloorRecord:
    person_id: int | None
    seconds: int


def load_floor_turns(session_ids: Sequence[int]) -> list[FloorRecord]:
    model = optional_model("live", "FloorTurn")
    if model is None:
        return []
    names = _fields(model)
    person = _first(names, "user", "person", "participant", "speaker")
    start = _first(names, "started_at", "granted_at", "start")
    end = _first(names, "ended_at", "finished_at", "end")
    planned_end = _first(names, "ends_at")
    now = timezone.now()
    turns = []
    cols = [f"{person}_id" if person else "pk", start or "pk", end or "pk", planned_end or "pk"]
    for who, began, ended, planned in model._default_manager.filter(
        session_id__in=list(session_ids)
    ).values_list(*cols):
        if ended is None and planned_end and planned is not None:
            ended = min(planned, now)  # a turn still running counts up to now
        seconds = 0
        if start and end and began is not None and ended is not None:
            seconds = max(0, int((ended - began).total_seconds()))
        turns.append(FloorRecord(person_id=who if person else None, seconds=seconds))
    return turns


def moderation_kinds(session_ids: Sequence[int]) -> tuple[list[str], dict[str, str]]:
    """The kind of every moderation action in the sessions, and the kinds' labels."""
    model = optional_model("live", "ModerationAction")
    if model is None:
        return [], {}
    names = _fields(model)
    kind_field = _first(names, "kind", "action", "type")
    if kind_field is None:
        return [], {}
    labels = {}
    choices = model._meta.get_field(kind_field).choices  # type: ignore[union-attr]
    if choices:
        labels = {str(k): str(v) for k, v in choices}
    kinds = list(
        model._default_manager.filter(session_id__in=list(session_ids)).values_list(
            kind_field, flat=True
        )
    )
    return [str(k) for k in kinds], labels


def screening_counts(session_ids: Sequence[int]) -> tuple[int, int, int]:
    """Texts the screening assistant flagged, hid and restored in the sessions (counts)."""
    from django.apps import apps

    if not apps.is_installed("deliberation.screening"):
        return 0, 0, 0
    from deliberation.screening.selectors import flag_counts

    counts = flag_counts(list(session_ids))
    return counts.flagged, counts.hidden, counts.restored


def stance_labels() -> dict[str, str]:
    """The stance choices of statements, when the live/structured apps define them."""
    model = statement_model()
    if model is not None and "stance" in _fields(model):
        choices = model._meta.get_field("stance").choices  # type: ignore[union-attr]
        if choices:
            return {str(k): str(v) for k, v in choices}
    return {}


def when_held(
    session_ids: Sequence[int], statements: Sequence[StatementRecord]
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the sessions actually ran: first opened to last closed (never the schedule).

    From the sessions' state transitions; where a session has none (imported records),
    from its first and last statement.
    """
    from deliberation.agendas.models import Session, SessionTransition

    opened: list[dt.datetime] = []
    closed: list[dt.datetime] = []
    for to_state, at in SessionTransition.objects.filter(
        session_id__in=list(session_ids)
    ).values_list("to_state", "at"):
        if to_state == Session.State.LIVE:
            opened.append(at)
        elif to_state == Session.State.CLOSED:
            closed.append(at)
    times = [s.created_at for s in statements if s.created_at is not None]
    start = min(opened or times, default=None)
    end = max(closed or times, default=None)
    if start is not None and end is not None and end < start:
        end = max(times, default=start)
    return start, end
