"""Reads of the offensive-language assistant: open flags, counts, the labelled export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from deliberation.live.models import Report, Statement

from .models import Flag, SessionScreening

OPEN_FLAGS_SHOWN = 100


def flag_dict(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.pk,
        "kind": flag.kind,
        "object_id": flag.object_id,
        "text": flag.text,
        "label": flag.label,
        "confidence": round(flag.confidence, 3),
        "triggers": list(flag.triggers),
        "held": flag.held,
        "status": flag.status,
        "created_at": flag.created_at.isoformat() if flag.created_at else None,
    }


def hold_flagged(session_id: int) -> bool:
    return SessionScreening.objects.filter(session_id=session_id, hold_flagged=True).exists()


def open_flags(session_id: int, *, limit: int = OPEN_FLAGS_SHOWN) -> list[dict[str, Any]]:
    """The session's flags awaiting a decision, oldest first (the console's list)."""
    rows = Flag.objects.filter(session_id=session_id, status=Flag.Status.OPEN).order_by("pk")
    return [flag_dict(f) for f in rows[:limit]]


@dataclass(frozen=True)
class FlagCounts:
    """What a digest may say about screening: counts only, never a text."""

    flagged: int = 0
    hidden: int = 0
    restored: int = 0


def flag_counts(session_ids: list[int]) -> FlagCounts:
    """Flagged texts, those hidden (and still hidden) and those hidden then shown again."""
    flags = list(
        Flag.objects.filter(session_id__in=session_ids).values_list("kind", "object_id", "status")
    )
    hidden_statements = [o for k, o, s in flags if k == "statement" and s == Flag.Status.HIDDEN]
    visible_now = set(
        Statement.objects.filter(
            pk__in=hidden_statements, status=Statement.Status.VISIBLE
        ).values_list("pk", flat=True)
    )
    hidden = sum(1 for _k, o, s in flags if s == Flag.Status.HIDDEN and o not in visible_now)
    return FlagCounts(flagged=len(flags), hidden=hidden, restored=len(visible_now))


EXPORT_COLUMNS = ["comments", "hate", "predicted", "confidence", "kind", "decision", "decided_at"]


def labelled_export(session_id: int) -> str:
    """Decided flags as a TSV in the training data's columns (``comments``, ``hate``).

    A hidden text keeps the model's class as its label; a dismissed one is labelled
    ``none``: the facilitators' corrections, ready to train on.
    """
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\"
    )
    writer.writerow(EXPORT_COLUMNS)
    rows = (
        Flag.objects.filter(session_id=session_id).exclude(status=Flag.Status.OPEN).order_by("pk")
    )
    for flag in rows.order_by("pk"):
        label = flag.label if flag.status == Flag.Status.HIDDEN else "none"
        writer.writerow(
            [
                " ".join(flag.text.split()),
                label,
                flag.label,
                f"{flag.confidence:.3f}",
                flag.kind,
                flag.status,
                flag.decided_at.isoformat() if flag.decided_at else "",
            ]
        )
    return out.getvalue()


def report_statement_id(report_id: int) -> int | None:
    return Report.objects.filter(pk=report_id).values_list("statement_id", flat=True).first()
